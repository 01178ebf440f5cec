package io.ketch.e2e.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A Ketch node: {@code java <Chronicle's JVM flags> -cp <this test classpath>
 * io.ketch.launch.KetchMain <etcd's flags>}. The e2e module depends on ketch-node, so the test
 * classpath holds Ketch's runtime classpath.
 */
final class KetchProcess extends MemberProcess {

  static final String MAIN_CLASS = "io.ketch.launch.KetchMain";

  KetchProcess(Path dataDir) {
    super("ketch", dataDir);
  }

  @Override
  List<String> program() {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmFlags());
    command.addAll(split(System.getProperty("ketch.e2e.java.opts", "-Xmx1g")));
    command.add("-cp");
    // Surefire may hide the classpath behind a manifest-only jar; it publishes the real one here.
    command.add(
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
    command.add(MAIN_CLASS);
    return command;
  }

  @Override
  Duration startTimeout() {
    return Duration.ofSeconds(60);
  }

  /**
   * The flags Chronicle Queue needs on Java 17: Surefire passes the parent pom's ketch.jvm.flags;
   * outside Maven, the node build's target/jvm.flags.
   */
  static List<String> jvmFlags() {
    String flags = System.getProperty("ketch.jvm.flags");
    if (flags != null && !flags.isBlank()) {
      return split(flags);
    }
    Path file = Path.of("..", "node", "target", "jvm.flags");
    try {
      if (Files.exists(file)) {
        return split(Files.readString(file));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalStateException(
        "no JVM flags for Ketch: run through Maven (-Dketch.jvm.flags) or build node (node/target/jvm.flags)");
  }

  private static List<String> split(String flags) {
    return Arrays.stream(flags.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
  }
}
