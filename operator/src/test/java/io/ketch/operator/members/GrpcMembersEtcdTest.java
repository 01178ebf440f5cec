package io.ketch.operator.members;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The membership client against the reference etcd (3.4, from Debian): the calls the reconciler
 * makes, in the order it makes them for a scale-out and a scale-in. Skips without /usr/bin/etcd,
 * except under CI=true.
 */
class GrpcMembersEtcdTest {
  static final Path ETCD = Path.of("/usr/bin/etcd");

  @TempDir Path dir;
  final List<Process> processes = new ArrayList<>();
  GrpcMembers factory;

  @AfterEach
  void tearDown() {
    if (factory != null) {
      factory.close();
    }
    processes.forEach(Process::destroyForcibly);
  }

  @Test
  void addLearnerPromoteMoveLeaderAndRemoveOnARealEtcd() throws Exception {
    boolean present = Files.isExecutable(ETCD);
    if ("true".equals(System.getenv("CI"))) {
      assertThat(present).as("/usr/bin/etcd (Debian's etcd-server) is needed under CI").isTrue();
    }
    assumeTrue(present, "etcd not installed");
    int[] a = {freePort(), freePort()};
    int[] b = {freePort(), freePort()};
    String aClient = "http://127.0.0.1:" + a[0];
    String bClient = "http://127.0.0.1:" + b[0];
    String aPeer = "http://127.0.0.1:" + a[1];
    String bPeer = "http://127.0.0.1:" + b[1];
    start("a", a, "a=" + aPeer, "new");
    factory = new GrpcMembers(Duration.ofSeconds(3), UnaryOperator.identity());
    Members members = factory.forEndpoints(List.of(bClient, aClient));
    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .until(() -> members.status(aClient).healthy());

    MemberList one = members.list();
    assertThat(one.members()).singleElement().satisfies(m -> assertThat(m.name()).isEqualTo("a"));
    long aId = one.members().get(0).id();
    assertThat(members.status(aClient).isLeader()).isTrue();

    Member learner = members.addLearner(bPeer);
    assertThat(learner.learner()).isTrue();
    assertThat(members.list().byId(learner.id()).orElseThrow().started())
        .as("not started yet")
        .isFalse();
    start("b", b, "a=" + aPeer + ",b=" + bPeer, "existing");
    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .until(() -> members.status(bClient).learner());
    EndpointStatus learnerStatus = members.status(bClient);
    assertThat(learnerStatus.healthy()).isTrue();
    assertThat(learnerStatus.leaderId()).isEqualTo(aId);

    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .untilAsserted(() -> members.promote(learner.id()));
    assertThat(members.list().byId(learner.id()).orElseThrow().learner()).isFalse();
    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .until(() -> members.status(bClient).healthy());

    members.moveLeader(aClient, learner.id());
    await().atMost(Duration.ofSeconds(10)).until(() -> members.status(bClient).isLeader());
    assertThatThrownBy(() -> members.moveLeader(aClient, aId)).isInstanceOf(MembersException.class);

    // etcd refuses to remove a voter until the rest have been connected a while ("unhealthy
    // cluster").
    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .untilAsserted(() -> members.remove(aId));
    assertThat(factory.forEndpoints(List.of(bClient)).list().members())
        .extracting(Member::name)
        .containsExactly("b");
  }

  private void start(String name, int[] ports, String initialCluster, String state)
      throws IOException {
    String client = "http://127.0.0.1:" + ports[0];
    String peer = "http://127.0.0.1:" + ports[1];
    processes.add(
        new ProcessBuilder(
                ETCD.toString(),
                "--name=" + name,
                "--data-dir=" + dir.resolve(name),
                "--listen-client-urls=" + client,
                "--advertise-client-urls=" + client,
                "--listen-peer-urls=" + peer,
                "--initial-advertise-peer-urls=" + peer,
                "--initial-cluster=" + initialCluster,
                "--initial-cluster-state=" + state,
                "--initial-cluster-token=members-test")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve(name + ".log").toFile())
            .start());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
