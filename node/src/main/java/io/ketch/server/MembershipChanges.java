package io.ketch.server;

import io.ketch.pb.etcdserver.Member;
import io.ketch.pb.etcdserver.MemberAddResponse;
import io.ketch.pb.etcdserver.MemberListResponse;
import io.ketch.pb.etcdserver.MemberPromoteRequest;
import io.ketch.pb.etcdserver.MemberPromoteResponse;
import io.ketch.pb.etcdserver.MemberRemoveResponse;
import io.ketch.pb.etcdserver.MemberUpdateResponse;
import io.ketch.pb.etcdserver.ResponseHeader;
import io.ketch.raft.ProgressView;
import io.ketch.raft.RawNode;
import io.ketch.raft.pb.ConfChange;
import io.ketch.raft.pb.ConfChangeType;
import io.ketch.server.pb.ClusterState;
import io.ketch.server.pb.MemberRecord;
import io.ketch.transport.Transport;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The membership operations a client asks for (MemberAdd, MemberRemove, MemberUpdate,
 * MemberPromote): checked against the applied membership ({@link Membership}), then proposed as
 * raft ConfChanges carrying the {@code MemberRecord}.
 */
final class MembershipChanges {
  private static final Logger log = LoggerFactory.getLogger(MembershipChanges.class);

  /** etcd's readyPercent: a learner is promoted only once this close to the leader's log. */
  private static final double LEARNER_READY_PERCENT = 0.9;

  private final MemberState state;
  private final RequestIds ids;
  private final RaftLoop raft;
  private final Transport transport;
  private final long memberId;
  private final LongSupplier leader;
  private final Function<ConfChange.Builder, CompletableFuture<Boolean>> proposeConfChange;
  private final Supplier<MemberListResponse> memberList;
  private final LongFunction<ResponseHeader> header;
  private final long requestTimeoutNanos;

  MembershipChanges(
      MemberState state,
      RequestIds ids,
      RaftLoop raft,
      Transport transport,
      long memberId,
      LongSupplier leader,
      Function<ConfChange.Builder, CompletableFuture<Boolean>> proposeConfChange,
      Supplier<MemberListResponse> memberList,
      LongFunction<ResponseHeader> header,
      Duration requestTimeout) {
    this.state = state;
    this.ids = ids;
    this.raft = raft;
    this.transport = transport;
    this.memberId = memberId;
    this.leader = leader;
    this.proposeConfChange = proposeConfChange;
    this.memberList = memberList;
    this.header = header;
    this.requestTimeoutNanos = requestTimeout.toNanos();
  }

  /**
   * Adds a member (etcd's AddMember): its id from its peer URLs and the time, as etcd; checked now,
   * and again when applied.
   */
  CompletableFuture<MemberAddResponse> add(List<String> peerUrls, boolean learner) {
    List<String> sorted;
    try {
      sorted = Membership.checkedUrls(peerUrls);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(ServerError.MEMBER_BAD_URLS.exception());
    }
    MemberRecord member =
        MemberRecord.newBuilder()
            .setId(
                MemberIdentity.memberId(
                    sorted, Long.toString(System.currentTimeMillis() / 1000) + ids.next()))
            .addAllPeerUrls(sorted)
            .setIsLearner(learner)
            .build();
    ConfChange.Builder change =
        ConfChange.newBuilder()
            .setType(
                learner
                    ? ConfChangeType.CONF_CHANGE_ADD_LEARNER_NODE
                    : ConfChangeType.CONF_CHANGE_ADD_NODE)
            .setNodeId(member.getId())
            .setContext(member.toByteString());
    return changeMembership(
            change,
            member,
            () ->
                learner || Membership.readyToAddVoter(state.cluster())
                    ? Optional.empty()
                    : Optional.of(ServerError.MEMBER_NOT_ENOUGH_STARTED))
        .thenApply(
            members ->
                MemberAddResponse.newBuilder()
                    .setHeader(header.apply(0))
                    .setMember(toMember(member))
                    .addAllMembers(members)
                    .build());
  }

  CompletableFuture<MemberRemoveResponse> remove(long id) {
    ConfChange.Builder change =
        ConfChange.newBuilder().setType(ConfChangeType.CONF_CHANGE_REMOVE_NODE).setNodeId(id);
    return changeMembership(change, MemberRecord.getDefaultInstance(), () -> removalRefusal(id))
        .thenApply(
            members ->
                MemberRemoveResponse.newBuilder()
                    .setHeader(header.apply(0))
                    .addAllMembers(members)
                    .build());
  }

  CompletableFuture<MemberUpdateResponse> update(long id, List<String> peerUrls) {
    List<String> sorted;
    try {
      sorted = Membership.checkedUrls(peerUrls);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(ServerError.MEMBER_BAD_URLS.exception());
    }
    MemberRecord member = MemberRecord.newBuilder().setId(id).addAllPeerUrls(sorted).build();
    ConfChange.Builder change =
        ConfChange.newBuilder()
            .setType(ConfChangeType.CONF_CHANGE_UPDATE_NODE)
            .setNodeId(id)
            .setContext(member.toByteString());
    return changeMembership(change, member, Optional::empty)
        .thenApply(
            members ->
                MemberUpdateResponse.newBuilder()
                    .setHeader(header.apply(0))
                    .addAllMembers(members)
                    .build());
  }

  /**
   * Promotes a learner that has caught up (etcd: its match index at least 90% of the leader's).
   * Only the leader knows the progress: a follower hands the request to it.
   */
  CompletableFuture<MemberPromoteResponse> promote(long id) {
    Optional<MemberRecord> member = Membership.find(state.cluster(), id);
    if (member.isEmpty()) {
      return CompletableFuture.failedFuture(ServerError.MEMBER_NOT_FOUND.exception());
    }
    if (!member.get().getIsLearner()) {
      return CompletableFuture.failedFuture(ServerError.MEMBER_NOT_LEARNER.exception());
    }
    long lead = leader.getAsLong();
    if (lead == 0) {
      return CompletableFuture.failedFuture(ServerError.NO_LEADER.exception());
    }
    if (lead != memberId) {
      return transport
          .memberPromote(lead, MemberPromoteRequest.newBuilder().setID(id).build())
          .exceptionallyCompose(f -> CompletableFuture.failedFuture(ServerError.fromPeer(f)));
    }
    return raft.call(RawNode::status)
        .thenCompose(
            status -> {
              ProgressView learner = status.progress().get(id);
              ProgressView self = status.progress().get(memberId);
              if (learner == null
                  || self == null
                  || learner.match() < self.match() * LEARNER_READY_PERCENT) {
                return CompletableFuture.failedFuture(ServerError.LEARNER_NOT_READY.exception());
              }
              MemberRecord promoted = member.get().toBuilder().setIsLearner(false).build();
              return changeMembership(
                  ConfChange.newBuilder()
                      .setType(ConfChangeType.CONF_CHANGE_ADD_NODE)
                      .setNodeId(id)
                      .setContext(promoted.toByteString()),
                  promoted,
                  Optional::empty);
            })
        .thenApply(
            members ->
                MemberPromoteResponse.newBuilder()
                    .setHeader(header.apply(0))
                    .addAllMembers(members)
                    .build());
  }

  /**
   * etcd's strict reconfiguration checks on removing a member (mayRemoveMember, with
   * --strict-reconfig-check on, its default); none for a learner.
   */
  private Optional<ServerError> removalRefusal(long id) {
    ClusterState cluster = state.cluster();
    if (Membership.find(cluster, id).map(MemberRecord::getIsLearner).orElse(false)) {
      return Optional.empty();
    }
    if (!Membership.readyToRemoveVoter(cluster, id)) {
      return Optional.of(ServerError.MEMBER_NOT_ENOUGH_STARTED);
    }
    if (!Membership.removalKeepsActiveQuorum(cluster, memberId, id, transport::activeFor)) {
      log.warn(
          "refusing to remove member {}: without it, the members this one has been connected to"
              + " for {} s are short of a quorum",
          Long.toHexString(id),
          Membership.HEALTH_INTERVAL.toSeconds());
      return Optional.of(ServerError.UNHEALTHY);
    }
    return Optional.empty();
  }

  private CompletableFuture<List<Member>> changeMembership(
      ConfChange.Builder change, MemberRecord member, Supplier<Optional<ServerError>> strict) {
    return changeMembership(change, member, strict, System.nanoTime() + requestTimeoutNanos);
  }

  /**
   * Proposes a membership change once it passes the checks it will pass again when applied, and
   * etcd's strict reconfiguration checks ({@code strict}); completes with the members after it. A
   * change the leader's raft refused because another one was pending is checked and proposed again
   * until {@code deadline} (System.nanoTime), then times out.
   */
  private CompletableFuture<List<Member>> changeMembership(
      ConfChange.Builder change,
      MemberRecord member,
      Supplier<Optional<ServerError>> strict,
      long deadline) {
    Optional<ServerError> refusal =
        Membership.refusal(state.cluster(), change.build(), member).or(strict);
    if (refusal.isPresent()) {
      return CompletableFuture.failedFuture(refusal.get().exception());
    }
    return proposeConfChange
        .apply(change)
        .thenCompose(
            applied -> {
              if (applied) {
                return CompletableFuture.completedFuture(memberList.get().getMembersList());
              }
              if (System.nanoTime() - deadline >= 0) {
                return CompletableFuture.failedFuture(ServerError.TIMEOUT.exception());
              }
              log.info(
                  "{} of member {} refused by raft while another change was pending: proposing"
                      + " it again",
                  change.getType(),
                  Long.toHexString(change.getNodeId()));
              return changeMembership(change, member, strict, deadline);
            });
  }

  static Member toMember(MemberRecord m) {
    return Member.newBuilder()
        .setID(m.getId())
        .setName(m.getName())
        .addAllPeerURLs(m.getPeerUrlsList())
        .addAllClientURLs(m.getClientUrlsList())
        .setIsLearner(m.getIsLearner())
        .build();
  }
}
