package io.ketch.raft.sim;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.ketch.raft.Config;
import io.ketch.raft.MemoryStorage;
import io.ketch.raft.ProposalDroppedException;
import io.ketch.raft.RawNode;
import io.ketch.raft.ReadState;
import io.ketch.raft.Ready;
import io.ketch.raft.StateRole;
import io.ketch.raft.Status;
import io.ketch.raft.Storage;
import io.ketch.raft.pb.ConfChange;
import io.ketch.raft.pb.ConfChangeSingle;
import io.ketch.raft.pb.ConfChangeTransition;
import io.ketch.raft.pb.ConfChangeType;
import io.ketch.raft.pb.ConfChangeV2;
import io.ketch.raft.pb.ConfState;
import io.ketch.raft.pb.Entry;
import io.ketch.raft.pb.EntryType;
import io.ketch.raft.pb.Message;
import io.ketch.raft.pb.MessageType;
import io.ketch.raft.pb.Snapshot;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * One seeded run of 1 to 7 RawNodes over an unreliable simulated network, with crashes, partitions,
 * membership changes, leadership transfers and reads, checking Raft's safety properties (paper
 * Figure 3, plus linearizable ReadIndex) after every step and liveness at the end. Everything is
 * decided by one {@link Random}, so a seed replays exactly.
 */
final class Simulation {
  private static final int MAX_NODES = 9;

  /** One member: its disk survives crashes, its RawNode does not. */
  final class SimNode {
    final long id;

    /** The simulated disk: only what a Ready persisted. */
    final MemoryStorage disk;

    RawNode raw;
    int incarnation;
    // The application state machine, durable with its applied index (as a database would keep it).
    long appliedIndex;
    long chain;

    /** The configuration as of what this incarnation of raft has re-delivered and applied. */
    ConfState confState;

    long deliveredTo;

    /** Set while this node is leader: its term. For the append-only check. */
    long leaderTerm;

    /** Role and term as of the last Ready taken (cheaper than status()). */
    StateRole role = StateRole.FOLLOWER;

    long term;

    SimNode(long id, ConfState initial) {
      this.id = id;
      this.disk = new MemoryStorage(initial);
    }

    boolean up() {
      return raw != null;
    }

    void start() {
      incarnation++;
      // Restart from the snapshot: raft re-delivers the committed entries after it, so conf
      // changes are applied to raft again; the state machine skips what it already has (etcd's
      // consistent index does the same).
      long snapIndex = disk.snapshot().getMetadata().getIndex();
      Config cfg =
          Config.defaults(id, disk)
              .withApplied(snapIndex)
              .withPreVote(preVote)
              .withCheckQuorum(checkQuorum)
              .withMaxSizePerMsg(maxSizePerMsg)
              .withMaxInflight(4, maxSizePerMsg * 8)
              .withMaxUncommittedEntriesSize(4096)
              .withRandom(new Random(seed * 1_000_003L + id * 101 + incarnation));
      raw = new RawNode(cfg);
      trace(
          id
              + " started from snapshot "
              + snapIndex
              + " conf="
              + disk.initialState().confState().getVotersList());
      confState = disk.initialState().confState();
      deliveredTo = snapIndex;
      leaderTerm = 0;
      role = StateRole.FOLLOWER;
      term = disk.initialState().hardState().getTerm();
    }

    void crash() {
      trace(id + " crashed");
      raw = null;
    }
  }

  record InFlight(Message msg, long due) {}

  record PendingRead(long node, long floor) {}

  final long seed;
  final Random rng;
  private final boolean preVote;
  private final boolean checkQuorum;
  private final long maxSizePerMsg;
  private final double dropRate;
  private final double dupRate;
  private final int maxDelay;
  final Map<Long, SimNode> nodes = new TreeMap<>();
  private final ConfState initialConf;
  private final List<InFlight> network = new ArrayList<>();
  private final Set<String> cut = new HashSet<>();
  private final List<Message> lostSnapshots = new ArrayList<>();
  private long now;
  private long nextId;
  private int proposals;
  private int reads;
  private boolean faultsOn = true;

  // Checked state.
  private final Map<Long, Long> leaderOfTerm = new HashMap<>();

  /** (index, term) -> (content hash, term of the previous index or -1 if unknown). */
  private final Map<Long, Map<Long, long[]>> entriesSeen = new HashMap<>();

  /** The one history: index -> {term, chain hash up to it}. */
  private final Map<Long, long[]> history = new HashMap<>();

  private long maxAcked;
  private final Map<ByteString, PendingRead> pendingReads = new HashMap<>();
  long readsAnswered;
  long commitsSeen;

  Simulation(long seed) {
    this.seed = seed;
    this.rng = new Random(seed);
    int n = 1 + rng.nextInt(7);
    this.preVote = rng.nextInt(4) != 0;
    this.checkQuorum = rng.nextInt(4) != 0;
    this.maxSizePerMsg = 64 + rng.nextInt(512);
    this.dropRate = rng.nextDouble() * 0.2;
    this.dupRate = rng.nextDouble() * 0.05;
    this.maxDelay = rng.nextInt(3);
    ConfState.Builder cs = ConfState.newBuilder();
    for (long id = 1; id <= n; id++) {
      cs.addVoters(id);
    }
    initialConf = cs.build();
    for (long id = 1; id <= n; id++) {
      SimNode node = new SimNode(id, initialConf);
      nodes.put(id, node);
      node.start();
    }
    nextId = n + 1;
  }

  /** Runs {@code rounds} rounds with faults, then heals and checks liveness. */
  void run(int rounds) {
    for (int r = 0; r < rounds; r++) {
      round();
    }
    checkLiveness();
  }

  private void round() {
    now++;
    if (faultsOn) {
      injectFaults();
    }
    for (SimNode n : pendingSnapshots) {
      if (n.up()) {
        snapshotAndCompact(n);
      }
    }
    pendingSnapshots.clear();
    clientActions();
    for (SimNode n : nodes.values()) {
      if (n.up()) {
        n.raw.tick();
      }
    }
    // A few micro-steps per tick, so that a request and its answer can fit in one tick.
    for (int micro = 0; micro < 3; micro++) {
      List<SimNode> order = new ArrayList<>(nodes.values());
      java.util.Collections.shuffle(order, rng);
      for (SimNode n : order) {
        if (n.up()) {
          processReady(n);
        }
      }
      deliverDue();
    }
  }

  private void injectFaults() {
    double p = rng.nextDouble();
    if (p < 0.01) {
      // Symmetric partition into two random groups.
      cut.clear();
      List<Long> ids = new ArrayList<>(nodes.keySet());
      Set<Long> side = new HashSet<>();
      for (long id : ids) {
        if (rng.nextBoolean()) {
          side.add(id);
        }
      }
      for (long a : ids) {
        for (long b : ids) {
          if (side.contains(a) != side.contains(b)) {
            cut.add(a + ">" + b);
          }
        }
      }
    } else if (p < 0.02) {
      // Asymmetric: a few one-way links fail.
      List<Long> ids = new ArrayList<>(nodes.keySet());
      for (int i = 0; i < 2; i++) {
        cut.add(ids.get(rng.nextInt(ids.size())) + ">" + ids.get(rng.nextInt(ids.size())));
      }
    } else if (p < 0.04) {
      cut.clear();
    } else if (p < 0.05) {
      SimNode n = randomNode();
      if (n.up()) {
        n.crash();
      }
    } else if (p < 0.06) {
      // Crash in the middle of a Ready: taken, MSG_APP possibly sent early, nothing persisted.
      SimNode n = randomNode();
      if (n.up() && n.raw.hasReady()) {
        Ready rd = n.raw.ready();
        if (rng.nextBoolean()) {
          for (Message m : rd.messages()) {
            if (m.getType() == MessageType.MSG_APP) {
              send(m);
            }
          }
        }
        n.crash();
      }
    }
    for (SimNode n : nodes.values()) {
      if (!n.up() && rng.nextInt(20) == 0) {
        n.start();
      }
    }
  }

  private void clientActions() {
    SimNode leader = currentLeader();
    if (rng.nextInt(3) == 0) {
      SimNode n = rng.nextInt(3) == 0 || leader == null ? randomNode() : leader;
      if (n.up()) {
        // One proposal of up to four entries, as the member's raft loop batches its clients'.
        List<ByteString> batch = new ArrayList<>();
        for (int i = rng.nextInt(4); i >= 0; i--) {
          batch.add(ByteString.copyFromUtf8("p" + seed + "-" + proposals++));
        }
        try {
          n.raw.propose(batch);
        } catch (ProposalDroppedException e) {
          // no leader, transfer in progress or over the size cap
        }
      }
    }
    if (rng.nextInt(8) == 0) {
      SimNode n = randomNode();
      if (n.up()) {
        ByteString ctx = ByteString.copyFromUtf8("r" + reads++);
        pendingReads.put(ctx, new PendingRead(n.id, maxAcked));
        n.raw.readIndex(ctx);
      }
    }
    if (leader != null && faultsOn && rng.nextInt(60) == 0) {
      changeMembership(leader);
    }
    if (leader != null && rng.nextInt(80) == 0) {
      List<Long> voters = leader.raw.status().config().getVotersList();
      leader.raw.transferLeadership(voters.get(rng.nextInt(voters.size())));
    }
    if (rng.nextInt(25) == 0) {
      SimNode n = randomNode();
      if (n.up()) {
        snapshotAndCompact(n);
      }
    }
  }

  private void changeMembership(SimNode leader) {
    ConfState cs = leader.raw.status().config();
    if (cs.getVotersOutgoingCount() > 0) {
      return;
    }
    List<Long> voters = cs.getVotersList();
    List<Long> learners = cs.getLearnersList();
    int kind = rng.nextInt(4);
    ConfChangeV2.Builder cc = ConfChangeV2.newBuilder();
    if (kind == 0 && nextId <= MAX_NODES) {
      cc.addChanges(single(ConfChangeType.CONF_CHANGE_ADD_LEARNER_NODE, newNode()));
    } else if (kind == 1 && !learners.isEmpty()) {
      cc.addChanges(
          single(ConfChangeType.CONF_CHANGE_ADD_NODE, learners.get(rng.nextInt(learners.size()))));
    } else if (kind == 2 && voters.size() > 2) {
      // Not below two voters: removing the leader of a two-voter cluster can leave the survivor
      // needing the removed node's vote, which it denies with its longer log (a known hazard in
      // etcd too, see the report); liveness cannot be promised there.
      cc.addChanges(
          single(ConfChangeType.CONF_CHANGE_REMOVE_NODE, voters.get(rng.nextInt(voters.size()))));
    } else if (kind == 3 && nextId <= MAX_NODES && voters.size() > 2) {
      // Replace a voter by a new node through a joint configuration.
      long id = newNode();
      cc.setTransition(ConfChangeTransition.CONF_CHANGE_TRANSITION_AUTO)
          .addChanges(single(ConfChangeType.CONF_CHANGE_ADD_NODE, id))
          .addChanges(
              single(
                  ConfChangeType.CONF_CHANGE_REMOVE_NODE, voters.get(rng.nextInt(voters.size()))));
    } else {
      return;
    }
    try {
      leader.raw.proposeConfChange(cc.build());
    } catch (ProposalDroppedException e) {
      // Transfer in progress or over the size cap.
    }
  }

  private long newNode() {
    long id = nextId++;
    // A joiner boots from the same initial configuration as the founders (it is not in it), so
    // replaying the log from index 1, or a snapshot, gives it the current configuration.
    SimNode n = new SimNode(id, initialConf);
    nodes.put(id, n);
    n.start();
    return id;
  }

  private static ConfChangeSingle single(ConfChangeType type, long id) {
    return ConfChangeSingle.newBuilder().setType(type).setNodeId(id).build();
  }

  private void snapshotAndCompact(SimNode n) {
    long at = n.appliedIndex;
    if (n.deliveredTo < at || at <= n.disk.snapshot().getMetadata().getIndex()) {
      return;
    }
    n.disk.createSnapshot(at, n.confState, chainData(at, n.chain));
    trace(n.id + " snapshot at " + at + " conf=" + n.confState.getVotersList());
    // Keep a few entries so a slightly lagging follower still gets MSG_APP.
    long compactTo = at - rng.nextInt(3);
    if (compactTo > n.disk.firstIndex()) {
      n.disk.compact(compactTo);
    }
  }

  // ---- the Ready contract ----

  private void processReady(SimNode n) {
    if (!n.raw.hasReady()) {
      return;
    }
    Ready rd = n.raw.ready();
    if (rd.softState() != null) {
      n.role = rd.softState().role();
    }
    if (rd.hardState() != null) {
      n.term = rd.hardState().getTerm();
    }
    checkReady(n, rd);
    // 2. Persist.
    if (rd.snapshot() != null) {
      n.disk.applySnapshot(rd.snapshot());
    }
    n.disk.append(rd.entries());
    if (rd.hardState() != null) {
      n.disk.setHardState(rd.hardState());
    }
    checkPersisted(n, rd);
    // 3. Send.
    for (Message m : rd.messages()) {
      send(m);
      if (m.getType() == MessageType.MSG_SNAP && !inConfig(m.getSnapshot(), m.getTo())) {
        // The stored snapshot predates the target joining, so it will ignore it: like an
        // application making a fresh snapshot on demand, take one for the next attempt.
        pendingSnapshots.add(n);
      }
    }
    // 4. Apply.
    if (rd.snapshot() != null) {
      installSnapshot(n, rd.snapshot());
    }
    for (Entry e : rd.committedEntries()) {
      apply(n, e);
    }
    for (ReadState rs : rd.readStates()) {
      checkRead(n, rs);
    }
    // 5. Advance.
    n.raw.advance(rd);
  }

  private final List<SimNode> pendingSnapshots = new ArrayList<>();

  private static boolean inConfig(Snapshot s, long id) {
    ConfState cs = s.getMetadata().getConfState();
    return cs.getVotersList().contains(id)
        || cs.getLearnersList().contains(id)
        || cs.getVotersOutgoingList().contains(id);
  }

  private void installSnapshot(SimNode n, Snapshot s) {
    long index = s.getMetadata().getIndex();
    ByteBuffer b = s.getData().asReadOnlyByteBuffer();
    long snapIndex = b.getLong();
    long snapChain = b.getLong();
    check(snapIndex == index, "snapshot data index " + snapIndex + " != " + index);
    long[] h = history.get(index);
    check(h == null || h[1] == snapChain, "snapshot at " + index + " diverges from the history");
    if (index > n.appliedIndex) {
      n.appliedIndex = index;
      n.chain = snapChain;
    }
    n.confState = s.getMetadata().getConfState();
    n.deliveredTo = index;
    trace(n.id + " installed snapshot " + index + " conf=" + n.confState.getVotersList());
  }

  private static final boolean TRACE = Boolean.getBoolean("ketch.sim.trace");

  private void trace(String what) {
    if (TRACE) {
      System.out.println("[" + now + "] " + what);
    }
  }

  private void apply(SimNode n, Entry e) {
    check(
        e.getIndex() == n.deliveredTo + 1,
        "node " + n.id + " was handed entry " + e.getIndex() + " after " + n.deliveredTo);
    n.deliveredTo = e.getIndex();
    if (e.getType() == EntryType.ENTRY_CONF_CHANGE
        || e.getType() == EntryType.ENTRY_CONF_CHANGE_V2) {
      try {
        n.confState =
            e.getType() == EntryType.ENTRY_CONF_CHANGE
                ? n.raw.applyConfChange(ConfChange.parseFrom(e.getData()))
                : n.raw.applyConfChange(ConfChangeV2.parseFrom(e.getData()));
        trace(
            n.id
                + " applied conf change at "
                + e.getIndex()
                + " -> voters="
                + n.confState.getVotersList()
                + " out="
                + n.confState.getVotersOutgoingList()
                + " learners="
                + n.confState.getLearnersList());
      } catch (InvalidProtocolBufferException ex) {
        throw new AssertionError(ex);
      }
    }
    if (e.getIndex() <= n.appliedIndex) {
      return; // replayed after a restart: the state machine already has it
    }
    if (e.getData().equals(livenessMarker)) {
      markerApplied = true;
    }
    n.chain = n.chain * 31 + contentHash(e) + e.getTerm();
    n.appliedIndex = e.getIndex();
    long[] h = history.putIfAbsent(e.getIndex(), new long[] {e.getTerm(), n.chain});
    check(
        h == null || (h[0] == e.getTerm() && h[1] == n.chain),
        "State Machine Safety: node " + n.id + " applied a different entry at " + e.getIndex());
    if (e.getIndex() > maxAcked) {
      maxAcked = e.getIndex();
      commitsSeen++;
    }
  }

  private static ByteString chainData(long index, long chain) {
    return ByteString.copyFrom(ByteBuffer.allocate(16).putLong(index).putLong(chain).flip());
  }

  private long messagesSent;

  private void send(Message m) {
    messagesSent++;
    if (!faultsOn) {
      network.add(new InFlight(m, now));
      return;
    }
    if (rng.nextDouble() < dropRate) {
      if (m.getType() == MessageType.MSG_SNAP) {
        lostSnapshots.add(m);
      }
      return;
    }
    network.add(new InFlight(m, now + rng.nextInt(maxDelay + 1)));
    if (rng.nextDouble() < dupRate) {
      network.add(new InFlight(m, now + rng.nextInt(maxDelay + 2)));
    }
  }

  /**
   * The transport's duty after a MSG_SNAP: tell the sender how it went, so it can probe again (a
   * lost snapshot is reported as failed).
   */
  private void reportSnapshot(Message m, boolean failed) {
    SimNode from = nodes.get(m.getFrom());
    if (from != null && from.up()) {
      from.raw.reportSnapshot(m.getTo(), failed);
    }
  }

  private void deliverDue() {
    List<InFlight> due = new ArrayList<>();
    network.removeIf(f -> f.due <= now && due.add(f));
    java.util.Collections.shuffle(due, rng);
    for (Message m : lostSnapshots) {
      reportSnapshot(m, true);
    }
    lostSnapshots.clear();
    for (InFlight f : due) {
      Message m = f.msg;
      SimNode to = nodes.get(m.getTo());
      boolean lost = to == null || !to.up() || cut.contains(m.getFrom() + ">" + m.getTo());
      if (!lost) {
        to.raw.step(m);
      }
      if (m.getType() == MessageType.MSG_SNAP) {
        reportSnapshot(m, lost);
      }
    }
  }

  // ---- invariants ----

  private void checkReady(SimNode n, Ready rd) {
    if (n.role == StateRole.LEADER) {
      Long prev = leaderOfTerm.putIfAbsent(n.term, n.id);
      check(
          prev == null || prev == n.id,
          "Election Safety: nodes " + prev + " and " + n.id + " both lead term " + n.term);
      if (n.leaderTerm == n.term && !rd.entries().isEmpty()) {
        check(
            rd.entries().get(0).getIndex() > n.disk.lastIndex(),
            "Leader Append-Only: leader "
                + n.id
                + " overwrites its log at "
                + rd.entries().get(0).getIndex());
      }
      if (n.leaderTerm != n.term) {
        n.leaderTerm = n.term;
        checkLeaderCompleteness(n, rd);
      }
    } else {
      n.leaderTerm = 0;
    }
  }

  /** Every entry known committed is in the new leader's log (disk plus what it is writing). */
  private void checkLeaderCompleteness(SimNode n, Ready rd) {
    Map<Long, Long> writing = new HashMap<>();
    for (Entry e : rd.entries()) {
      writing.put(e.getIndex(), e.getTerm());
    }
    long first = n.disk.firstIndex();
    for (long i = Math.max(first, 1); i <= maxAcked; i++) {
      long[] h = history.get(i);
      if (h == null) {
        continue;
      }
      Long t = writing.get(i);
      if (t == null) {
        try {
          t = n.disk.term(i);
        } catch (Storage.UnavailableException | Storage.CompactedException e) {
          t = null;
        }
      }
      check(
          t != null && t == h[0],
          "Leader Completeness: leader " + n.id + " lacks committed entry " + i);
    }
  }

  /** Log Matching: an (index, term) identifies one entry content and one predecessor term. */
  private void checkPersisted(SimNode n, Ready rd) {
    for (Entry e : rd.entries()) {
      long prevTerm;
      try {
        prevTerm = n.disk.term(e.getIndex() - 1);
      } catch (Storage.CompactedException | Storage.UnavailableException ex) {
        prevTerm = -1;
      }
      long[] seen =
          entriesSeen
              .computeIfAbsent(e.getIndex(), k -> new HashMap<>())
              .putIfAbsent(e.getTerm(), new long[] {contentHash(e), prevTerm});
      if (seen != null) {
        check(
            seen[0] == contentHash(e),
            "Log Matching: two different entries at index "
                + e.getIndex()
                + " term "
                + e.getTerm());
        check(
            seen[1] == -1 || prevTerm == -1 || seen[1] == prevTerm,
            "Log Matching: entry " + e.getIndex() + "/" + e.getTerm() + " follows different terms");
      }
    }
  }

  private void checkRead(SimNode n, ReadState rs) {
    // A duplicated request or response may answer a read twice; each answer must be valid.
    PendingRead pr = pendingReads.get(rs.requestContext());
    check(pr != null, "read state for an unknown request at node " + n.id);
    check(pr.node == n.id, "read answered at the wrong node");
    check(
        rs.index() >= pr.floor,
        "Linearizable ReadIndex: read answered at "
            + rs.index()
            + " but "
            + pr.floor
            + " was acknowledged before it was issued");
    readsAnswered++;
  }

  private static long contentHash(Entry e) {
    return e.getData().hashCode() * 31L + e.getType().getNumber();
  }

  private void checkLiveness() {
    faultsOn = false;
    cut.clear();
    for (SimNode n : nodes.values()) {
      if (!n.up()) {
        n.start();
      }
    }
    livenessMarker = ByteString.copyFromUtf8("liveness-" + seed);
    int proposedAt = -1;
    for (int r = 0; r < 600; r++) {
      round();
      if (markerApplied) {
        return;
      }
      SimNode leader = currentLeader();
      // A proposal may be lost with a leader change: propose again after a while.
      if (leader != null && (proposedAt < 0 || r - proposedAt > 50)) {
        try {
          leader.raw.propose(livenessMarker);
          proposedAt = r;
        } catch (ProposalDroppedException e) {
          // transfer in progress: try again next round
        }
      }
    }
    throw new AssertionError(
        "liveness: no leader committed a proposal after healing; leader="
            + (currentLeader() == null ? "none" : currentLeader().id)
            + " "
            + describe());
  }

  private ByteString livenessMarker;
  private boolean markerApplied;

  SimNode currentLeader() {
    SimNode best = null;
    long bestTerm = -1;
    for (SimNode n : nodes.values()) {
      if (n.up() && n.role == StateRole.LEADER && n.term > bestTerm) {
        best = n;
        bestTerm = n.term;
      }
    }
    return best;
  }

  private SimNode randomNode() {
    List<SimNode> all = new ArrayList<>(nodes.values());
    return all.get(rng.nextInt(all.size()));
  }

  String stats() {
    return nodes.size()
        + " nodes, "
        + proposals
        + " proposals, "
        + commitsSeen
        + " applied, "
        + messagesSent
        + " messages";
  }

  String describe() {
    StringBuilder sb = new StringBuilder();
    for (SimNode n : nodes.values()) {
      sb.append("\n  ").append(n.id).append(n.up() ? " up " : " down ");
      if (n.up()) {
        Status st = n.raw.status();
        sb.append(st.role())
            .append(" term=")
            .append(st.term())
            .append(" commit=")
            .append(st.commit())
            .append(" applied=")
            .append(st.applied())
            .append(" lead=")
            .append(st.leader())
            .append(" voters=")
            .append(st.config().getVotersList())
            .append(" outgoing=")
            .append(st.config().getVotersOutgoingList())
            .append(" learners=")
            .append(st.config().getLearnersList())
            .append(" snap=")
            .append(n.disk.snapshot().getMetadata().getIndex())
            .append(" snapVoters=")
            .append(n.disk.snapshot().getMetadata().getConfState().getVotersList())
            .append(" first=")
            .append(n.disk.firstIndex())
            .append(" last=")
            .append(n.disk.lastIndex())
            .append("/")
            .append(n.disk.term(n.disk.lastIndex()));
        if (!st.progress().isEmpty()) {
          sb.append("\n    progress=").append(st.progress());
        }
      }
    }
    return sb.toString();
  }

  private void check(boolean ok, String what) {
    if (!ok) {
      throw new AssertionError(what + " (round " + now + ")" + describe());
    }
  }
}
