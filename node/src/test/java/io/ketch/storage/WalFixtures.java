package io.ketch.storage;

import com.google.protobuf.ByteString;
import io.ketch.raft.pb.Entry;
import io.ketch.raft.pb.EntryType;
import io.ketch.raft.pb.HardState;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.LongStream;
import java.util.zip.CRC32C;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import net.openhft.chronicle.wire.DocumentContext;

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

  /** The entries {@code replayed} (a {@link Wal#replay} of {@code wal}) found, read back. */
  static List<Entry> readBack(Wal wal, Wal.Replayed replayed) {
    LogPositions log = replayed.log();
    List<Entry> entries = new ArrayList<>();
    try (Wal.Reader reader = wal.reader()) {
      for (long i = log.offset() + 1; i <= log.lastIndex(); i++) {
        long index = i;
        entries.add(
            reader.entries(log.document(i)).stream()
                .filter(e -> e.getIndex() == index)
                .reduce((first, second) -> second)
                .orElseThrow());
      }
    }
    return entries;
  }

  /** The queue in {@code dir} as the WAL opens it, for reading or writing documents directly. */
  static SingleChronicleQueue queue(Path dir, Wal.Options options) {
    return SingleChronicleQueueBuilder.binary(dir)
        .rollCycle(options.rollCycle())
        .blockSize(options.blockSize())
        .timeProvider(options.timeProvider())
        .build();
  }

  /** Hands the body of every document in the queue in {@code dir} to {@code body}, in order. */
  static void forEachDocument(Path dir, Wal.Options options, Consumer<Bytes<?>> body) {
    try (SingleChronicleQueue queue = queue(dir, options);
        ExcerptTailer tailer = queue.createTailer()) {
      while (true) {
        try (DocumentContext dc = tailer.readingDocument()) {
          if (!dc.isPresent()) {
            return;
          }
          body.accept(dc.wire().bytes());
        }
      }
    }
  }

  /**
   * Appends {@code records} to the queue in {@code dir} the way versions before batch documents
   * did: one document each, numbered from {@code firstSeq}.
   */
  static void writeOldFormat(
      Path dir, Wal.Options options, long firstSeq, List<WalRecord> records) {
    try (SingleChronicleQueue queue = queue(dir, options);
        ExcerptAppender appender = queue.createAppender()) {
      long seq = firstSeq;
      for (WalRecord record : records) {
        appender.writeBytes(BytesStore.wrap(oldFormatDocument(seq++, record)));
      }
    }
  }

  /**
   * A one-record document ({@code kind, seq, body, crc32c}) exactly as versions before batch
   * documents encoded it. Deliberately a frozen copy, not today's body encoder: what it checks is
   * that bytes already on disk stay readable, whatever the encoder becomes.
   */
  static byte[] oldFormatDocument(long seq, WalRecord record) {
    ByteBuffer buf;
    if (record instanceof WalRecord.EntryRecord r) {
      Entry e = r.entry();
      buf = ByteBuffer.allocate(1 + 8 + 8 + 8 + 1 + 4 + e.getData().size() + 4);
      buf.put((byte) 0x11).putLong(seq).putLong(e.getIndex()).putLong(e.getTerm());
      buf.put((byte) e.getTypeValue()).putInt(e.getData().size());
      e.getData().copyTo(buf);
    } else if (record instanceof WalRecord.HardStateRecord r) {
      HardState hs = r.hardState();
      buf = ByteBuffer.allocate(1 + 8 + 24 + 4);
      buf.put((byte) 0x21).putLong(seq);
      buf.putLong(hs.getTerm()).putLong(hs.getVote()).putLong(hs.getCommit());
    } else {
      WalRecord.LogResetRecord r = (WalRecord.LogResetRecord) record;
      buf = ByteBuffer.allocate(1 + 8 + 16 + 4);
      buf.put((byte) 0x31).putLong(seq).putLong(r.index()).putLong(r.term());
    }
    CRC32C crc = new CRC32C();
    crc.update(buf.array(), 0, buf.position());
    buf.putInt((int) crc.getValue());
    return buf.array();
  }
}
