package io.ketch.cluster;

import static io.ketch.cluster.FailoverTest.put;
import static io.ketch.cluster.FailoverTest.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.ketch.pb.etcdserver.ClusterGrpc;
import io.ketch.pb.etcdserver.Member;
import io.ketch.pb.etcdserver.MemberAddRequest;
import io.ketch.pb.etcdserver.MemberAddResponse;
import io.ketch.pb.etcdserver.MemberListRequest;
import io.ketch.pb.etcdserver.MemberPromoteRequest;
import io.ketch.pb.etcdserver.MemberRemoveRequest;
import io.ketch.pb.etcdserver.MemberRemoveResponse;
import io.ketch.pb.etcdserver.MemberUpdateRequest;
import io.ketch.pb.etcdserver.MemberUpdateResponse;
import io.ketch.pb.etcdserver.MoveLeaderRequest;
import io.ketch.pb.etcdserver.StatusRequest;
import io.ketch.server.MemberStop;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Cluster API on a live cluster: add, join, learners, promote, remove, update, MoveLeader. */
class MembershipTest {
  @TempDir Path dir;

  static void assertEtcdError(ThrowingCallable call, Status.Code code, String message) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(code);
              assertThat(e.getStatus().getDescription()).isEqualTo(message);
            });
  }

  static MemberAddRequest add(String peerUrl, boolean learner) {
    return MemberAddRequest.newBuilder().addPeerURLs(peerUrl).setIsLearner(learner).build();
  }

  @Test
  void aLearnerJoinsIsPromotedOnceCaughtUpAndAnswersOnlyWhatEtcdLetsIt() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 3)) {
      TestCluster.Member leader = cluster.awaitLeader();
      for (int i = 0; i < 50; i++) {
        leader.kv().put(put("before-join/" + i, "v"));
      }
      TestCluster.Member learner = cluster.newJoiner("learner");
      // Asked of a follower: raft forwards the conf change to the leader.
      TestCluster.Member follower = cluster.followers().get(0);
      MemberAddResponse added = follower.clusterApi().memberAdd(add(learner.peerUrl(), true));
      assertThat(added.getMember().getIsLearner()).isTrue();
      assertThat(added.getMember().getName()).isEmpty(); // until it starts and publishes
      assertThat(added.getMembersList()).hasSize(4);

      assertEtcdError(
          () -> follower.clusterApi().memberAdd(add("http://127.0.0.1:1", true)),
          Status.Code.FAILED_PRECONDITION,
          "etcdserver: too many learner members in cluster");
      assertEtcdError(
          () -> follower.clusterApi().memberAdd(add(learner.peerUrl(), false)),
          Status.Code.FAILED_PRECONDITION,
          "etcdserver: Peer URLs already exists");
      assertEtcdError(
          () -> follower.clusterApi().memberAdd(add("not a url", false)),
          Status.Code.INVALID_ARGUMENT,
          "etcdserver: given member URLs are invalid");
      long learnerId = added.getMember().getID();
      // Not started: nowhere near the leader's log.
      assertEtcdError(
          () ->
              follower
                  .clusterApi()
                  .memberPromote(MemberPromoteRequest.newBuilder().setID(learnerId).build()),
          Status.Code.FAILED_PRECONDITION,
          "etcdserver: can only promote a learner member which is in sync with leader");
      assertEtcdError(
          () ->
              follower
                  .clusterApi()
                  .memberPromote(MemberPromoteRequest.newBuilder().setID(leader.id()).build()),
          Status.Code.FAILED_PRECONDITION,
          "etcdserver: can only promote a learner member");

      learner.start();
      learner.awaitReady();
      assertThat(learner.id()).isEqualTo(learnerId);
      var status = learner.maintenance().status(StatusRequest.getDefaultInstance());
      assertThat(status.getIsLearner()).isTrue();
      assertThat(status.getLeader()).isEqualTo(leader.id());
      assertThat(status.getHeader().getMemberId()).isEqualTo(learnerId);
      var local =
          learner.kv().range(range("before-join/49").toBuilder().setSerializable(true).build());
      assertThat(local.getKvsList()).hasSize(1);
      assertEtcdError(
          () -> learner.kv().range(range("before-join/49")),
          Status.Code.FAILED_PRECONDITION,
          "etcdserver: rpc not supported for learner");
      assertEtcdError(
          () -> learner.kv().put(put("x", "y")),
          Status.Code.FAILED_PRECONDITION,
          "etcdserver: rpc not supported for learner");

      await()
          .atMost(Duration.ofSeconds(10))
          .ignoreExceptionsInstanceOf(StatusRuntimeException.class)
          .until(
              () ->
                  follower
                      .clusterApi()
                      .memberPromote(MemberPromoteRequest.newBuilder().setID(learnerId).build())
                      .getMembersList()
                      .stream()
                      .noneMatch(Member::getIsLearner));
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  !learner.maintenance().status(StatusRequest.getDefaultInstance()).getIsLearner());
      // A voter now: it takes writes and linearizable reads.
      learner.kv().put(put("after-promote", "v"));
      assertThat(learner.kv().range(range("after-promote")).getKvsList()).hasSize(1);
      Member listed =
          learner
              .clusterApi()
              .memberList(MemberListRequest.newBuilder().setLinearizable(true).build())
              .getMembersList()
              .stream()
              .filter(m -> m.getID() == learnerId)
              .findFirst()
              .orElseThrow();
      assertThat(listed.getName()).isEqualTo("learner");
      assertThat(listed.getClientURLsList()).containsExactly(learner.endpoint());
    }
  }

  @Test
  void aVoterJoinsAfterMemberAddCatchesUpAndCountsInTheQuorum() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 3)) {
      TestCluster.Member leader = cluster.awaitLeader();
      leader.kv().put(put("before", "v"));
      TestCluster.Member joiner = cluster.newJoiner("m3");
      long id = leader.clusterApi().memberAdd(add(joiner.peerUrl(), false)).getMember().getID();
      joiner.start();
      joiner.awaitReady();
      assertThat(joiner.id()).isEqualTo(id);
      assertThat(joiner.server().clusterId()).isEqualTo(leader.server().clusterId());
      assertThat(joiner.kv().range(range("before")).getKvsList()).hasSize(1);
      // Four voters: with one of the first three gone, a quorum (three) needs the joiner.
      cluster.followers().stream().filter(m -> m != joiner).findFirst().orElseThrow().stop();
      joiner.kv().put(put("with-three-of-four", "v"));
      assertThat(leader.kv().range(range("with-three-of-four")).getKvsList()).hasSize(1);
    }
  }

  /**
   * MemberRemove through {@code via}, retried while etcd's rule refuses it because a peer has not
   * yet been connected for 5 s ("unhealthy cluster").
   */
  static MemberRemoveResponse removeOnceHealthy(TestCluster.Member via, long id) {
    return await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptionsMatching(
            e ->
                e instanceof StatusRuntimeException s
                    && "etcdserver: unhealthy cluster".equals(s.getStatus().getDescription()))
        .until(
            () -> via.clusterApi().memberRemove(MemberRemoveRequest.newBuilder().setID(id).build()),
            response -> true);
  }

  @Test
  void aRemovedMemberStopsServingSaysWhyAndStops() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 3)) {
      TestCluster.Member leader = cluster.awaitLeader();
      TestCluster.Member removed = cluster.followers().get(0);
      TestCluster.Member other = cluster.followers().get(1);
      var left = removeOnceHealthy(leader, removed.id());
      assertThat(left.getMembersList()).extracting(Member::getID).doesNotContain(removed.id());
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertEtcdError(
                      () -> removed.kv().put(put("x", "y")),
                      Status.Code.UNAVAILABLE,
                      "etcdserver: the member has been permanently removed from the cluster"));
      // The hook the process exits on, with etcd's exit code for a removed member.
      assertThat(removed.server().stopped().get(10, TimeUnit.SECONDS))
          .isEqualTo(MemberStop.REMOVED);
      assertThat(MemberStop.REMOVED.exitCode()).isZero();
      long removedId = removed.id();
      removed.stop(); // as the process exits
      leader.kv().put(put("still", "works"));
      assertThat(other.kv().range(range("still")).getKvsList()).hasSize(1);
      assertThat(leader.server().stopped()).isNotDone();
      assertThat(other.server().stopped()).isNotDone();
      assertEtcdError(
          () ->
              leader
                  .clusterApi()
                  .memberRemove(MemberRemoveRequest.newBuilder().setID(removedId).build()),
          Status.Code.NOT_FOUND,
          "etcdserver: member not found");
    }
  }

  @Test
  void aVoterIsNotRemovedWhileTheConnectedMembersLeftWouldBeShortOfAQuorum() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 3)) {
      TestCluster.Member leader = cluster.awaitLeader();
      TestCluster.Member follower = cluster.followers().get(0);
      TestCluster.Member down = cluster.followers().get(1);
      long downId = down.id();
      down.stop();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> leader.server().peerActiveFor(downId).isEmpty());
      // Without the follower, only the leader would be left connected: no quorum of two voters.
      assertEtcdError(
          () ->
              leader
                  .clusterApi()
                  .memberRemove(MemberRemoveRequest.newBuilder().setID(follower.id()).build()),
          Status.Code.UNAVAILABLE,
          "etcdserver: unhealthy cluster");
      // A member that is down is not part of the active quorum: it may go.
      var left =
          leader.clusterApi().memberRemove(MemberRemoveRequest.newBuilder().setID(downId).build());
      assertThat(left.getMembersList())
          .extracting(Member::getID)
          .containsExactlyInAnyOrder(leader.id(), follower.id());
      leader.kv().put(put("two-left", "v"));
      assertThat(follower.kv().range(range("two-left")).getKvsList()).hasSize(1);
    }
  }

  @Test
  void concurrentChangesAllComplete() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 3)) {
      TestCluster.Member leader = cluster.awaitLeader();
      TestCluster.Member follower = cluster.followers().get(0);
      // Raft takes one conf change at a time: those proposed while one is pending are refused
      // (etcd's would wait until their client gave up); here each is proposed again and answers.
      List<ListenableFuture<MemberUpdateResponse>> updates = new ArrayList<>();
      for (TestCluster.Member via : List.of(leader, follower)) {
        ClusterGrpc.ClusterFutureStub stub =
            ClusterGrpc.newFutureStub(via.channel()).withDeadlineAfter(15, TimeUnit.SECONDS);
        for (int i = 0; i < 6; i++) {
          updates.add(
              stub.memberUpdate(
                  MemberUpdateRequest.newBuilder()
                      .setID(follower.id())
                      .addPeerURLs(follower.peerUrl())
                      .build()));
        }
      }
      for (ListenableFuture<MemberUpdateResponse> update : updates) {
        // Well within the request timeout a refused change would otherwise have waited out.
        assertThat(update.get(4, TimeUnit.SECONDS).getMembersList()).hasSize(3);
      }
      leader.kv().put(put("after-updates", "v"));
    }
  }

  @Test
  void strictReconfigurationUpdateAndMoveLeader() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 3)) {
      TestCluster.Member leader = cluster.awaitLeader();
      TestCluster.Member follower = cluster.followers().get(0);
      // Voters that never start: 3 started of 4, then of 5, are still a quorum...
      long idle =
          leader.clusterApi().memberAdd(add("http://127.0.0.1:9", false)).getMember().getID();
      long idle2 =
          leader.clusterApi().memberAdd(add("http://127.0.0.1:8", false)).getMember().getID();
      // ...but not of 6 (etcd's IsReadyToAddVotingMember).
      assertEtcdError(
          () -> leader.clusterApi().memberAdd(add("http://127.0.0.1:10", false)),
          Status.Code.FAILED_PRECONDITION,
          "etcdserver: re-configuration failed due to not enough started members");

      var updated =
          follower
              .clusterApi()
              .memberUpdate(
                  MemberUpdateRequest.newBuilder()
                      .setID(idle)
                      .addPeerURLs("http://127.0.0.1:11")
                      .build());
      assertThat(updated.getMembersList())
          .filteredOn(m -> m.getID() == idle)
          .singleElement()
          .satisfies(m -> assertThat(m.getPeerURLsList()).containsExactly("http://127.0.0.1:11"));
      assertEtcdError(
          () ->
              follower
                  .clusterApi()
                  .memberUpdate(
                      MemberUpdateRequest.newBuilder()
                          .setID(idle)
                          .addPeerURLs(leader.peerUrl())
                          .build()),
          Status.Code.FAILED_PRECONDITION,
          "etcdserver: Peer URLs already exists");
      assertEtcdError(
          () ->
              follower
                  .clusterApi()
                  .memberUpdate(
                      MemberUpdateRequest.newBuilder()
                          .setID(42)
                          .addPeerURLs("http://127.0.0.1:12")
                          .build()),
          Status.Code.NOT_FOUND,
          "etcdserver: member not found");
      // Never connected: not part of the active quorum, so etcd's health rule lets them go.
      leader.clusterApi().memberRemove(MemberRemoveRequest.newBuilder().setID(idle).build());
      leader.clusterApi().memberRemove(MemberRemoveRequest.newBuilder().setID(idle2).build());

      assertEtcdError(
          () ->
              follower
                  .maintenance()
                  .moveLeader(MoveLeaderRequest.newBuilder().setTargetID(leader.id()).build()),
          Status.Code.FAILED_PRECONDITION,
          "etcdserver: not leader");
      assertEtcdError(
          () ->
              leader
                  .maintenance()
                  .moveLeader(MoveLeaderRequest.newBuilder().setTargetID(idle).build()),
          Status.Code.FAILED_PRECONDITION,
          "etcdserver: bad leader transferee");
      leader
          .maintenance()
          .moveLeader(MoveLeaderRequest.newBuilder().setTargetID(follower.id()).build());
      assertThat(cluster.awaitLeader()).isSameAs(follower);
      follower.kv().put(put("after-move", "v"));
    }
  }
}
