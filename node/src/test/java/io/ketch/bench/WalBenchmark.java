package io.ketch.bench;

import com.google.protobuf.ByteString;
import io.ketch.raft.pb.ConfState;
import io.ketch.raft.pb.Entry;
import io.ketch.raft.pb.HardState;
import io.ketch.storage.DiskStorage;
import io.ketch.storage.SnapshotData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Group commit on the WAL: one {@link DiskStorage#save} of {@code batch} entries of 256 bytes plus
 * a HardState, synced once. The score is syncs/s; entries/s is the score times {@code batch}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
public class WalBenchmark {

  @Param({"1", "10", "100", "1000"})
  int batch;

  private final ByteString payload = ByteString.copyFrom(new byte[256]);
  private Path dataDir;
  private DiskStorage storage;
  private long last;

  @Setup(Level.Trial)
  public void open() throws IOException {
    dataDir = Files.createTempDirectory("wal-bench");
    storage =
        DiskStorage.open(
            dataDir,
            DiskStorage.Options.defaults(
                cause -> {
                  throw new IllegalStateException("WAL failed", cause);
                }));
  }

  /** Keeps memory flat across iterations: snapshot and compact (outside the measurement). */
  @TearDown(Level.Iteration)
  public void compact() {
    if (last > storage.firstIndex()) {
      storage.createSnapshot(
          last, ConfState.getDefaultInstance(), SnapshotData.of(ByteString.EMPTY));
    }
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    storage.close();
    try (Stream<Path> walk = Files.walk(dataDir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  @Benchmark
  public long appendAndSync() {
    List<Entry> entries = new ArrayList<>(batch);
    for (int i = 1; i <= batch; i++) {
      entries.add(Entry.newBuilder().setIndex(last + i).setTerm(1).setData(payload).build());
    }
    last += batch;
    storage.save(
        HardState.newBuilder().setTerm(1).setVote(1).setCommit(last).build(), entries, true);
    return last;
  }
}
