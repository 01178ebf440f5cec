package io.ketch.storage;

import com.google.protobuf.ByteString;
import io.ketch.raft.pb.Entry;
import io.ketch.raft.pb.EntryType;
import io.ketch.raft.pb.HardState;
import java.nio.ByteBuffer;

/**
 * One WAL record: a raft entry, a HardState or a log reset, stored as a kind/version byte and a
 * body inside a {@link WalDocument}.
 *
 * <p>Bodies (big endian): entry = {@code index (8), term (8), type (1), length (4), data}; hard
 * state = {@code term (8), vote (8), commit (8)}; log reset = {@code index (8), term (8)}, the
 * (index, term) of a snapshot received from the leader that replaces the whole log.
 */
sealed interface WalRecord {

  byte ENTRY_V1 = 0x11;
  byte HARD_STATE_V1 = 0x21;
  byte LOG_RESET_V1 = 0x31;

  int ENTRY_FIXED = 1 + 8 + 8 + 1 + 4;
  int HARD_STATE_SIZE = 1 + 24;
  int LOG_RESET_SIZE = 1 + 16;

  /** The raft index the record writes up to (0 for a HardState): what WAL retention keys on. */
  long raftIndex();

  record EntryRecord(Entry entry) implements WalRecord {
    @Override
    public long raftIndex() {
      return entry.getIndex();
    }
  }

  record HardStateRecord(HardState hardState) implements WalRecord {
    @Override
    public long raftIndex() {
      return 0;
    }
  }

  /** The log was replaced by the snapshot at (index, term): nothing written before it counts. */
  record LogResetRecord(long index, long term) implements WalRecord {
    @Override
    public long raftIndex() {
      return index;
    }
  }

  /** Encoded size of {@code entry}'s record, kind byte included. */
  static int entrySize(Entry entry) {
    return ENTRY_FIXED + entry.getData().size();
  }

  static void putEntry(ByteBuffer buf, Entry e) {
    buf.put(ENTRY_V1).putLong(e.getIndex()).putLong(e.getTerm());
    buf.put((byte) e.getTypeValue()).putInt(e.getData().size());
    e.getData().copyTo(buf);
  }

  static void putHardState(ByteBuffer buf, HardState hs) {
    buf.put(HARD_STATE_V1).putLong(hs.getTerm()).putLong(hs.getVote()).putLong(hs.getCommit());
  }

  static void putLogReset(ByteBuffer buf, long index, long term) {
    buf.put(LOG_RESET_V1).putLong(index).putLong(term);
  }

  /**
   * Reads the body of a record of {@code kind} from {@code buf}.
   *
   * @throws WalDocument.CorruptDocumentException if the kind is unknown or the body does not fit in
   *     {@code buf}
   */
  static WalRecord get(byte kind, ByteBuffer buf) {
    switch (kind) {
      case ENTRY_V1 -> {
        need(buf, ENTRY_FIXED - 1, "entry");
        long index = buf.getLong();
        long term = buf.getLong();
        EntryType type = EntryType.forNumber(buf.get());
        if (type == null) {
          throw new WalDocument.CorruptDocumentException("unknown entry type");
        }
        int length = buf.getInt();
        if (length < 0 || length > buf.remaining()) {
          throw new WalDocument.CorruptDocumentException(
              "entry says " + length + " data bytes, " + buf.remaining() + " left");
        }
        return new EntryRecord(
            Entry.newBuilder()
                .setIndex(index)
                .setTerm(term)
                .setType(type)
                .setData(ByteString.copyFrom(buf, length))
                .build());
      }
      case HARD_STATE_V1 -> {
        need(buf, HARD_STATE_SIZE - 1, "hard state");
        return new HardStateRecord(
            HardState.newBuilder()
                .setTerm(buf.getLong())
                .setVote(buf.getLong())
                .setCommit(buf.getLong())
                .build());
      }
      case LOG_RESET_V1 -> {
        need(buf, LOG_RESET_SIZE - 1, "log reset");
        return new LogResetRecord(buf.getLong(), buf.getLong());
      }
      default ->
          throw new WalDocument.CorruptDocumentException("unknown record kind/version " + kind);
    }
  }

  private static void need(ByteBuffer buf, int bytes, String what) {
    if (buf.remaining() < bytes) {
      throw new WalDocument.CorruptDocumentException(
          what + " needs " + bytes + " bytes, " + buf.remaining() + " left");
    }
  }
}
