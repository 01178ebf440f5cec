package io.ketch.e2e.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

/**
 * Clusters and their link faults, on both targets (membership changes: FaultSchedule.MEMBERSHIP and
 * EtcdctlClusterTest).
 */
class ClusterTest {

  @EachTarget
  void anIsolatedLeaderIsReplacedAndRejoinsAndOneWayAndDelayedLinksAreSurvived(Target target) {
    try (Cluster cluster = target.startCluster(3)) {
      Etcdctl etcdctl = new Etcdctl(cluster.member(0));
      etcdctl.run("put", "k", "v1").assertOk();
      Member old = cluster.awaitLeader();
      List<Member> rest = cluster.members().stream().filter(m -> m != old).toList();

      cluster.links().partition(List.of(old), rest);
      await("a leader in the majority")
          .atMost(Duration.ofSeconds(30))
          .until(() -> rest.stream().anyMatch(m -> isLeader(cluster, m)));
      Etcdctl majority = new Etcdctl(rest.get(0));
      majority.run("put", "k", "v2").assertOk();
      assertThat(new Etcdctl(old).run("get", "k", "--command-timeout=1s").exit()).isNotZero();

      cluster.links().heal();
      await("the old leader catches up")
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  new Etcdctl(old)
                      .run("get", "k", "--print-value-only", "--command-timeout=1s")
                      .out()
                      .equals("v2\n"));
      // one way only: the leader's bytes to a follower are held back, its connections cut
      Member leader = cluster.awaitLeader();
      Member follower = cluster.members().stream().filter(m -> m != leader).findFirst().get();
      cluster.links().drop(leader, follower);
      cluster.links().cut(leader, follower);
      new Etcdctl(leader).run("put", "one-way", "v").assertOk();
      cluster.links().heal();
      await("the follower sees the write")
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  new Etcdctl(follower)
                      .run("get", "one-way", "--print-value-only", "--consistency=s")
                      .out()
                      .equals("v\n"));

      // delayed links: a write commits only once a follower's copy arrives, 400 ms late
      Member current = cluster.awaitLeader();
      for (Member m : cluster.members()) {
        if (m != current) {
          cluster.links().delay(current, m, Duration.ofMillis(400));
        }
      }
      long start = System.nanoTime();
      new Etcdctl(current).run("put", "delayed", "v").assertOk();
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(took).isGreaterThan(Duration.ofMillis(400));
      cluster.links().heal();

      long revision = cluster.awaitConverged(Duration.ofSeconds(30));
      assertThat(cluster.hashKV(revision).values())
          .hasSize(3)
          .containsOnly(cluster.hashKV(revision).values().iterator().next());
    }
  }

  /**
   * A member whose data is gone but whose flags still name it (a pod back on an empty volume)
   * cannot follow a leader that has committed past its empty log: etcd panics and exits, and so
   * must Ketch, so that a supervisor notices instead of keeping a process that answers nothing.
   */
  @EachTarget
  void aMemberRestartedOnAnEmptyDataDirUnderItsOldIdentityExits(Target target) {
    try (Cluster cluster = target.startCluster(3)) {
      Etcdctl etcdctl = new Etcdctl(cluster.member(0));
      for (int i = 0; i < 20; i++) {
        etcdctl.run("put", "k" + i, "v").assertOk();
      }
      Member leader = cluster.awaitLeader();
      MemberProcess wiped =
          (MemberProcess) cluster.members().stream().filter(m -> m != leader).findFirst().get();
      wiped.stop();
      MemberProcess.deleteRecursively(wiped.dataDir());
      wiped.launch();
      await("the wiped member exits").atMost(Duration.ofSeconds(60)).until(() -> !wiped.isAlive());
      new Etcdctl(leader).run("put", "after", "v").assertOk();
    }
  }

  private static boolean isLeader(Cluster cluster, Member m) {
    return cluster.status(m).map(s -> s.leader() == s.memberId() && s.leader() != 0).orElse(false);
  }
}
