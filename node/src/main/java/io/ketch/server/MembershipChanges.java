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
import io.ketch.server.pb.MemberRecord;
import io.ketch.transport.Transport;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The membership operations a client asks for (MemberAdd, MemberRemove, MemberUpdate,
 * MemberPromote): checked against the applied membership ({@link Membership}), then proposed as
 * raft ConfChanges carrying the {@code MemberRecord}.
 */
final class MembershipChanges {
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

  MembershipChanges(
      MemberState state,
      RequestIds ids,
      RaftLoop raft,
      Transport transport,
      long memberId,
      LongSupplier leader,
      Function<ConfChange.Builder, CompletableFuture<Boolean>> proposeConfChange,
      Supplier<MemberListResponse> memberList,
      LongFunction<ResponseHeader> header) {
    this.state = state;
    this.ids = ids;
    this.raft = raft;
    this.transport = transport;
    this.memberId = memberId;
    this.leader = leader;
    this.proposeConfChange = proposeConfChange;
    this.memberList = memberList;
    this.header = header;
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
    return changeMembership(change, member, learner || Membership.readyToAddVoter(state.cluster()))
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
    boolean learner =
        Membership.find(state.cluster(), id).map(MemberRecord::getIsLearner).orElse(false);
    return changeMembership(
            change,
            MemberRecord.getDefaultInstance(),
            learner || Membership.readyToRemoveVoter(state.cluster(), id))
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
    return changeMembership(change, member, true)
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
                  true);
            })
        .thenApply(
            members ->
                MemberPromoteResponse.newBuilder()
                    .setHeader(header.apply(0))
                    .addAllMembers(members)
                    .build());
  }

  /**
   * Proposes a membership change once it passes the checks it will pass again when applied, and
   * etcd's strict reconfiguration check ({@code enoughStarted}); completes with the members after
   * it.
   */
  private CompletableFuture<List<Member>> changeMembership(
      ConfChange.Builder change, MemberRecord member, boolean enoughStarted) {
    Optional<ServerError> refusal =
        Membership.refusal(state.cluster(), change.build(), member)
            .or(
                () ->
                    enoughStarted
                        ? Optional.empty()
                        : Optional.of(ServerError.MEMBER_NOT_ENOUGH_STARTED));
    if (refusal.isPresent()) {
      return CompletableFuture.failedFuture(refusal.get().exception());
    }
    return proposeConfChange.apply(change).thenApply(ok -> memberList.get().getMembersList());
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
