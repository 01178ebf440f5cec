package io.ketch.raft;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.ketch.raft.pb.ConfChange;
import io.ketch.raft.pb.ConfChangeSingle;
import io.ketch.raft.pb.ConfChangeTransition;
import io.ketch.raft.pb.ConfChangeV2;
import io.ketch.raft.pb.ConfState;
import io.ketch.raft.pb.Entry;
import io.ketch.raft.pb.EntryType;
import io.ketch.raft.pb.HardState;
import io.ketch.raft.pb.Message;
import io.ketch.raft.pb.MessageType;
import io.ketch.raft.pb.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The algorithm: one node's state and its reaction to each message. {@link #step} checks the
 * message's term once (paper Figure 2, "All Servers"), then dispatches on the role. Outgoing
 * messages collect in {@link #msgs} until the next Ready.
 */
final class Raft {
  static final long NONE = 0;

  /** Marks a vote request of an election started by MSG_TIMEOUT_NOW (leadership transfer). */
  static final ByteString CAMPAIGN_TRANSFER = ByteString.copyFromUtf8("CampaignTransfer");

  enum CampaignType {
    PRE_ELECTION,
    ELECTION,
    TRANSFER
  }

  /** How a step ended, for the caller to turn into an exception where the API asks for it. */
  enum Outcome {
    OK,
    DROPPED
  }

  final long id;
  long term;
  long vote;
  long lead;
  StateRole state;
  boolean learner;

  final RaftLog raftLog;
  ProgressTracker trk;
  final ReadOnly readOnly = new ReadOnly();
  List<Message> msgs = new ArrayList<>();
  List<ReadState> readStates = new ArrayList<>();

  /** ReadIndex requests held until this leader has committed an entry of its term. */
  private final List<Message> pendingReadIndexMessages = new ArrayList<>();

  long leadTransferee;

  /**
   * The index of the last conf change this leader may have appended but not applied; a new one is
   * accepted only once it is applied (one pending change at a time, thesis 4.1).
   */
  long pendingConfIndex;

  /** Payload bytes of this leader's uncommitted entries. */
  long uncommittedSize;

  private final Config config;
  private final int electionTimeout;
  private final int heartbeatTimeout;
  int randomizedElectionTimeout;
  int electionElapsed;
  private int heartbeatElapsed;
  private String dropReason;

  /** A removed leader's hand-over condition held at the previous election-timeout boundary. */
  private boolean handedOver;

  Raft(Config c) {
    this.config = c;
    this.id = c.id();
    this.electionTimeout = c.electionTick();
    this.heartbeatTimeout = c.heartbeatTick();
    this.raftLog = new RaftLog(c.storage(), c.committedSizePerReady());
    Storage.InitialState init = c.storage().initialState();
    this.trk = new ProgressTracker(c.maxInflightMsgs(), c.maxInflightBytes());
    ConfChanger.Result restored = ConfChanger.restore(trk, raftLog.lastIndex(), init.confState());
    switchToConfig(restored);
    HardState hs = init.hardState();
    if (!hs.equals(HardState.getDefaultInstance())) {
      if (hs.getCommit() < raftLog.committed || hs.getCommit() > raftLog.lastIndex()) {
        throw new IllegalStateException(
            "commit "
                + hs.getCommit()
                + " is out of range ["
                + raftLog.committed
                + ", "
                + raftLog.lastIndex()
                + "]");
      }
      raftLog.committed = hs.getCommit();
      term = hs.getTerm();
      vote = hs.getVote();
    }
    if (c.applied() > 0) {
      raftLog.appliedTo(Math.max(c.applied(), raftLog.applied));
    }
    becomeFollower(term, NONE);
  }

  SoftState softState() {
    return new SoftState(lead, state);
  }

  HardState hardState() {
    return HardState.newBuilder().setTerm(term).setVote(vote).setCommit(raftLog.committed).build();
  }

  // The raft thread asks these on every turn of its loop: they compare without building a state.

  /** Whether {@link #softState()} differs from {@code prev}. */
  boolean softStateDiffers(SoftState prev) {
    return lead != prev.leader() || state != prev.role();
  }

  /** Whether {@link #hardState()} is set (not all zero) and differs from {@code prev}. */
  boolean hardStateDiffers(HardState prev) {
    long commit = raftLog.committed;
    return (term != 0 || vote != 0 || commit != 0)
        && (term != prev.getTerm() || vote != prev.getVote() || commit != prev.getCommit());
  }

  // ---- sending ----

  private void send(Message.Builder m) {
    if (m.getFrom() == NONE) {
      m.setFrom(id);
    }
    MessageType t = m.getType();
    if (t == MessageType.MSG_VOTE
        || t == MessageType.MSG_VOTE_RESP
        || t == MessageType.MSG_PRE_VOTE
        || t == MessageType.MSG_PRE_VOTE_RESP) {
      if (m.getTerm() == 0) {
        throw new IllegalStateException("term should be set when sending " + t);
      }
    } else if (t != MessageType.MSG_PROP && t != MessageType.MSG_READ_INDEX) {
      // Proposals and read requests are forwarded with term 0: they are not bound to a term.
      m.setTerm(term);
    }
    msgs.add(m.build());
  }

  private static Message.Builder msg(MessageType type, long to) {
    return Message.newBuilder().setType(type).setTo(to);
  }

  /** Sends a MSG_APP (or MSG_SNAP) to {@code to} if it is not paused; false if nothing was sent. */
  private boolean maybeSendAppend(long to, boolean sendIfEmpty) {
    Progress pr = trk.progress.get(to);
    if (pr.isPaused()) {
      return false;
    }
    long prevIndex = pr.next - 1;
    long prevTerm;
    List<Entry> ents;
    try {
      prevTerm = raftLog.term(prevIndex);
      // A full window sends no entries, only an empty MSG_APP when asked to: if every message
      // in it was lost, its acknowledgement or rejection is what clears the window.
      boolean throttled = pr.state == Progress.State.REPLICATE && pr.inflights.full();
      ents = throttled ? List.of() : raftLog.entries(pr.next, config.maxSizePerMsg());
    } catch (Storage.CompactedException | Storage.UnavailableException e) {
      return sendSnapshot(to, pr);
    }
    if (prevIndex > 0 && prevTerm == 0) {
      // Below the first index: only a snapshot can catch this follower up.
      return sendSnapshot(to, pr);
    }
    if (ents.isEmpty() && !sendIfEmpty) {
      return false;
    }
    send(
        msg(MessageType.MSG_APP, to)
            .setIndex(prevIndex)
            .setLogTerm(prevTerm)
            .addAllEntries(ents)
            .setCommit(raftLog.committed));
    pr.sentEntries(ents.size(), payloadSize(ents));
    return true;
  }

  private boolean sendSnapshot(long to, Progress pr) {
    if (!pr.recentActive) {
      // Do not send a (large) snapshot to a follower that may be down.
      return false;
    }
    Snapshot snap;
    try {
      snap = raftLog.snapshot();
    } catch (Storage.SnapshotTemporarilyUnavailableException e) {
      return false;
    }
    if (snap.getMetadata().getIndex() == 0) {
      throw new IllegalStateException("need a non-empty snapshot to catch up " + to);
    }
    pr.becomeSnapshot(snap.getMetadata().getIndex());
    send(msg(MessageType.MSG_SNAP, to).setSnapshot(snap));
    return true;
  }

  /** Sends {@code to} as many MSG_APP with entries as its flow control lets through now. */
  private void fillWindow(long to) {
    while (maybeSendAppend(to, false)) {}
  }

  private void sendAppend(long to) {
    maybeSendAppend(to, true);
  }

  void bcastAppend() {
    for (long peer : trk.progress.keySet()) {
      if (peer != id) {
        sendAppend(peer);
      }
    }
  }

  private void bcastHeartbeat(ByteString context) {
    for (var e : trk.progress.entrySet()) {
      if (e.getKey() != id) {
        // Never tell a follower to commit beyond what it is known to have (it might not).
        long commit = Math.min(e.getValue().match, raftLog.committed);
        send(msg(MessageType.MSG_HEARTBEAT, e.getKey()).setCommit(commit).setContext(context));
      }
    }
  }

  // ---- role changes ----

  private void reset(long newTerm) {
    if (term != newTerm) {
      term = newTerm;
      vote = NONE;
    }
    lead = NONE;
    electionElapsed = 0;
    heartbeatElapsed = 0;
    randomizedElectionTimeout = electionTimeout + config.random().nextInt(electionTimeout);
    leadTransferee = NONE;
    trk.resetVotes();
    long last = raftLog.lastIndex();
    Map<Long, Progress> fresh = new java.util.TreeMap<>();
    trk.progress.forEach(
        (peer, old) -> {
          Progress pr =
              new Progress(0, last + 1, trk.maxInflight, trk.maxInflightBytes, old.learner);
          if (peer == id) {
            // Only what is on our own disk counts towards commitment; the rest is acknowledged
            // by advance() once persisted.
            pr.match = raftLog.stableLastIndex();
          }
          fresh.put(peer, pr);
        });
    trk.progress = fresh;
    pendingConfIndex = 0;
    uncommittedSize = 0;
    readOnly.clear();
    pendingReadIndexMessages.clear();
    handedOver = false;
  }

  void becomeFollower(long newTerm, long leader) {
    reset(newTerm);
    lead = leader;
    state = StateRole.FOLLOWER;
  }

  private void becomeCandidate() {
    if (state == StateRole.LEADER) {
      throw new IllegalStateException("invalid transition [leader -> candidate]");
    }
    reset(term + 1);
    vote = id;
    state = StateRole.CANDIDATE;
  }

  private void becomePreCandidate() {
    if (state == StateRole.LEADER) {
      throw new IllegalStateException("invalid transition [leader -> pre-candidate]");
    }
    // Neither the term nor the vote changes: a pre-election must leave no trace (thesis 9.6).
    trk.resetVotes();
    lead = NONE;
    state = StateRole.PRE_CANDIDATE;
  }

  private void becomeLeader() {
    if (state == StateRole.FOLLOWER) {
      throw new IllegalStateException("invalid transition [follower -> leader]");
    }
    reset(term);
    lead = id;
    state = StateRole.LEADER;
    Progress self = trk.progress.get(id);
    self.becomeReplicate();
    self.match = raftLog.stableLastIndex();
    self.recentActive = true;
    // Any uncommitted entry might be a conf change: accept none until they are all applied.
    pendingConfIndex = raftLog.lastIndex();
    // An entry of the new term commits the previous terms' entries (paper 5.4.2, 8) and lets
    // ReadIndex requests proceed. Its empty payload does not count towards uncommittedSize.
    if (!appendEntries(List.of(Entry.getDefaultInstance()))) {
      throw new IllegalStateException("empty entry was dropped");
    }
  }

  boolean promotable() {
    Progress pr = trk.progress.get(id);
    return pr != null && !pr.learner && !raftLog.hasNextOrInProgressSnapshot();
  }

  // ---- ticks ----

  void tick() {
    if (state == StateRole.LEADER) {
      tickHeartbeat();
    } else {
      tickElection();
    }
  }

  private void tickElection() {
    electionElapsed++;
    if (promotable() && electionElapsed >= randomizedElectionTimeout) {
      electionElapsed = 0;
      step(Message.newBuilder().setType(MessageType.MSG_HUP).setFrom(id).build());
    }
  }

  private void tickHeartbeat() {
    heartbeatElapsed++;
    electionElapsed++;
    if (electionElapsed >= electionTimeout) {
      electionElapsed = 0;
      boolean removedLeader = state == StateRole.LEADER && !isMember();
      if (removedLeader) {
        stepDownOnceHandedOver();
      } else if (config.checkQuorum()) {
        // A removed leader skips CheckQuorum: stepping down before the hand-over could leave the
        // remaining voters stuck in a joint configuration that needs its vote, which its longer
        // log would deny. Safety never rests on CheckQuorum; a newer leader still deposes it.
        step(Message.newBuilder().setType(MessageType.MSG_CHECK_QUORUM).setFrom(id).build());
      }
      // A transfer that did not finish within an election timeout is abandoned (thesis 3.10).
      if (state == StateRole.LEADER && leadTransferee != NONE) {
        leadTransferee = NONE;
      }
    }
    if (state != StateRole.LEADER) {
      return;
    }
    if (heartbeatElapsed >= heartbeatTimeout) {
      heartbeatElapsed = 0;
      step(Message.newBuilder().setType(MessageType.MSG_BEAT).setFrom(id).build());
    }
  }

  /** Whether this node is a voter of its current configuration. */
  private boolean isMember() {
    Progress self = trk.progress.get(id);
    return self != null && !self.learner;
  }

  /**
   * A leader whose removal (or demotion) is applied no longer takes proposals, but keeps leading
   * until every remaining voter has its whole log and has heard the commit index, then steps down
   * (thesis 4.2.2). Stepping down at once could strand the remaining voters in the old joint
   * configuration, unaware that leaving it committed, needing this node's vote that its longer log
   * would deny. The condition must hold over a whole election timeout, during which heartbeats
   * carried the final commit index and were answered.
   */
  private void stepDownOnceHandedOver() {
    boolean caughtUp = raftLog.committed == raftLog.lastIndex();
    for (long voter : trk.voterIds()) {
      Progress pr = trk.progress.get(voter);
      caughtUp &= pr.match == raftLog.lastIndex() && pr.recentActive;
    }
    if (caughtUp && handedOver) {
      becomeFollower(term, NONE);
      return;
    }
    handedOver = caughtUp;
    trk.progress.forEach(
        (peer, pr) -> {
          if (peer != id) {
            pr.recentActive = false;
          }
        });
  }

  // ---- elections ----

  private void hup(CampaignType type) {
    if (state == StateRole.LEADER || !promotable()) {
      return;
    }
    if (hasUnappliedConfChanges()) {
      // The configuration we would campaign in may be about to change.
      return;
    }
    campaign(type);
  }

  private boolean hasUnappliedConfChanges() {
    if (raftLog.applied >= raftLog.committed) {
      return false;
    }
    long lo = raftLog.applied + 1;
    long hi = raftLog.committed + 1;
    while (lo < hi) {
      List<Entry> ents = raftLog.slice(lo, hi, config.committedSizePerReady());
      for (Entry e : ents) {
        if (e.getType() != EntryType.ENTRY_NORMAL) {
          return true;
        }
      }
      lo += ents.size();
    }
    return false;
  }

  void campaign(CampaignType type) {
    if (!promotable()) {
      return;
    }
    MessageType voteMsg;
    long voteTerm;
    if (type == CampaignType.PRE_ELECTION) {
      becomePreCandidate();
      voteMsg = MessageType.MSG_PRE_VOTE;
      // A pre-vote asks "would you vote for me in the next term?" without raising ours.
      voteTerm = term + 1;
    } else {
      becomeCandidate();
      voteMsg = MessageType.MSG_VOTE;
      voteTerm = term;
    }
    if (poll(id, true) == ProgressTracker.VoteResult.WON) {
      // A single-voter cluster wins at once.
      if (type == CampaignType.PRE_ELECTION) {
        campaign(CampaignType.ELECTION);
      } else {
        becomeLeader();
      }
      return;
    }
    long lastIndex = raftLog.lastIndex();
    long lastTerm = raftLog.lastTerm();
    for (long voter : trk.voterIds()) {
      if (voter == id) {
        continue;
      }
      Message.Builder m =
          msg(voteMsg, voter).setTerm(voteTerm).setIndex(lastIndex).setLogTerm(lastTerm);
      if (type == CampaignType.TRANSFER) {
        m.setContext(CAMPAIGN_TRANSFER);
      }
      send(m);
    }
  }

  private ProgressTracker.VoteResult poll(long from, boolean granted) {
    trk.recordVote(from, granted);
    return trk.tallyVotes();
  }

  // ---- the message dispatcher ----

  Outcome step(Message m) {
    dropReason = null;
    if (m.getTerm() == 0) {
      // Local message (or a forwarded proposal / read request): no term to compare.
    } else if (m.getTerm() > term) {
      if (m.getType() == MessageType.MSG_VOTE || m.getType() == MessageType.MSG_PRE_VOTE) {
        boolean force = m.getContext().equals(CAMPAIGN_TRANSFER);
        boolean inLease = config.checkQuorum() && lead != NONE && electionElapsed < electionTimeout;
        if (!force && inLease) {
          // We heard from a live leader within the minimum election timeout: a disruptive
          // (possibly removed or partitioned) candidate is ignored (thesis 4.2.3, 6.2).
          return Outcome.OK;
        }
      }
      if (m.getType() == MessageType.MSG_PRE_VOTE) {
        // Never change our term in response to a pre-vote.
      } else if (m.getType() == MessageType.MSG_PRE_VOTE_RESP && !m.getReject()) {
        // A granted pre-vote carries the term we asked about; we raise ours once we win.
      } else if (m.getType() == MessageType.MSG_APP
          || m.getType() == MessageType.MSG_HEARTBEAT
          || m.getType() == MessageType.MSG_SNAP) {
        becomeFollower(m.getTerm(), m.getFrom());
      } else {
        becomeFollower(m.getTerm(), NONE);
      }
    } else if (m.getTerm() < term) {
      if ((config.checkQuorum() || config.preVote())
          && (m.getType() == MessageType.MSG_HEARTBEAT || m.getType() == MessageType.MSG_APP)) {
        // A stale leader that a partition cut off: with CheckQuorum or PreVote we might never
        // raise its term otherwise, since our elections (pre-votes) do not reach it. Tell it.
        send(msg(MessageType.MSG_APP_RESP, m.getFrom()));
      } else if (m.getType() == MessageType.MSG_PRE_VOTE) {
        send(msg(MessageType.MSG_PRE_VOTE_RESP, m.getFrom()).setTerm(term).setReject(true));
      }
      return Outcome.OK;
    }

    switch (m.getType()) {
      case MSG_HUP -> hup(config.preVote() ? CampaignType.PRE_ELECTION : CampaignType.ELECTION);
      case MSG_VOTE, MSG_PRE_VOTE -> handleVoteRequest(m);
      default -> {
        switch (state) {
          case LEADER -> stepLeader(m);
          case CANDIDATE, PRE_CANDIDATE -> stepCandidate(m);
          case FOLLOWER -> stepFollower(m);
        }
      }
    }
    return dropReason == null ? Outcome.OK : Outcome.DROPPED;
  }

  String dropReason() {
    return dropReason;
  }

  private void handleVoteRequest(Message m) {
    MessageType respType =
        m.getType() == MessageType.MSG_VOTE
            ? MessageType.MSG_VOTE_RESP
            : MessageType.MSG_PRE_VOTE_RESP;
    // Paper Figure 2, RequestVote rule 2: grant if we have not voted for another in this term
    // (a repeat request from the same candidate is granted again) and its log is at least as
    // up-to-date as ours. A pre-vote for a later term is granted on the log alone.
    boolean canVote =
        vote == m.getFrom()
            || (vote == NONE && lead == NONE)
            || (m.getType() == MessageType.MSG_PRE_VOTE && m.getTerm() > term);
    if (canVote && raftLog.isUpToDate(m.getIndex(), m.getLogTerm())) {
      // The response carries the request's term: a pre-candidate has not raised its own yet.
      send(msg(respType, m.getFrom()).setTerm(m.getTerm()));
      if (m.getType() == MessageType.MSG_VOTE) {
        electionElapsed = 0;
        vote = m.getFrom();
      }
    } else {
      send(msg(respType, m.getFrom()).setTerm(term).setReject(true));
    }
  }

  // ---- leader ----

  private void stepLeader(Message m) {
    switch (m.getType()) {
      case MSG_BEAT -> {
        bcastHeartbeat(readOnly.lastPendingContext());
        return;
      }
      case MSG_CHECK_QUORUM -> {
        if (!trk.quorumActive()) {
          becomeFollower(term, NONE);
        }
        trk.progress.forEach(
            (peer, pr) -> {
              if (peer != id) {
                pr.recentActive = false;
              }
            });
        return;
      }
      case MSG_PROP -> {
        propose(m);
        return;
      }
      case MSG_READ_INDEX -> {
        if (trk.isSingleton() && isMember()) {
          // We are the only voter: our commit index is the cluster's.
          respondToReadIndex(m, raftLog.committed);
        } else if (!committedEntryInCurrentTerm()) {
          // Our commit index may lag the previous leader's until an entry of our term commits.
          pendingReadIndexMessages.add(m);
        } else {
          startReadIndex(m);
        }
        return;
      }
      default -> {}
    }
    Progress pr = trk.progress.get(m.getFrom());
    if (pr == null) {
      return;
    }
    switch (m.getType()) {
      case MSG_APP_RESP -> handleAppendResponse(m, pr);
      case MSG_HEARTBEAT_RESP -> {
        pr.recentActive = true;
        pr.msgAppFlowPaused = false;
        // Even with a full window this sends (an empty) MSG_APP, so lost acknowledgements cannot
        // stall replication; a caught-up follower in PROBE gets one too, to return to REPLICATE.
        if (pr.match < raftLog.lastIndex() || pr.state == Progress.State.PROBE) {
          sendAppend(m.getFrom());
        }
        if (m.getContext().isEmpty()) {
          return;
        }
        Map<Long, Boolean> acks = readOnly.recvAck(m.getFrom(), m.getContext());
        if (acks == null || trk.voteResult(acks) != ProgressTracker.VoteResult.WON) {
          return;
        }
        for (ReadOnly.Pending p : readOnly.advance(m.getContext())) {
          respondToReadIndex(p.request, p.index);
        }
      }
      case MSG_SNAP_STATUS -> {
        if (pr.state != Progress.State.SNAPSHOT) {
          return;
        }
        if (m.getReject()) {
          pr.pendingSnapshot = 0;
        }
        pr.becomeProbe();
        // Wait for an acknowledgement (or the next heartbeat) before probing.
        pr.msgAppFlowPaused = true;
      }
      case MSG_UNREACHABLE -> {
        // Whatever we streamed may be lost: fall back to probing.
        if (pr.state == Progress.State.REPLICATE) {
          pr.becomeProbe();
        }
      }
      case MSG_TRANSFER_LEADER -> handleTransferLeader(m.getFrom(), pr);
      default -> {}
    }
  }

  private void propose(Message m) {
    if (m.getEntriesCount() == 0) {
      throw new IllegalArgumentException("proposal without entries");
    }
    if (!isMember()) {
      dropReason = "this node was removed from the configuration";
      return;
    }
    if (leadTransferee != NONE) {
      dropReason = "leadership transfer to " + leadTransferee + " in progress";
      return;
    }
    List<Entry> ents = new ArrayList<>(m.getEntriesList());
    // One pending conf change at a time, in the batch too: a second one sees the first pending.
    long confIndex = pendingConfIndex;
    for (int i = 0; i < ents.size(); i++) {
      Entry e = ents.get(i);
      ConfChangeV2 cc = confChangeOf(e);
      if (cc == null) {
        continue;
      }
      boolean alreadyPending = confIndex > raftLog.applied;
      boolean alreadyJoint = trk.config.joint();
      boolean wantsLeaveJoint = cc.getChangesCount() == 0;
      if (alreadyPending || (alreadyJoint != wantsLeaveJoint)) {
        // Like etcd: the entry keeps its place in the log but loses its meaning; what takes its
        // place (an empty normal entry unless configured) is how the proposer can learn of it.
        Entry replacement = config.refusedConfChange().apply(e);
        if (replacement.getType() != EntryType.ENTRY_NORMAL) {
          throw new IllegalStateException("a refused conf change must become a normal entry");
        }
        ents.set(i, replacement);
      } else {
        confIndex = raftLog.lastIndex() + i + 1;
      }
    }
    if (!appendEntries(ents)) {
      // All of it is dropped, any conf change in it too, so pendingConfIndex stays as it was.
      dropReason = "too many uncommitted entries";
      return;
    }
    pendingConfIndex = confIndex;
    // Many entries may need several messages: send as many as each follower's window takes now,
    // as that many one-entry proposals would, instead of waiting for an acknowledgement.
    for (long peer : trk.progress.keySet()) {
      if (peer != id) {
        fillWindow(peer);
      }
    }
  }

  static ConfChangeV2 confChangeOf(Entry e) {
    try {
      return switch (e.getType()) {
        case ENTRY_CONF_CHANGE -> toV2(ConfChange.parseFrom(e.getData()));
        case ENTRY_CONF_CHANGE_V2 -> ConfChangeV2.parseFrom(e.getData());
        default -> null;
      };
    } catch (InvalidProtocolBufferException ex) {
      throw new IllegalArgumentException("malformed conf change entry " + e.getIndex(), ex);
    }
  }

  static ConfChangeV2 toV2(ConfChange cc) {
    return ConfChangeV2.newBuilder()
        .setTransition(ConfChangeTransition.CONF_CHANGE_TRANSITION_AUTO)
        .addChanges(ConfChangeSingle.newBuilder().setType(cc.getType()).setNodeId(cc.getNodeId()))
        .setContext(cc.getContext())
        .build();
  }

  /** Appends entries of this leader's term; false if they exceed the uncommitted-size cap. */
  private boolean appendEntries(List<Entry> ents) {
    long size = payloadSize(ents);
    if (uncommittedSize > 0 && size > 0 && uncommittedSize + size > config.uncommittedCap()) {
      return false;
    }
    uncommittedSize += size;
    long li = raftLog.lastIndex();
    List<Entry> stamped = new ArrayList<>(ents.size());
    for (int i = 0; i < ents.size(); i++) {
      stamped.add(ents.get(i).toBuilder().setTerm(term).setIndex(li + 1 + i).build());
    }
    raftLog.append(stamped);
    // Our own acknowledgement waits until the entries are persisted (see RawNode.advance).
    return true;
  }

  void reduceUncommittedSize(List<Entry> committed) {
    if (state != StateRole.LEADER) {
      return;
    }
    uncommittedSize = Math.max(0, uncommittedSize - payloadSize(committed));
  }

  private void handleAppendResponse(Message m, Progress pr) {
    pr.recentActive = true;
    if (m.getReject()) {
      // Fast back-off: skip every index the follower's hint shows cannot match (etcd's scheme;
      // paper 5.3 describes the idea).
      long nextProbe = m.getRejectHint();
      if (m.getLogTerm() > 0) {
        nextProbe = raftLog.findConflictByTerm(m.getRejectHint(), m.getLogTerm())[0];
      }
      if (pr.maybeDecrTo(m.getIndex(), nextProbe)) {
        if (pr.state == Progress.State.REPLICATE) {
          pr.becomeProbe();
        }
        sendAppend(m.getFrom());
      }
      return;
    }
    boolean probeAcked = pr.match == m.getIndex() && pr.state == Progress.State.PROBE;
    if (!pr.maybeUpdate(m.getIndex()) && !probeAcked) {
      return;
    }
    switch (pr.state) {
      case PROBE -> pr.becomeReplicate();
      case SNAPSHOT -> {
        if (pr.match + 1 >= raftLog.firstIndex()) {
          // Caught up past the snapshot: the log can take it from here.
          pr.becomeProbe();
          pr.becomeReplicate();
        }
      }
      case REPLICATE -> pr.inflights.freeLE(m.getIndex());
    }
    if (maybeCommit()) {
      releasePendingReadIndexMessages();
      bcastAppend();
    } else if (m.getFrom() != id) {
      fillWindow(m.getFrom()); // the acknowledgement opened it
    }
    if (m.getFrom() == leadTransferee && pr.match == raftLog.lastIndex()) {
      send(msg(MessageType.MSG_TIMEOUT_NOW, m.getFrom()));
    }
  }

  /** Commits the highest index a quorum holds, if it is of the current term (Figure 8). */
  boolean maybeCommit() {
    return raftLog.maybeCommit(trk.committed(), term);
  }

  /** The leader's own entries up to {@code index} are persisted: acknowledge them to itself. */
  void selfAcknowledge(long index) {
    if (state != StateRole.LEADER) {
      return;
    }
    Progress self = trk.progress.get(id);
    if (self != null && self.maybeUpdate(index) && maybeCommit()) {
      releasePendingReadIndexMessages();
      bcastAppend();
    }
  }

  private void handleTransferLeader(long transferee, Progress pr) {
    if (pr.learner) {
      return;
    }
    if (leadTransferee != NONE) {
      if (leadTransferee == transferee) {
        return;
      }
      leadTransferee = NONE;
    }
    if (transferee == id) {
      return;
    }
    // The transfer must finish within an election timeout (tickHeartbeat aborts it).
    electionElapsed = 0;
    leadTransferee = transferee;
    if (pr.match == raftLog.lastIndex()) {
      send(msg(MessageType.MSG_TIMEOUT_NOW, transferee));
    } else {
      sendAppend(transferee);
    }
  }

  private boolean committedEntryInCurrentTerm() {
    return raftLog.termOrZero(raftLog.committed) == term;
  }

  private void releasePendingReadIndexMessages() {
    if (pendingReadIndexMessages.isEmpty() || !committedEntryInCurrentTerm()) {
      return;
    }
    List<Message> held = new ArrayList<>(pendingReadIndexMessages);
    pendingReadIndexMessages.clear();
    for (Message m : held) {
      startReadIndex(m);
    }
  }

  /** Records the commit index as the read index and confirms leadership with a heartbeat round. */
  private void startReadIndex(Message m) {
    readOnly.add(raftLog.committed, m);
    readOnly.recvAck(id, m.getContext());
    bcastHeartbeat(m.getContext());
  }

  private void respondToReadIndex(Message request, long index) {
    if (request.getFrom() == NONE || request.getFrom() == id) {
      readStates.add(new ReadState(index, request.getContext()));
    } else {
      send(
          msg(MessageType.MSG_READ_INDEX_RESP, request.getFrom())
              .setIndex(index)
              .setContext(request.getContext()));
    }
  }

  // ---- candidate ----

  private void stepCandidate(Message m) {
    MessageType myVoteResp =
        state == StateRole.PRE_CANDIDATE
            ? MessageType.MSG_PRE_VOTE_RESP
            : MessageType.MSG_VOTE_RESP;
    switch (m.getType()) {
      case MSG_PROP -> dropReason = "no leader";
      case MSG_APP -> {
        becomeFollower(m.getTerm(), m.getFrom());
        handleAppendEntries(m);
      }
      case MSG_HEARTBEAT -> {
        becomeFollower(m.getTerm(), m.getFrom());
        handleHeartbeat(m);
      }
      case MSG_SNAP -> {
        becomeFollower(m.getTerm(), m.getFrom());
        handleSnapshot(m);
      }
      default -> {
        if (m.getType() != myVoteResp) {
          return;
        }
        switch (poll(m.getFrom(), !m.getReject())) {
          case WON -> {
            if (state == StateRole.PRE_CANDIDATE) {
              campaign(CampaignType.ELECTION);
            } else {
              becomeLeader();
              bcastAppend();
            }
          }
          case LOST -> becomeFollower(term, NONE);
          case PENDING -> {}
        }
      }
    }
  }

  // ---- follower ----

  private void stepFollower(Message m) {
    switch (m.getType()) {
      case MSG_PROP -> {
        if (lead == NONE) {
          dropReason = "no leader";
        } else if (config.disableProposalForwarding()) {
          dropReason = "proposal forwarding is disabled";
        } else {
          send(m.toBuilder().setTo(lead));
        }
      }
      case MSG_APP -> {
        electionElapsed = 0;
        lead = m.getFrom();
        handleAppendEntries(m);
      }
      case MSG_HEARTBEAT -> {
        electionElapsed = 0;
        lead = m.getFrom();
        handleHeartbeat(m);
      }
      case MSG_SNAP -> {
        electionElapsed = 0;
        lead = m.getFrom();
        handleSnapshot(m);
      }
      case MSG_TRANSFER_LEADER, MSG_READ_INDEX -> {
        if (lead != NONE) {
          send(m.toBuilder().setTo(lead));
        }
      }
      case MSG_TIMEOUT_NOW -> hup(CampaignType.TRANSFER);
      case MSG_READ_INDEX_RESP -> readStates.add(new ReadState(m.getIndex(), m.getContext()));
      default -> {}
    }
  }

  private void handleAppendEntries(Message m) {
    if (m.getIndex() < raftLog.committed) {
      // Everything up to our commit index matches (Log Matching): tell the leader where we are.
      send(msg(MessageType.MSG_APP_RESP, m.getFrom()).setIndex(raftLog.committed));
      return;
    }
    long lastNew =
        raftLog.maybeAppend(m.getIndex(), m.getLogTerm(), m.getCommit(), m.getEntriesList());
    if (lastNew >= 0) {
      send(msg(MessageType.MSG_APP_RESP, m.getFrom()).setIndex(lastNew));
      return;
    }
    // Figure 2, AppendEntries rule 2: reject; hint where our log might match the leader's.
    long[] hint =
        raftLog.findConflictByTerm(Math.min(m.getIndex(), raftLog.lastIndex()), m.getLogTerm());
    send(
        msg(MessageType.MSG_APP_RESP, m.getFrom())
            .setIndex(m.getIndex())
            .setReject(true)
            .setRejectHint(hint[0])
            .setLogTerm(hint[1]));
  }

  private void handleHeartbeat(Message m) {
    raftLog.commitTo(m.getCommit());
    send(msg(MessageType.MSG_HEARTBEAT_RESP, m.getFrom()).setContext(m.getContext()));
  }

  private void handleSnapshot(Message m) {
    if (restore(m.getSnapshot())) {
      send(msg(MessageType.MSG_APP_RESP, m.getFrom()).setIndex(raftLog.lastIndex()));
    } else {
      send(msg(MessageType.MSG_APP_RESP, m.getFrom()).setIndex(raftLog.committed));
    }
  }

  /** Installs a snapshot from the leader; false if it is stale or already covered by our log. */
  private boolean restore(Snapshot s) {
    long index = s.getMetadata().getIndex();
    if (index <= raftLog.committed) {
      return false;
    }
    if (state != StateRole.FOLLOWER) {
      // Only a leader sends snapshots, and we step down on hearing one; be safe anyway.
      becomeFollower(term + 1, NONE);
      return false;
    }
    ConfState cs = s.getMetadata().getConfState();
    if (!cs.getVotersList().contains(id)
        && !cs.getLearnersList().contains(id)
        && !cs.getVotersOutgoingList().contains(id)) {
      // A snapshot of a configuration without us: we are being removed; ignore it.
      return false;
    }
    if (raftLog.matchTerm(index, s.getMetadata().getTerm())) {
      // We already have the entries it covers: fast-forward the commit index instead.
      raftLog.commitTo(index);
      return false;
    }
    raftLog.restore(s);
    trk = new ProgressTracker(trk.maxInflight, trk.maxInflightBytes);
    switchToConfig(ConfChanger.restore(trk, raftLog.lastIndex(), cs));
    return true;
  }

  // ---- configuration ----

  ConfState applyConfChange(ConfChangeV2 cc) {
    ConfChanger changer = new ConfChanger(trk, raftLog.lastIndex());
    ConfChanger.Result result;
    if (leavesJoint(cc)) {
      result = changer.leaveJoint();
    } else if (cc.getTransition() != ConfChangeTransition.CONF_CHANGE_TRANSITION_AUTO
        || cc.getChangesCount() > 1) {
      boolean autoLeave =
          cc.getTransition() != ConfChangeTransition.CONF_CHANGE_TRANSITION_JOINT_EXPLICIT;
      result = changer.enterJoint(autoLeave, cc.getChangesList());
    } else {
      result = changer.simple(cc.getChangesList());
    }
    return switchToConfig(result);
  }

  static boolean leavesJoint(ConfChangeV2 cc) {
    return cc.getChangesCount() == 0
        && cc.getTransition() == ConfChangeTransition.CONF_CHANGE_TRANSITION_AUTO;
  }

  private ConfState switchToConfig(ConfChanger.Result result) {
    trk.config = result.config();
    trk.progress = new java.util.TreeMap<>(result.progress());
    ConfState cs = trk.confState();
    Progress self = trk.progress.get(id);
    learner = self != null && self.learner;
    if (state != StateRole.LEADER || cs.getVotersCount() == 0) {
      return cs;
    }
    // The quorum may have changed: something may now be committed, and new peers need the log.
    if (maybeCommit()) {
      bcastAppend();
    } else {
      for (long peer : trk.progress.keySet()) {
        if (peer != id) {
          maybeSendAppend(peer, false);
        }
      }
    }
    if (leadTransferee != NONE && !trk.isVoter(leadTransferee)) {
      leadTransferee = NONE;
    }
    return cs;
  }

  /**
   * The application has applied up to {@code index}. When the configuration is joint and meant to
   * be left automatically, the leader proposes leaving it once the entry that entered it is applied
   * (thesis 4.3: the second phase).
   */
  void appliedTo(long index) {
    raftLog.appliedTo(Math.max(index, raftLog.applied));
    if (trk.config.autoLeave && raftLog.applied >= pendingConfIndex && state == StateRole.LEADER) {
      Entry leave =
          Entry.newBuilder()
              .setType(EntryType.ENTRY_CONF_CHANGE_V2)
              .setData(ConfChangeV2.getDefaultInstance().toByteString())
              .build();
      appendEntries(List.of(leave));
      pendingConfIndex = raftLog.lastIndex();
      bcastAppend();
    }
  }

  static long payloadSize(List<Entry> ents) {
    long size = 0;
    for (Entry e : ents) {
      size += e.getData().size();
    }
    return size;
  }
}
