package io.ketch.e2e.harness;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The outside programs the suites drive (Debian's etcd-server, etcd-client and python3-etcd3). A
 * missing tool skips the test on a developer's machine but fails it in CI (CI=true), where .ci/run
 * installs them.
 */
public enum Tools {
  ETCD("etcd (apt-get install etcd-server)"),
  ETCDCTL("etcdctl (apt-get install etcd-client)"),
  PYTHON_ETCD3("python3-etcd3 for /usr/bin/python3 (apt-get install python3-etcd3)");

  /**
   * Debian's python3 with its python3-etcd3 package: a pyenv shim earlier on PATH would not see the
   * package.
   */
  public static final Path PYTHON3 = Path.of("/usr/bin/python3");

  private final String description;

  Tools(String description) {
    this.description = description;
  }

  /** Skips (outside CI) or fails (in CI) the running test when the tool is missing. */
  public void require() {
    if (isPresent()) {
      return;
    }
    String message = description + " is missing";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail(message + "; CI must install it (.ci/run)");
    }
    Assumptions.abort(message);
  }

  /** The executable's path. */
  public Path path() {
    return switch (this) {
      case ETCD ->
          onPath("etcd").orElseThrow(() -> new IllegalStateException(description + " is missing"));
      case ETCDCTL ->
          onPath("etcdctl")
              .orElseThrow(() -> new IllegalStateException(description + " is missing"));
      case PYTHON_ETCD3 -> PYTHON3;
    };
  }

  private boolean isPresent() {
    return switch (this) {
      case ETCD -> onPath("etcd").isPresent();
      case ETCDCTL -> onPath("etcdctl").isPresent();
      case PYTHON_ETCD3 -> Files.isExecutable(PYTHON3) && pythonImports("etcd3");
    };
  }

  private static Optional<Path> onPath(String program) {
    String path = Optional.ofNullable(System.getenv("PATH")).orElse("/usr/bin:/bin");
    return Arrays.stream(path.split(File.pathSeparator))
        .map(dir -> Path.of(dir, program))
        .filter(Files::isExecutable)
        .findFirst();
  }

  private static boolean pythonImports(String module) {
    try {
      Process p =
          new ProcessBuilder(PYTHON3.toString(), "-c", "import " + module)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
