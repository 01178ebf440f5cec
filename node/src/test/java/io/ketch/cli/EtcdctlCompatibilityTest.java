package io.ketch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ketch.testing.Ports;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ketchctl and etcdctl side by side against a real etcd (Debian's etcd-server and etcd-client): the
 * same commands must print the same bytes. Skipped when etcd is not installed, except on CI.
 */
class EtcdctlCompatibilityTest {
  record Result(int code, String out, String err) {}

  @TempDir static Path dataDir;
  static Process etcd;
  static String endpoint;

  @BeforeAll
  static void startEtcd() throws IOException {
    Optional<Path> etcdBinary = onPath("etcd");
    Optional<Path> etcdctlBinary = onPath("etcdctl");
    boolean installed = etcdBinary.isPresent() && etcdctlBinary.isPresent();
    if ("true".equals(System.getenv("CI"))) {
      assertThat(installed).as("etcd and etcdctl must be installed on CI").isTrue();
    }
    Assumptions.assumeTrue(installed, "etcd/etcdctl not installed");
    int client = Ports.free();
    int peer = Ports.free();
    endpoint = "127.0.0.1:" + client;
    String peerUrl = "http://127.0.0.1:" + peer;
    etcd =
        new ProcessBuilder(
                etcdBinary.get().toString(),
                "--name",
                "compat",
                "--data-dir",
                dataDir.resolve("etcd").toString(),
                "--listen-client-urls",
                "http://" + endpoint,
                "--advertise-client-urls",
                "http://" + endpoint,
                "--listen-peer-urls",
                peerUrl,
                "--initial-advertise-peer-urls",
                peerUrl,
                "--initial-cluster",
                "compat=" + peerUrl)
            .redirectErrorStream(true)
            .redirectOutput(dataDir.resolve("etcd.log").toFile())
            .start();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> etcdctl("endpoint", "health").code() == 0);
  }

  @AfterAll
  static void stopEtcd() throws InterruptedException {
    if (etcd != null) {
      etcd.destroy();
      if (!etcd.waitFor(10, TimeUnit.SECONDS)) {
        etcd.destroyForcibly();
      }
    }
  }

  static Optional<Path> onPath(String name) {
    return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        .map(dir -> Path.of(dir, name))
        .filter(Files::isExecutable)
        .findFirst();
  }

  static Result etcdctl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("etcdctl", "--endpoints", endpoint));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("ETCDCTL_API", "3");
    builder.environment().remove("ETCDCTL_ENDPOINTS");
    Path out = Files.createTempFile(dataDir, "out", "");
    Path err = Files.createTempFile(dataDir, "err", "");
    Process p = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    int code = p.waitFor();
    return new Result(code, Files.readString(out), Files.readString(err));
  }

  static Result ketchctl(String... args) {
    List<String> command =
        new ArrayList<>(List.of("--endpoints", endpoint, "--dial-timeout", "30s"));
    command.addAll(List.of(args));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (Session session =
        new Session(
            new ByteArrayInputStream(new byte[0]),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            Map.of(),
            Endpoints::open,
            false)) {
      code = KetchCtl.run(command.toArray(String[]::new), session);
    }
    return new Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** Runs the same read-only command with both tools and expects the same output and exit code. */
  static void sameOutput(String... args) throws Exception {
    Result reference = etcdctl(args);
    Result ours = ketchctl(args);
    assertThat(ours.out()).as("stdout of %s", List.of(args)).isEqualTo(reference.out());
    assertThat(ours.code()).as("exit code of %s", List.of(args)).isEqualTo(reference.code());
  }

  @Test
  void putGetDelPrintAsEtcdctl() throws Exception {
    assertThat(etcdctl("put", "k1", "v1").out()).isEqualTo("OK\n");
    assertThat(ketchctl("put", "k2", "v2")).isEqualTo(new Result(0, "OK\n", ""));
    ketchctl("put", "k3", "a<b>&c");
    // The same overwrite through each tool shows the same previous pair.
    assertThat(ketchctl("put", "k1", "v1", "--prev-kv").out())
        .isEqualTo(etcdctl("put", "k1", "v1", "--prev-kv").out())
        .isEqualTo("OK\nk1\nv1\n");

    sameOutput("get", "k", "--prefix");
    sameOutput("get", "k", "--prefix", "-w", "json");
    sameOutput("get", "k", "--prefix", "--keys-only");
    sameOutput("get", "k", "--prefix", "--keys-only", "-w", "json");
    sameOutput("get", "k", "--prefix", "--print-value-only");
    sameOutput("get", "k", "--prefix", "--sort-by=VALUE", "--order=DESCEND");
    sameOutput("get", "k", "--prefix", "--sort-by=MODIFY", "-w", "json");
    sameOutput("get", "k", "--prefix", "--limit", "1", "-w", "json");
    sameOutput("get", "k1", "--rev", "2", "-w", "json");
    sameOutput("get", "k1", "k3");
    sameOutput("get", "k2", "--from-key", "--consistency=s");
    sameOutput("get", "k", "--prefix", "--hex");
    sameOutput("get", "missing", "-w", "json");
    sameOutput("del", "missing");
    sameOutput("del", "missing", "-w", "json");

    Result ours = ketchctl("del", "k2", "--prev-kv");
    etcdctl("put", "k2", "v2");
    assertThat(ours.out())
        .isEqualTo(etcdctl("del", "k2", "--prev-kv").out())
        .isEqualTo("1\nk2\nv2\n");
  }

  @Test
  void errorsPrintAsEtcdctl() throws Exception {
    Result reference = etcdctl("get", "");
    Result ours = ketchctl("get", "");

    assertThat(ours.code()).isEqualTo(reference.code()).isEqualTo(1);
    // etcdctl logs a JSON warning first; its last line is the error.
    List<String> lines = reference.err().lines().toList();
    assertThat(ours.err()).isEqualTo(lines.get(lines.size() - 1) + "\n");
  }

  @Test
  void leaseAndClusterCommandsPrintAsEtcdctl() throws Exception {
    String pattern = "lease [0-9a-f]{16} granted with TTL\\(60s\\)\n";
    assertThat(etcdctl("lease", "grant", "60").out()).matches(pattern);
    Result grant = ketchctl("lease", "grant", "60");
    assertThat(grant.out()).matches(pattern);
    String id = grant.out().split(" ")[1];
    assertThat(ketchctl("lease", "timetolive", id).out())
        .startsWith("lease " + id + " granted with TTL(60s), remaining(");
    assertThat(ketchctl("lease", "revoke", id).out()).isEqualTo("lease " + id + " revoked\n");
    sameOutput("lease", "timetolive", id);

    sameOutput("member", "list");
    sameOutput("member", "list", "-w", "json");
    sameOutput("member", "list", "-w", "table");
    sameOutput("endpoint", "status");
    sameOutput("endpoint", "status", "-w", "table");
  }
}
