package io.ketch.cluster;

import static io.ketch.cluster.ReplicationTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.ketch.pb.etcdserver.LeaseGrpc;
import io.ketch.pb.etcdserver.LeaseKeepAliveRequest;
import io.ketch.pb.etcdserver.LeaseKeepAliveResponse;
import io.ketch.pb.etcdserver.RangeRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
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
      Throwable reason = cancelled.get(10, TimeUnit.SECONDS);
      assertThat(reason).hasMessageContaining("etcdserver: no leader");
      watcher.close();
    }
  }

  @Test
  void aKeepAliveStreamThatRequiresALeaderEndsWithNoLeaderAsDoNewCallsThatRequireOne()
      throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 3)) {
      List<TestCluster.Member> followers = cluster.followers();
      TestCluster.Member survivor = followers.get(0);
      long lease = survivor.client().getLeaseClient().grant(60).get().getID();
      KeepAliveCall required =
          new KeepAliveCall(requiringLeader(LeaseGrpc.newStub(survivor.channel())));
      KeepAliveCall plain = new KeepAliveCall(LeaseGrpc.newStub(survivor.channel()));
      assertThat(required.renew(lease).getTTL()).isEqualTo(60);
      assertThat(plain.renew(lease).getTTL()).isEqualTo(60);

      cluster.awaitLeader().stop();
      followers.get(1).stop();
      assertNoLeader(required.ended.get(10, TimeUnit.SECONDS));
      assertThat(plain.ended).isNotDone(); // only streams that asked for a leader are ended

      // Without a leader, a call that requires one is refused at once, stream or not (etcd's
      // interceptors); the same read without hasleader is served.
      assertNoLeader(
          new KeepAliveCall(requiringLeader(LeaseGrpc.newStub(survivor.channel())))
              .ended.get(5, TimeUnit.SECONDS));
      RangeRequest serializable =
          RangeRequest.newBuilder()
              .setKey(ByteString.copyFromUtf8("k"))
              .setSerializable(true)
              .build();
      assertThatThrownBy(() -> requiringLeader(survivor.kv()).range(serializable))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class, LeasesAndWatchesTest::assertNoLeader);
      assertThat(survivor.kv().range(serializable).getCount()).isZero();
    }
  }

  private static <S extends AbstractStub<S>> S requiringLeader(S stub) {
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("hasleader", Metadata.ASCII_STRING_MARSHALLER), "true");
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  private static void assertNoLeader(Throwable failure) {
    Status status = Status.fromThrowable(failure);
    assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(status.getDescription()).isEqualTo("etcdserver: no leader");
  }

  /** One LeaseKeepAlive stream: its answers in order, and how it ended. */
  private static final class KeepAliveCall {
    final BlockingQueue<LeaseKeepAliveResponse> answers = new LinkedBlockingQueue<>();
    final CompletableFuture<Throwable> ended = new CompletableFuture<>();
    final StreamObserver<LeaseKeepAliveRequest> requests;

    KeepAliveCall(LeaseGrpc.LeaseStub stub) {
      requests =
          stub.leaseKeepAlive(
              new StreamObserver<>() {
                @Override
                public void onNext(LeaseKeepAliveResponse answer) {
                  answers.add(answer);
                }

                @Override
                public void onError(Throwable t) {
                  ended.complete(t);
                }

                @Override
                public void onCompleted() {
                  ended.complete(null);
                }
              });
    }

    LeaseKeepAliveResponse renew(long lease) throws InterruptedException {
      requests.onNext(LeaseKeepAliveRequest.newBuilder().setID(lease).build());
      LeaseKeepAliveResponse answer = answers.poll(10, TimeUnit.SECONDS);
      assertThat(answer).as("keep-alive answer").isNotNull();
      return answer;
    }
  }
}
