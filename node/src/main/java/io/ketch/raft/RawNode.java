package io.ketch.raft;

import com.google.protobuf.ByteString;
import io.ketch.raft.pb.ConfChange;
import io.ketch.raft.pb.ConfChangeV2;
import io.ketch.raft.pb.ConfState;
import io.ketch.raft.pb.Entry;
import io.ketch.raft.pb.EntryType;
import io.ketch.raft.pb.HardState;
import io.ketch.raft.pb.Message;
import io.ketch.raft.pb.MessageType;
import io.ketch.raft.pb.Snapshot;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One Raft node, driven by its caller from a single thread: see the package documentation for the
 * Ready/advance contract. Not thread-safe.
 */
public final class RawNode {
  private static final Set<MessageType> LOCAL =
      EnumSet.of(
          MessageType.MSG_HUP,
          MessageType.MSG_BEAT,
          MessageType.MSG_UNREACHABLE,
          MessageType.MSG_SNAP_STATUS,
          MessageType.MSG_CHECK_QUORUM);
  private static final Set<MessageType> RESPONSES =
      EnumSet.of(
          MessageType.MSG_APP_RESP,
          MessageType.MSG_VOTE_RESP,
          MessageType.MSG_PRE_VOTE_RESP,
          MessageType.MSG_HEARTBEAT_RESP);

  private final Raft raft;
  private SoftState prevSoftState;
  private HardState prevHardState;

  /**
   * Restores a node from {@code config.storage()}: its HardState, configuration, snapshot and log.
   * A new cluster's members start from a storage whose configuration lists the initial voters (for
   * example {@code new MemoryStorage(confState)}); a joining member starts from an empty one and is
   * caught up by the leader.
   */
  public RawNode(Config config) {
    this.raft = new Raft(config);
    this.prevSoftState = raft.softState();
    this.prevHardState = raft.hardState();
  }

  /** Advances the logical clock by one tick: elections and heartbeats are counted in ticks. */
  public void tick() {
    raft.tick();
  }

  /** Starts an election now (a pre-election first when PreVote is on). */
  public void campaign() {
    raft.step(local(MessageType.MSG_HUP, raft.id).build());
  }

  /**
   * Proposes {@code data} to be appended to the log; it is committed and handed back in a Ready's
   * committed entries, or silently lost if leadership changes first (callers time out and retry).
   *
   * @throws ProposalDroppedException if it cannot be proposed now (see the exception)
   */
  public void propose(ByteString data) {
    propose(List.of(data));
  }

  /**
   * Proposes several entries at once, in this order, as one MSG_PROP: a leader appends them
   * together and sends them on in as few MSG_APP as its size and flow limits allow; a follower
   * forwards them in one message. They are proposed or dropped together.
   *
   * @throws IllegalArgumentException if {@code data} is empty
   * @throws ProposalDroppedException as for {@link #propose(ByteString)}, once for all of them
   */
  public void propose(List<ByteString> data) {
    if (data.isEmpty()) {
      throw new IllegalArgumentException("nothing to propose");
    }
    Message.Builder m = local(MessageType.MSG_PROP, raft.id);
    for (ByteString d : data) {
      m.addEntries(Entry.newBuilder().setType(EntryType.ENTRY_NORMAL).setData(d));
    }
    stepProposal(m.build());
  }

  /**
   * Proposes a configuration change. Only one may be pending at a time (thesis 4.1): like etcd, a
   * leader that still has an unapplied conf change (or whose joint state does not fit the change)
   * does not drop the proposal but appends it as an empty normal entry, so it commits without
   * effect and the application never sees it as a conf change.
   *
   * @throws ProposalDroppedException as for {@link #propose(ByteString)}
   */
  public void proposeConfChange(ConfChange cc) {
    proposeEntry(
        Entry.newBuilder().setType(EntryType.ENTRY_CONF_CHANGE).setData(cc.toByteString()).build());
  }

  /** As {@link #proposeConfChange(ConfChange)}; an empty change leaves a joint configuration. */
  public void proposeConfChange(ConfChangeV2 cc) {
    proposeEntry(
        Entry.newBuilder()
            .setType(EntryType.ENTRY_CONF_CHANGE_V2)
            .setData(cc.toByteString())
            .build());
  }

  private void proposeEntry(Entry e) {
    stepProposal(local(MessageType.MSG_PROP, raft.id).addEntries(e).build());
  }

  private void stepProposal(Message m) {
    if (raft.step(m) == Raft.Outcome.DROPPED) {
      throw new ProposalDroppedException(raft.dropReason());
    }
  }

  /**
   * Hands a message from a peer to the node. Messages from peers outside the configuration that
   * answer something this node asked are ignored; so are forwarded proposals this leader drops.
   *
   * @throws IllegalArgumentException if {@code m} is of a local type (MSG_HUP, MSG_BEAT,
   *     MSG_UNREACHABLE, MSG_SNAP_STATUS, MSG_CHECK_QUORUM), which only the node makes itself
   */
  public void step(Message m) {
    if (LOCAL.contains(m.getType())) {
      throw new IllegalArgumentException("cannot step raft local message " + m.getType());
    }
    if (RESPONSES.contains(m.getType()) && !raft.trk.progress.containsKey(m.getFrom())) {
      return;
    }
    raft.step(m);
  }

  /** Whether {@link #ready} has anything to hand out. */
  public boolean hasReady() {
    return raft.softStateDiffers(prevSoftState)
        || raft.hardStateDiffers(prevHardState)
        || raft.raftLog.unstable.snapshot != null
        || !raft.msgs.isEmpty()
        || !raft.raftLog.unstableEntries().isEmpty()
        || raft.raftLog.hasNextCommittedEntries()
        || !raft.readStates.isEmpty();
  }

  /**
   * What to persist, send and apply next. The caller must handle it and call {@link #advance} with
   * it before calling {@code ready()} again.
   */
  public Ready ready() {
    boolean ssChanged = raft.softStateDiffers(prevSoftState);
    boolean hsChanged = raft.hardStateDiffers(prevHardState);
    SoftState ss = ssChanged ? raft.softState() : null;
    HardState hs = hsChanged ? raft.hardState() : null;
    List<Entry> entries = List.copyOf(raft.raftLog.unstableEntries());
    Snapshot snapshot = raft.raftLog.unstable.snapshot;
    List<Entry> committed = raft.raftLog.nextCommittedEntries();
    boolean mustSync =
        !entries.isEmpty()
            || snapshot != null
            || (hsChanged
                && (hs.getTerm() != prevHardState.getTerm()
                    || hs.getVote() != prevHardState.getVote()));
    Ready rd =
        new Ready(ss, hs, raft.readStates, entries, snapshot, committed, raft.msgs, mustSync);
    raft.msgs = new ArrayList<>();
    raft.readStates = new ArrayList<>();
    if (ssChanged) {
      prevSoftState = ss;
    }
    if (hsChanged) {
      prevHardState = hs;
    }
    if (!committed.isEmpty()) {
      raft.raftLog.applyingTo(committed.get(committed.size() - 1).getIndex());
    }
    return rd;
  }

  /**
   * Tells the node that {@code rd} has been persisted and applied. A leader counts its own new
   * entries towards commitment only now, so nothing is committed on the strength of a write that
   * has not reached its disk.
   */
  public void advance(Ready rd) {
    if (rd.snapshot() != null) {
      long index = rd.snapshot().getMetadata().getIndex();
      raft.raftLog.stableSnapTo(index);
      raft.appliedTo(index);
    }
    if (!rd.entries().isEmpty()) {
      Entry last = rd.entries().get(rd.entries().size() - 1);
      raft.raftLog.stableTo(last.getIndex(), last.getTerm());
      if (raft.raftLog.matchTerm(last.getIndex(), last.getTerm())) {
        raft.selfAcknowledge(last.getIndex());
      }
    }
    if (!rd.committedEntries().isEmpty()) {
      raft.reduceUncommittedSize(rd.committedEntries());
      raft.appliedTo(rd.committedEntries().get(rd.committedEntries().size() - 1).getIndex());
    }
  }

  /**
   * Applies a committed conf change to the node's configuration; the application calls it when it
   * applies the entry, before {@link #advance}. Returns the new configuration, to be stored with
   * the application state (and in snapshots).
   *
   * @throws IllegalArgumentException if the change is invalid for the current configuration (the
   *     application should have checked it before proposing)
   */
  public ConfState applyConfChange(ConfChangeV2 cc) {
    return raft.applyConfChange(cc);
  }

  /** As {@link #applyConfChange(ConfChangeV2)}, for a change of one node. */
  public ConfState applyConfChange(ConfChange cc) {
    return raft.applyConfChange(Raft.toV2(cc));
  }

  /**
   * Asks the leader to hand leadership to {@code transferee} (thesis 3.10): it catches the
   * transferee up, then tells it to campaign at once. Proposals are dropped meanwhile; the transfer
   * is abandoned after an election timeout, and ignored for this node itself or a learner.
   */
  public void transferLeadership(long transferee) {
    raft.step(local(MessageType.MSG_TRANSFER_LEADER, transferee).build());
  }

  /**
   * Requests a read index (thesis 6.4): the answer arrives as a {@link ReadState} with the same
   * {@code requestContext} in a later Ready, once this node's leader has confirmed it still leads.
   * The context must be non-empty and unique among outstanding requests. Without a known leader the
   * request is dropped silently: the caller times out and retries.
   */
  public void readIndex(ByteString requestContext) {
    raft.step(local(MessageType.MSG_READ_INDEX, Raft.NONE).setContext(requestContext).build());
  }

  /** The transport could not reach {@code id}: stop streaming to it and probe instead. */
  public void reportUnreachable(long id) {
    raft.step(local(MessageType.MSG_UNREACHABLE, id).build());
  }

  /** How sending a snapshot to {@code id} went; either way the leader goes back to probing it. */
  public void reportSnapshot(long id, boolean failed) {
    raft.step(local(MessageType.MSG_SNAP_STATUS, id).setReject(failed).build());
  }

  public Status status() {
    Map<Long, ProgressView> progress = new LinkedHashMap<>();
    if (raft.state == StateRole.LEADER) {
      raft.trk.progress.forEach((peer, pr) -> progress.put(peer, pr.view()));
    }
    return new Status(
        raft.id,
        raft.term,
        raft.vote,
        raft.raftLog.committed,
        raft.raftLog.applied,
        raft.lead,
        raft.state,
        Map.copyOf(progress),
        raft.trk.confState(),
        raft.leadTransferee);
  }

  /** The state machine itself, for this package's tests. */
  Raft raft() {
    return raft;
  }

  private static Message.Builder local(MessageType type, long from) {
    return Message.newBuilder().setType(type).setFrom(from);
  }
}
