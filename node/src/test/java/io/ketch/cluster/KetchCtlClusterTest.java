package io.ketch.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.ketch.cli.KetchCtl;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ketchctl's cluster commands print what etcdctl prints. */
class KetchCtlClusterTest {
  @TempDir Path dir;

  record Run(int code, String out, String err) {}

  static Run ketchctl(TestCluster.Member at, String... args) {
    return ketchctl(at.endpoint(), args);
  }

  static Run ketchctl(String endpoints, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> all = new ArrayList<>(List.of("--endpoints=" + endpoints));
    all.addAll(List.of(args));
    int code =
        KetchCtl.run(
            all.toArray(String[]::new),
            new ByteArrayInputStream(new byte[0]),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void memberCommandsMoveLeaderAndEndpointStatus() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 3)) {
      TestCluster.Member leader = cluster.awaitLeader();
      TestCluster.Member follower = cluster.followers().get(0);
      String clusterId = String.format("%16x", leader.server().clusterId());

      Run added =
          ketchctl(
              follower, "member", "add", "extra", "--peer-urls=http://127.0.0.1:7", "--learner");
      assertThat(added.code()).isZero();
      String id = added.out().substring("Member ".length(), "Member ".length() + 16).trim();
      assertThat(added.out())
          .startsWith("Member ")
          .contains(" added as learner to cluster " + clusterId + "\n\nETCD_NAME=\"extra\"\n")
          .contains("extra=http://127.0.0.1:7")
          .contains("m0=" + cluster.member(0).peerUrl())
          .endsWith(
              "ETCD_INITIAL_ADVERTISE_PEER_URLS=\"http://127.0.0.1:7\"\n"
                  + "ETCD_INITIAL_CLUSTER_STATE=\"existing\"\n");

      Run list = ketchctl(follower, "member", "list");
      assertThat(list.out()).contains(id + ", unstarted, , http://127.0.0.1:7, , true\n");
      assertThat(list.out())
          .contains(
              ", started, m1, "
                  + cluster.member(1).peerUrl()
                  + ", "
                  + cluster.member(1).endpoint()
                  + ", false\n");

      Run promote = ketchctl(follower, "member", "promote", id);
      assertThat(promote.code()).isNotZero();
      assertThat(promote.err())
          .contains("etcdserver: can only promote a learner member which is in sync with leader");

      Run update = ketchctl(follower, "member", "update", id, "--peer-urls=http://127.0.0.1:6");
      assertThat(update.out())
          .isEqualTo(
              "Member " + String.format("%16s", id) + " updated in cluster " + clusterId + "\n");
      Run removed = ketchctl(follower, "member", "remove", id);
      assertThat(removed.out())
          .isEqualTo(
              "Member " + String.format("%16s", id) + " removed from cluster " + clusterId + "\n");

      String endpoints =
          cluster.running().stream()
              .map(TestCluster.Member::endpoint)
              .reduce((a, b) -> a + "," + b)
              .orElseThrow();
      Run status = ketchctl(follower, "endpoint", "status", "--cluster");
      assertThat(status.out().lines()).hasSize(3);
      assertThat(status.out().lines().filter(l -> l.contains(", true, false, "))).hasSize(1);

      Run moved = ketchctl(endpoints, "move-leader", Long.toHexString(follower.id()));
      assertThat(moved.code()).as(moved.err()).isZero();
      assertThat(moved.out())
          .isEqualTo(
              "Leadership transferred from "
                  + Long.toHexString(leader.id())
                  + " to "
                  + Long.toHexString(follower.id())
                  + "\n");
      assertThat(cluster.awaitLeader()).isSameAs(follower);
    }
  }
}
