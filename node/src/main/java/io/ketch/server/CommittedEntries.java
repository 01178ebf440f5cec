package io.ketch.server;

import com.google.protobuf.InvalidProtocolBufferException;
import io.ketch.mvcc.KvStore;
import io.ketch.raft.Ready;
import io.ketch.raft.pb.ConfChange;
import io.ketch.raft.pb.ConfChangeType;
import io.ketch.raft.pb.ConfState;
import io.ketch.raft.pb.Entry;
import io.ketch.raft.pb.EntryType;
import io.ketch.raft.pb.Snapshot;
import io.ketch.server.config.ServerConfig;
import io.ketch.server.metrics.Metrics;
import io.ketch.server.pb.ClusterState;
import io.ketch.server.pb.InternalRequest;
import io.ketch.server.pb.MemberRecord;
import io.ketch.server.pb.RefusedConfChange;
import io.ketch.server.pb.StateSnapshot;
import io.ketch.transport.Transport;
import java.io.IOException;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies what raft committed, on the apply thread only: the leader's snapshot, normal entries and
 * membership changes, in log order; and takes a snapshot every {@code snapshotCount} entries.
 */
final class CommittedEntries {
  private static final Logger log = LoggerFactory.getLogger(CommittedEntries.class);

  private final ServerConfig config;
  private final long memberId;
  private final MemberState state;
  private final AppliedIndex applied;
  private final Waiters waiters;
  private final RaftLoop raft;
  private final Snapshotter snapshotter;
  private final Transport transport;
  private final Metrics metrics;
  private final Runnable removed;
  private final long requestTimeoutMillis;

  private ConfState confState;
  private long snapshotIndex;
  private long appliedTerm;
  // A member was added: the next snapshot must include it (raft ignores a snapshot without it).
  private boolean forceSnapshot;

  /** {@code removed} runs when the log removes this member. */
  CommittedEntries(
      ServerConfig config,
      long memberId,
      MemberState state,
      AppliedIndex applied,
      Waiters waiters,
      RaftLoop raft,
      Snapshotter snapshotter,
      Transport transport,
      Metrics metrics,
      Runnable removed,
      StateSnapshot start,
      ConfState confState) {
    this.config = config;
    this.memberId = memberId;
    this.state = state;
    this.applied = applied;
    this.waiters = waiters;
    this.raft = raft;
    this.snapshotter = snapshotter;
    this.transport = transport;
    this.metrics = metrics;
    this.removed = removed;
    this.requestTimeoutMillis = config.requestTimeout().toMillis();
    this.snapshotIndex = start.getAppliedIndex();
    this.appliedTerm = start.getAppliedTerm();
    this.confState = confState;
  }

  /** The term of the last applied entry. */
  long appliedTerm() {
    return appliedTerm;
  }

  ConfState confState() {
    return confState;
  }

  void apply(Ready ready) {
    if (ready.snapshot() != null && ready.snapshot().getMetadata().getIndex() > applied.get()) {
      installSnapshot(ready.snapshot());
    }
    long last = applied.get();
    for (Entry entry : ready.committedEntries()) {
      if (entry.getIndex() <= last) {
        continue;
      }
      if (entry.getType() == EntryType.ENTRY_NORMAL) {
        applyNormal(entry);
      } else {
        applyConfChange(entry);
      }
      last = entry.getIndex();
      appliedTerm = entry.getTerm();
    }
    applied.advance(last);
    KvStore store = state.store();
    metrics.setProposalsApplied(last);
    metrics.setDbTotalSizeBytes(store.totalBytes());
    metrics.setDbTotalSizeInUseBytes(store.inUseBytes());
    metrics.setKeysTotal(store.keyCount());
    long at = last;
    if ((forceSnapshot || at - snapshotIndex >= config.snapshotCount())
        && snapshotter.offer(() -> state.captureSnapshot(at, appliedTerm), confState)) {
      // Written in the background; while it is, the next applies ask again.
      forceSnapshot = false;
      snapshotIndex = at;
    }
  }

  /** Points the transport at every other member of {@code cluster}, and at nobody else. */
  void syncPeers(ClusterState cluster) {
    Set<Long> ids = new HashSet<>();
    for (MemberRecord m : cluster.getMembersList()) {
      ids.add(m.getId());
      transport.setPeer(m.getId(), m.getPeerUrlsList());
    }
    for (long gone : cluster.getRemovedIdsList()) {
      if (!ids.contains(gone)) {
        transport.removePeer(gone);
      }
    }
  }

  /**
   * A follower far behind gets the leader's whole state: replaced in place (watchers resync from
   * the new history), with the membership it carries.
   */
  private void installSnapshot(Snapshot snapshot) {
    StateSnapshot data;
    try {
      data = MemberState.parseSnapshot(snapshot.getData());
    } catch (IOException e) {
      throw new IllegalStateException("unreadable snapshot from the leader", e);
    }
    long index = snapshot.getMetadata().getIndex();
    log.info("installing the leader's snapshot at index {}", index);
    state.restoreInPlace(data);
    confState = snapshot.getMetadata().getConfState();
    snapshotIndex = index;
    appliedTerm = snapshot.getMetadata().getTerm();
    applied.advance(index);
    syncPeers(state.cluster());
  }

  private void applyNormal(Entry entry) {
    if (entry.getData().isEmpty()) {
      return; // a new leader's empty entry
    }
    InternalRequest request;
    try {
      request = InternalRequest.parseFrom(entry.getData());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("unreadable entry at index " + entry.getIndex(), e);
    }
    if (request.hasRefusedConfChange()) {
      waiters.complete(request.getId(), Boolean.FALSE); // not applied: the proposer may retry
      return;
    }
    Object result;
    try {
      result = state.apply(request, entry.getIndex());
    } catch (RuntimeException e) {
      result = e;
    }
    waiters.complete(request.getId(), result);
  }

  /**
   * What the leader's raft appends in place of a conf change it refuses because another one is
   * pending ({@link io.ketch.raft.Config#refusedConfChange}): a normal entry with the change's
   * waiter id, so that its proposer, on whichever member, hears that it had no effect instead of
   * waiting for an entry that never comes (etcd's proposer waits until its client gives up).
   */
  static Entry refusedConfChange(Entry refused) {
    if (refused.getType() != EntryType.ENTRY_CONF_CHANGE) {
      return Entry.getDefaultInstance(); // a ConfChangeV2, which this member never proposes
    }
    long id;
    try {
      id = ConfChange.parseFrom(refused.getData()).getId();
    } catch (InvalidProtocolBufferException e) {
      return Entry.getDefaultInstance();
    }
    InternalRequest request =
        InternalRequest.newBuilder()
            .setId(id)
            .setRefusedConfChange(RefusedConfChange.getDefaultInstance())
            .build();
    return Entry.newBuilder()
        .setType(EntryType.ENTRY_NORMAL)
        .setData(request.toByteString())
        .build();
  }

  /**
   * Applies a membership change: checked again against the membership as applied (the log decided
   * the order), then handed to raft, the membership and the transport. A refused change leaves
   * everything as it was and fails its proposer's request.
   */
  private void applyConfChange(Entry entry) {
    ConfChange change;
    MemberRecord member;
    try {
      change = ConfChange.parseFrom(entry.getData());
      member =
          change.getContext().isEmpty()
              ? MemberRecord.getDefaultInstance()
              : MemberRecord.parseFrom(change.getContext());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("unreadable conf change at index " + entry.getIndex(), e);
    }
    Optional<ServerError> refusal = Membership.refusal(state.cluster(), change, member);
    if (refusal.isPresent()) {
      waiters.complete(change.getId(), refusal.get().exception());
      return;
    }
    try {
      confState =
          raft.call(node -> node.applyConfChange(change))
              .get(requestTimeoutMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("stopped while applying a conf change", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("raft refused conf change " + entry.getIndex(), e);
    }
    state.setCluster(Membership.apply(state.cluster(), change, member));
    syncPeers(state.cluster());
    if (change.getType() == ConfChangeType.CONF_CHANGE_ADD_NODE
        || change.getType() == ConfChangeType.CONF_CHANGE_ADD_LEARNER_NODE) {
      forceSnapshot = true;
    }
    log.info(
        "applied {} of member {} at index {}",
        change.getType(),
        Long.toHexString(change.getNodeId()),
        entry.getIndex());
    // Answered first: a member asked to remove itself says it did, then stops.
    waiters.complete(change.getId(), Boolean.TRUE);
    if (change.getType() == ConfChangeType.CONF_CHANGE_REMOVE_NODE
        && change.getNodeId() == memberId) {
      removed.run();
    }
  }
}
