package io.ketch.raft;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.ketch.raft.pb.ConfChange;
import io.ketch.raft.pb.ConfChangeV2;
import io.ketch.raft.pb.ConfState;
import io.ketch.raft.pb.Entry;
import io.ketch.raft.pb.EntryType;
import io.ketch.raft.pb.Message;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Nodes wired together by hand for the rule-by-rule tests: each node persists its Ready into its
 * MemoryStorage, applies committed entries (and conf changes) and advances; messages wait in a
 * queue until {@link #deliver} or {@link #stabilize}. Everything happens on the test's thread.
 */
final class TestCluster {
  final class Node {
    final long id;
    final MemoryStorage storage;
    final RawNode raw;
    final List<Entry> applied = new ArrayList<>();
    final List<ReadState> readStates = new ArrayList<>();
    ConfState confState;

    Node(long id, MemoryStorage storage, Config config) {
      this.id = id;
      this.storage = storage;
      this.raw = new RawNode(config);
      this.confState = storage.initialState().confState();
    }

    /** Handles every pending Ready; returns the messages it produced. */
    List<Message> process() {
      List<Message> out = new ArrayList<>();
      while (raw.hasReady()) {
        Ready rd = raw.ready();
        if (rd.snapshot() != null) {
          storage.applySnapshot(rd.snapshot());
          confState = rd.snapshot().getMetadata().getConfState();
        }
        storage.append(rd.entries());
        if (rd.hardState() != null) {
          storage.setHardState(rd.hardState());
        }
        out.addAll(rd.messages());
        readStates.addAll(rd.readStates());
        for (Entry e : rd.committedEntries()) {
          applied.add(e);
          applyConf(e);
        }
        raw.advance(rd);
      }
      return out;
    }

    private void applyConf(Entry e) {
      try {
        if (e.getType() == EntryType.ENTRY_CONF_CHANGE) {
          confState = raw.applyConfChange(ConfChange.parseFrom(e.getData()));
        } else if (e.getType() == EntryType.ENTRY_CONF_CHANGE_V2) {
          confState = raw.applyConfChange(ConfChangeV2.parseFrom(e.getData()));
        }
      } catch (InvalidProtocolBufferException ex) {
        throw new AssertionError(ex);
      }
    }

    List<ByteString> appliedData() {
      return applied.stream()
          .filter(e -> e.getType() == EntryType.ENTRY_NORMAL && !e.getData().isEmpty())
          .map(Entry::getData)
          .toList();
    }

    Status status() {
      return raw.status();
    }
  }

  final Map<Long, Node> nodes = new TreeMap<>();
  final Deque<Message> inFlight = new ArrayDeque<>();

  /** Links that drop everything: "a->b". */
  final Set<String> cut = new HashSet<>();

  Predicate<Message> dropIf = m -> false;
  private final UnaryOperator<Config> tune;

  TestCluster(int voters, UnaryOperator<Config> tune) {
    this.tune = tune;
    ConfState.Builder cs = ConfState.newBuilder();
    for (long id = 1; id <= voters; id++) {
      cs.addVoters(id);
    }
    for (long id = 1; id <= voters; id++) {
      add(id, new MemoryStorage(cs.build()));
    }
  }

  TestCluster(int voters) {
    this(voters, c -> c);
  }

  static Config baseConfig(long id, Storage storage) {
    return Config.defaults(id, storage)
        .withElectionTick(10)
        .withHeartbeatTick(1)
        .withRandom(new Random(id * 7919));
  }

  Node add(long id, MemoryStorage storage) {
    Node n = new Node(id, storage, tune.apply(baseConfig(id, storage)));
    nodes.put(id, n);
    return n;
  }

  /** Adds a node with an empty storage (no configuration): it learns everything from the leader. */
  Node addEmpty(long id) {
    return add(id, new MemoryStorage());
  }

  /**
   * Adds a node with an empty storage after the leader snapshots and compacts its log, so the new
   * node is caught up with a snapshot that carries the configuration (which must include it).
   */
  Node join(long id) {
    Node l = node(leader());
    long applied = l.status().applied();
    if (l.storage.snapshot().getMetadata().getIndex() < applied) {
      l.storage.createSnapshot(applied, l.confState, ByteString.copyFromUtf8("snap@" + applied));
      l.storage.compact(applied);
    }
    return addEmpty(id);
  }

  Node node(long id) {
    return nodes.get(id);
  }

  RawNode raw(long id) {
    return nodes.get(id).raw;
  }

  /** Collects every node's Ready output into the in-flight queue. */
  void processAll() {
    for (Node n : nodes.values()) {
      inFlight.addAll(n.process());
    }
  }

  /** Delivers messages (and their consequences) until the cluster is quiet. */
  void stabilize() {
    for (int round = 0; round < 10_000; round++) {
      processAll();
      if (inFlight.isEmpty()) {
        return;
      }
      deliverAll();
    }
    throw new AssertionError("cluster did not stabilize");
  }

  /** Delivers exactly the messages now in flight (one hop). */
  void deliverAll() {
    List<Message> batch = new ArrayList<>(inFlight);
    inFlight.clear();
    for (Message m : batch) {
      deliver(m);
    }
  }

  void deliver(Message m) {
    Node to = nodes.get(m.getTo());
    if (to == null || cut.contains(m.getFrom() + "->" + m.getTo()) || dropIf.test(m)) {
      return;
    }
    to.raw.step(m);
  }

  /** Takes the messages a node produced so far without delivering them. */
  List<Message> take(long from) {
    processAll();
    List<Message> out = new ArrayList<>();
    inFlight.removeIf(
        m -> {
          if (m.getFrom() == from) {
            out.add(m);
            return true;
          }
          return false;
        });
    return out;
  }

  void isolate(long id) {
    for (long other : nodes.keySet()) {
      if (other != id) {
        cut.add(id + "->" + other);
        cut.add(other + "->" + id);
      }
    }
  }

  void heal() {
    cut.clear();
    dropIf = m -> false;
  }

  void tick(long id, int times) {
    for (int i = 0; i < times; i++) {
      nodes.get(id).raw.tick();
    }
  }

  void tickAll(int times) {
    for (int i = 0; i < times; i++) {
      for (Node n : nodes.values()) {
        n.raw.tick();
      }
      stabilize();
    }
  }

  /** Campaigns {@code id} and lets the election finish. */
  Node elect(long id) {
    raw(id).campaign();
    stabilize();
    return node(id);
  }

  long leader() {
    return nodes.values().stream()
        .filter(n -> n.status().role() == StateRole.LEADER)
        .mapToLong(n -> n.id)
        .max()
        .orElse(0);
  }

  static ByteString data(String s) {
    return ByteString.copyFromUtf8(s);
  }
}
