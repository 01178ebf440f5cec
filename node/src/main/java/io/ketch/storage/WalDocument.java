package io.ketch.storage;

import io.ketch.raft.pb.Entry;
import io.ketch.raft.pb.HardState;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesStore;

/**
 * The body of one Chronicle Queue document of the WAL: one or more {@link WalRecord}s under one
 * sequence number and one CRC32C.
 *
 * <p>Layout (big endian): {@code BATCH_V1, seq (8), record count (4), the records (each its kind
 * byte and body), crc32c (4)}, the CRC covering everything before it. {@link Wal#append} writes a
 * whole batch as one document (several when it is larger than the encoder's limit), so Chronicle's
 * per-document work (header, index, roll check) is paid once per batch, not once per record.
 *
 * <p>{@code seq} numbers the documents of a WAL one by one, so a document Chronicle skipped (a
 * flipped metadata bit in its header) shows up as a gap instead of vanishing silently. It numbers
 * documents, not records, because a document is the unit Chronicle can lose or skip; the records
 * inside one are held together by its count and CRC. That also continues the numbering of a WAL
 * written before batches unchanged: there each document held one record.
 *
 * <p>Earlier versions wrote one record per document, {@code ENTRY_V1 | HARD_STATE_V1 |
 * LOG_RESET_V1, seq (8), body, crc32c (4)}. Those are still read, never written, so a WAL written
 * by an earlier version replays after an upgrade in place.
 */
record WalDocument(long seq, List<WalRecord> records) {

  static final byte BATCH_V1 = 0x41;

  private static final int SINGLE_HEADER = 1 + 8;
  private static final int BATCH_HEADER = SINGLE_HEADER + 4;
  private static final int CRC = 4;

  /**
   * Decodes one document.
   *
   * @throws CorruptDocumentException if the bytes are not exactly one intact document
   */
  static WalDocument decode(byte[] bytes) {
    if (bytes.length < SINGLE_HEADER + CRC) {
      throw new CorruptDocumentException("short document: " + bytes.length + " bytes");
    }
    int stored = ByteBuffer.wrap(bytes, bytes.length - CRC, CRC).getInt();
    if (stored != crc(bytes, bytes.length - CRC)) {
      throw new CorruptDocumentException("CRC mismatch over " + bytes.length + " bytes");
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes, 0, bytes.length - CRC);
    byte kind = buf.get();
    long seq = buf.getLong();
    List<WalRecord> records;
    try {
      if (kind == BATCH_V1) {
        int count = buf.getInt();
        if (count < 1) {
          throw new CorruptDocumentException("a batch of " + count + " records");
        }
        records = new ArrayList<>(Math.min(count, 1024));
        for (int i = 0; i < count; i++) {
          records.add(WalRecord.get(buf.get(), buf));
        }
      } else {
        records = List.of(WalRecord.get(kind, buf));
      }
    } catch (BufferUnderflowException e) {
      throw new CorruptDocumentException("records run past the end of the document");
    }
    if (buf.hasRemaining()) {
      throw new CorruptDocumentException(buf.remaining() + " bytes after the last record");
    }
    return new WalDocument(seq, records);
  }

  private static int crc(byte[] bytes, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, length);
    return (int) crc.getValue();
  }

  /**
   * Builds batch documents in one buffer, reused and grown as needed, so a record costs no
   * allocation of its own. A document ends once the next record would take it past {@code
   * maxBytes}; a single record larger than that gets a document to itself.
   */
  static final class Encoder {
    private final int maxBytes;
    private final CRC32C crc = new CRC32C();
    private ByteBuffer buf;
    private Bytes<byte[]> view;
    private int count;
    private long maxRaftIndex;

    Encoder(int maxBytes) {
      this.maxBytes = maxBytes;
      allocate(Math.min(maxBytes, 64 << 10));
      clear();
    }

    boolean isEmpty() {
      return count == 0;
    }

    /** Whether the document holds records and one more of {@code recordBytes} would not fit. */
    boolean isFullFor(int recordBytes) {
      return count > 0 && buf.position() + recordBytes + CRC > maxBytes;
    }

    void addEntry(Entry entry) {
      ensureRoom(WalRecord.entrySize(entry));
      WalRecord.putEntry(buf, entry);
      added(entry.getIndex());
    }

    void addHardState(HardState hardState) {
      ensureRoom(WalRecord.HARD_STATE_SIZE);
      WalRecord.putHardState(buf, hardState);
      added(0);
    }

    void addLogReset(long index, long term) {
      ensureRoom(WalRecord.LOG_RESET_SIZE);
      WalRecord.putLogReset(buf, index, term);
      added(index);
    }

    /** The highest raft index among the entries and log resets added (0 if none). */
    long maxRaftIndex() {
      return maxRaftIndex;
    }

    /**
     * Seals the document as number {@code seq}. The bytes returned stay valid until {@link #clear}.
     */
    BytesStore<?, ?> finish(long seq) {
      buf.putLong(1, seq).putInt(SINGLE_HEADER, count);
      crc.reset();
      crc.update(buf.array(), 0, buf.position());
      buf.putInt((int) crc.getValue());
      return view.readPositionRemaining(0, buf.position());
    }

    /** Starts the next document. */
    void clear() {
      buf.clear().put(BATCH_V1).position(BATCH_HEADER);
      count = 0;
      maxRaftIndex = 0;
    }

    private void added(long raftIndex) {
      count++;
      maxRaftIndex = Math.max(maxRaftIndex, raftIndex);
    }

    private void ensureRoom(int recordBytes) {
      long needed = (long) buf.position() + recordBytes + CRC;
      if (needed > buf.capacity()) {
        ByteBuffer old = buf.flip();
        allocate((int) Math.min(Integer.MAX_VALUE - 8, Math.max(needed, 2L * old.capacity())));
        buf.put(old);
      }
    }

    private void allocate(int capacity) {
      buf = ByteBuffer.allocate(capacity);
      view = Bytes.wrapForRead(buf.array());
      view.singleThreadedCheckDisabled(true); // the WAL's writer may change threads (see Wal)
    }
  }

  /** The bytes of a document are not an intact document: a torn write or corruption. */
  static final class CorruptDocumentException extends RuntimeException {
    CorruptDocumentException(String message) {
      super(message);
    }
  }
}
