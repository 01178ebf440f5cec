package io.ketch.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * etcdctl's auth commands against a member. Needs /usr/bin/etcdctl (Debian's etcd-client); skipped
 * without it, except under CI, where its absence is a failure.
 */
class EtcdctlAuthTest {
  private static final Path ETCDCTL = Path.of("/usr/bin/etcdctl");

  @TempDir Path dir;
  private RunningMember member;

  private record Result(int exit, String output) {}

  @BeforeEach
  void start() throws Exception {
    if (!"true".equals(System.getenv("CI"))) {
      Assumptions.assumeTrue(Files.isExecutable(ETCDCTL), "etcdctl is not installed");
    }
    assertThat(ETCDCTL).isExecutable();
    member = new RunningMember(dir);
  }

  @AfterEach
  void stop() throws Exception {
    if (member != null) {
      member.close();
    }
  }

  private Result etcdctl(String... args) throws Exception {
    List<String> command =
        new ArrayList<>(List.of(ETCDCTL.toString(), "--endpoints=" + member.endpoint()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("ETCDCTL_API", "3");
    Process process = builder.start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new Result(process.exitValue(), output);
  }

  private String ok(String... args) throws Exception {
    Result result = etcdctl(args);
    assertThat(result.exit()).as(result.output()).isZero();
    return result.output();
  }

  @Test
  void usersRolesAndEnforcementThroughEtcdctl() throws Exception {
    ok("put", "ro/x", "1");
    ok("user", "add", "root:rootpw");
    ok("role", "add", "root");
    ok("user", "grant-role", "root", "root");
    ok("user", "add", "alice:alicepw");
    ok("role", "add", "reader");
    ok("role", "grant-permission", "reader", "read", "ro/", "--prefix=true");
    ok("user", "grant-role", "alice", "reader");
    assertThat(ok("auth", "enable")).contains("Authentication Enabled");

    assertThat(ok("--user=alice:alicepw", "get", "ro/x")).contains("ro/x").contains("1");
    Result denied = etcdctl("--user=alice:alicepw", "put", "ro/x", "2");
    assertThat(denied.exit()).isNotZero();
    assertThat(denied.output()).contains("etcdserver: permission denied");
    Result anonymous = etcdctl("get", "ro/x");
    assertThat(anonymous.exit()).isNotZero();
    assertThat(anonymous.output()).contains("etcdserver: user name is empty");
    Result wrong = etcdctl("--user=alice:nope", "get", "ro/x");
    assertThat(wrong.output()).contains("authentication failed");

    assertThat(ok("--user=root:rootpw", "role", "get", "reader"))
        .contains("[ro/, ro0) (prefix ro/)");
    assertThat(ok("--user=root:rootpw", "user", "list")).contains("alice").contains("root");
    ok("--user=root:rootpw", "auth", "disable");
    ok("put", "ro/x", "3");
  }
}
