package io.ketch.storage;

import com.google.protobuf.ByteString;
import io.ketch.raft.pb.Entry;
import io.ketch.raft.pb.EntryType;
import java.util.List;
import java.util.stream.LongStream;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;

/** Shared test data: small entries whose payload names their index and term. */
final class WalFixtures {
  private WalFixtures() {}

  /** One-second roll files (forced by advancing {@code clock}) of 1 MiB blocks. */
  static Wal.Options testOptions(TimeProvider clock) {
    return new Wal.Options(TestRollCycles.TEST_SECONDLY, 1L << 20, 1L << 20, clock);
  }

  static List<Entry> entries(long from, long to, long term) {
    return LongStream.rangeClosed(from, to).mapToObj(i -> entry(i, term)).toList();
  }

  static Entry entry(long index, long term) {
    return Entry.newBuilder()
        .setIndex(index)
        .setTerm(term)
        .setType(index % 7 == 0 ? EntryType.ENTRY_CONF_CHANGE : EntryType.ENTRY_NORMAL)
        .setData(ByteString.copyFromUtf8("entry " + index + " of term " + term))
        .build();
  }
}
