package io.ketch.e2e.operator;

import io.ketch.e2e.harness.Member;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Child JVMs and commands of the test, each logging to its own file. */
final class Processes {
  static final Path LOGS = Member.logDir().resolve("operator");

  private Processes() {}

  /** Each run starts with an empty log directory. */
  static void clearLogs() {
    try {
      if (Files.exists(LOGS)) {
        try (var files = Files.list(LOGS)) {
          for (Path file : files.toList()) {
            Files.delete(file);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** This test JVM's classpath, which holds Ketch's runtime (the node module). */
  static String testClasspath() {
    return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
  }

  static List<String> ketchJvmFlags() {
    String flags = System.getProperty("ketch.jvm.flags", "");
    return Arrays.stream(flags.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
  }

  /** java with Chronicle's flags, the hosts file, and this classpath, running {@code main}. */
  static List<String> ketchJava(Path hosts, String main) {
    List<String> command = new ArrayList<>();
    command.add(java());
    command.addAll(ketchJvmFlags());
    command.add("-Xmx384m");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-Djdk.net.hosts.file=" + hosts);
    command.add("-cp");
    command.add(testClasspath());
    command.add(main);
    return command;
  }

  static Process start(List<String> command, Map<String, String> env, String log) {
    try {
      Files.createDirectories(LOGS);
      ProcessBuilder builder = new ProcessBuilder(command);
      builder.environment().keySet().removeIf(k -> k.startsWith("ETCD") || k.startsWith("KETCH"));
      builder.environment().putAll(env);
      builder.redirectErrorStream(true);
      builder.redirectOutput(ProcessBuilder.Redirect.appendTo(LOGS.resolve(log + ".log").toFile()));
      return builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs to completion; the exit code. */
  static int run(List<String> command, Map<String, String> env, String log) {
    Process process = start(command, env, log);
    try {
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return -1;
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      return -1;
    }
  }

  static void stop(Process process) {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
