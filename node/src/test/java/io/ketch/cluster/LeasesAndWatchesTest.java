package io.ketch.cluster;

import static io.ketch.cluster.ReplicationTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Leases kept by the leader across the cluster, and watches that require a leader. */
class LeasesAndWatchesTest {
  @TempDir Path dir;

  @Test
  void leasesAreRenewedThroughAFollowerAndSurviveALeaderChange() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 3)) {
      TestCluster.Member leader = cluster.awaitLeader();
      TestCluster.Member follower = cluster.followers().get(0);
      long lease = follower.client().getLeaseClient().grant(30).get().getID();
      follower
          .client()
          .getKVClient()
          .put(bytes("leased"), bytes("v"), PutOption.builder().withLeaseId(lease).build())
          .get();

      var renewed = follower.client().getLeaseClient().keepAliveOnce(lease).get();
      assertThat(renewed.getTTL()).isEqualTo(30);
      var ttl =
          follower
              .client()
              .getLeaseClient()
              .timeToLive(lease, LeaseOption.builder().withAttachedKeys().build())
              .get();
      assertThat(ttl.getTTL()).isBetween(1L, 30L);
      assertThat(ttl.getKeys()).containsExactly(bytes("leased"));

      leader.stop();
      TestCluster.Member next = cluster.awaitLeader();
      await()
          .atMost(Duration.ofSeconds(10))
          .ignoreExceptions()
          .until(
              () ->
                  next.client()
                          .getLeaseClient()
                          .timeToLive(lease, LeaseOption.DEFAULT)
                          .get()
                          .getTTL()
                      > 0);
      // A remaining TTL, not a fresh one: no more than granted (plus the election timeout etcd
      // adds).
      assertThat(
              next.client().getLeaseClient().timeToLive(lease, LeaseOption.DEFAULT).get().getTTL())
          .isBetween(1L, 31L);
      assertThat(next.client().getKVClient().get(bytes("leased")).get().getKvs()).hasSize(1);
    }
  }

  @Test
  void aWatchThatRequiresALeaderIsCancelledAfterThreeElectionTimeoutsWithoutOne() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 3)) {
      List<TestCluster.Member> followers = cluster.followers();
      TestCluster.Member survivor = followers.get(0);
      CompletableFuture<Throwable> cancelled = new CompletableFuture<>();
      Watch.Watcher watcher =
          survivor
              .client()
              .getWatchClient()
              .watch(
                  bytes("w"),
                  WatchOption.builder().withRequireLeader(true).build(),
                  Watch.listener(response -> {}, cancelled::complete));
      cluster.awaitLeader().stop();
      followers.get(1).stop();
      Throwable reason = cancelled.get(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(reason).hasMessageContaining("etcdserver: no leader");
      watcher.close();
    }
  }
}
