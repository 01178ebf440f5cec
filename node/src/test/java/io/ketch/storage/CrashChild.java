package io.ketch.storage;

import io.ketch.raft.pb.HardState;
import java.nio.file.Path;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;

/**
 * Run in a child JVM by {@link CrashTest}: appends batches to a {@link DiskStorage} forever (one
 * sync each, rolling to a new WAL file every second) and prints each acknowledged last index once
 * its batch is durable, until it is killed.
 */
final class CrashChild {
  private CrashChild() {}

  public static void main(String[] args) throws Exception {
    Path dataDir = Path.of(args[0]);
    DiskStorage.Options options =
        new DiskStorage.Options(1L << 20, 2, 100, 2L << 20, 4L << 20, cause -> System.exit(3));
    Wal.Options walOptions =
        new Wal.Options(
            TestRollCycles.TEST_SECONDLY, 1L << 20, 1L << 20, SystemTimeProvider.INSTANCE);
    DiskStorage storage = DiskStorage.open(dataDir, options, walOptions);
    long last = storage.lastIndex();
    System.out.println("start " + last);
    for (int batch = 0; ; batch++) {
      int size = 1 + batch % 17;
      storage.save(
          HardState.newBuilder().setTerm(1).setVote(1).setCommit(last + size).build(),
          WalFixtures.entries(last + 1, last + size, 1),
          true);
      last += size;
      System.out.println(last);
      System.out.flush();
    }
  }
}
