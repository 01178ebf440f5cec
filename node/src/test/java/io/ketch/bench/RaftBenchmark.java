package io.ketch.bench;

import com.google.protobuf.ByteString;
import io.ketch.raft.Config;
import io.ketch.raft.MemoryStorage;
import io.ketch.raft.RawNode;
import io.ketch.raft.Ready;
import io.ketch.raft.StateRole;
import io.ketch.raft.pb.ConfState;
import io.ketch.raft.pb.Message;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Proposals per second through three in-memory RawNodes: each invocation proposes a batch of 64
 * entries of 100 bytes (or one entry, {@link #proposeOne}) at the leader and drives Ready/advance
 * and message delivery in-process until all three nodes have applied them. No I/O: this is the cost
 * of the algorithm itself.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class RaftBenchmark {
  static final int BATCH = 64;

  @Param({"100"})
  int payloadBytes;

  private final List<RawNode> nodes = new ArrayList<>();
  private final List<MemoryStorage> disks = new ArrayList<>();
  private final ArrayDeque<Message> network = new ArrayDeque<>();
  private ByteString payload;
  private final long[] applied = new long[3];

  @Setup(Level.Trial)
  public void setUp() {
    ConfState cs = ConfState.newBuilder().addVoters(1).addVoters(2).addVoters(3).build();
    for (long id = 1; id <= 3; id++) {
      MemoryStorage disk = new MemoryStorage(cs);
      disks.add(disk);
      nodes.add(new RawNode(Config.defaults(id, disk).withRandom(new Random(id))));
    }
    payload = ByteString.copyFrom(new byte[payloadBytes]);
    nodes.get(0).campaign();
    drive();
    if (nodes.get(0).status().role() != StateRole.LEADER) {
      throw new IllegalStateException("node 1 did not become leader");
    }
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long proposeBatch() {
    RawNode leader = nodes.get(0);
    for (int i = 0; i < BATCH; i++) {
      leader.propose(payload);
    }
    drive();
    return applied[2];
  }

  /** One proposal at a time, as from a single client: the per-Ready costs are paid by one entry. */
  @Benchmark
  public long proposeOne() {
    nodes.get(0).propose(payload);
    drive();
    return applied[2];
  }

  /** Runs Ready/advance on every node and delivers messages until nothing is left to do. */
  private void drive() {
    boolean busy = true;
    while (busy) {
      busy = false;
      for (int i = 0; i < 3; i++) {
        RawNode n = nodes.get(i);
        while (n.hasReady()) {
          busy = true;
          Ready rd = n.ready();
          MemoryStorage disk = disks.get(i);
          disk.append(rd.entries());
          if (rd.hardState() != null) {
            disk.setHardState(rd.hardState());
          }
          network.addAll(rd.messages());
          if (!rd.committedEntries().isEmpty()) {
            applied[i] = rd.committedEntries().get(rd.committedEntries().size() - 1).getIndex();
          }
          n.advance(rd);
        }
      }
      while (!network.isEmpty()) {
        busy = true;
        Message m = network.poll();
        nodes.get((int) m.getTo() - 1).step(m);
      }
    }
    // Keep the in-memory logs from growing without bound across iterations.
    for (MemoryStorage disk : disks) {
      long compactTo = Math.min(applied[0], Math.min(applied[1], applied[2])) - 1000;
      if (compactTo > disk.firstIndex()) {
        disk.compact(compactTo);
      }
    }
  }
}
