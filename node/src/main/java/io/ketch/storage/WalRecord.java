package io.ketch.storage;

import com.google.protobuf.ByteString;
import io.ketch.raft.pb.Entry;
import io.ketch.raft.pb.EntryType;
import io.ketch.raft.pb.HardState;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * One WAL record, the body of one Chronicle Queue document.
 *
 * <p>Layout (big endian): {@code kind/version byte, seq (8), body, crc32c (4)} where the CRC covers
 * everything before it. Bodies: entry = {@code index (8), term (8), type (1), length (4), data};
 * hard state = {@code term (8), vote (8), commit (8)}; log reset = {@code index (8), term (8)}, the
 * (index, term) of a snapshot received from the leader that replaces the whole log. {@code seq}
 * numbers the records of a WAL one by one, so a record Chronicle skipped (a flipped metadata bit in
 * its header) shows up as a gap instead of vanishing silently.
 */
sealed interface WalRecord {

  byte ENTRY_V1 = 0x11;
  byte HARD_STATE_V1 = 0x21;
  byte LOG_RESET_V1 = 0x31;

  int HEADER = 1 + 8;
  int CRC = 4;
  int ENTRY_FIXED = HEADER + 8 + 8 + 1 + 4 + CRC;
  int HARD_STATE_SIZE = HEADER + 24 + CRC;
  int LOG_RESET_SIZE = HEADER + 16 + CRC;

  long seq();

  record EntryRecord(long seq, Entry entry) implements WalRecord {}

  record HardStateRecord(long seq, HardState hardState) implements WalRecord {}

  /** The log was replaced by the snapshot at (index, term): nothing written before it counts. */
  record LogResetRecord(long seq, long index, long term) implements WalRecord {}

  static byte[] encode(WalRecord record) {
    ByteBuffer buf;
    if (record instanceof EntryRecord r) {
      Entry e = r.entry();
      buf = ByteBuffer.allocate(ENTRY_FIXED + e.getData().size());
      buf.put(ENTRY_V1).putLong(r.seq()).putLong(e.getIndex()).putLong(e.getTerm());
      buf.put((byte) e.getTypeValue()).putInt(e.getData().size());
      e.getData().copyTo(buf);
    } else if (record instanceof HardStateRecord r) {
      HardState hs = r.hardState();
      buf = ByteBuffer.allocate(HARD_STATE_SIZE);
      buf.put(HARD_STATE_V1).putLong(r.seq());
      buf.putLong(hs.getTerm()).putLong(hs.getVote()).putLong(hs.getCommit());
    } else {
      LogResetRecord r = (LogResetRecord) record;
      buf = ByteBuffer.allocate(LOG_RESET_SIZE);
      buf.put(LOG_RESET_V1).putLong(r.seq()).putLong(r.index()).putLong(r.term());
    }
    buf.putInt(crc(buf.array(), buf.position()));
    return buf.array();
  }

  /**
   * Decodes one record.
   *
   * @throws CorruptRecordException if the bytes are not exactly one intact record
   */
  static WalRecord decode(byte[] bytes) {
    if (bytes.length < HEADER + CRC) {
      throw new CorruptRecordException("short record: " + bytes.length + " bytes");
    }
    int stored = ByteBuffer.wrap(bytes, bytes.length - CRC, CRC).getInt();
    if (stored != crc(bytes, bytes.length - CRC)) {
      throw new CorruptRecordException("CRC mismatch over " + bytes.length + " bytes");
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes, 0, bytes.length - CRC);
    byte kind = buf.get();
    long seq = buf.getLong();
    switch (kind) {
      case ENTRY_V1 -> {
        long index = buf.getLong();
        long term = buf.getLong();
        EntryType type = EntryType.forNumber(buf.get());
        if (type == null) {
          throw new CorruptRecordException("unknown entry type");
        }
        int length = buf.getInt();
        if (length != buf.remaining()) {
          throw new CorruptRecordException(
              "entry says " + length + " data bytes, record holds " + buf.remaining());
        }
        Entry entry =
            Entry.newBuilder()
                .setIndex(index)
                .setTerm(term)
                .setType(type)
                .setData(ByteString.copyFrom(buf, length))
                .build();
        return new EntryRecord(seq, entry);
      }
      case HARD_STATE_V1 -> {
        expectLength(bytes, HARD_STATE_SIZE);
        HardState hs =
            HardState.newBuilder()
                .setTerm(buf.getLong())
                .setVote(buf.getLong())
                .setCommit(buf.getLong())
                .build();
        return new HardStateRecord(seq, hs);
      }
      case LOG_RESET_V1 -> {
        expectLength(bytes, LOG_RESET_SIZE);
        return new LogResetRecord(seq, buf.getLong(), buf.getLong());
      }
      default -> throw new CorruptRecordException("unknown record kind/version " + kind);
    }
  }

  private static void expectLength(byte[] bytes, int expected) {
    if (bytes.length != expected) {
      throw new CorruptRecordException(
          "record of " + bytes.length + " bytes, its kind needs " + expected);
    }
  }

  private static int crc(byte[] bytes, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, length);
    return (int) crc.getValue();
  }

  /** The bytes of a record are not an intact record: a torn write or corruption. */
  final class CorruptRecordException extends RuntimeException {
    CorruptRecordException(String message) {
      super(message);
    }
  }
}
