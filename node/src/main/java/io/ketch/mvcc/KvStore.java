package io.ketch.mvcc;

import com.google.protobuf.ByteOutput;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnsafeByteOperations;
import io.ketch.pb.etcdserver.RangeRequest;
import io.ketch.pb.etcdserver.RangeRequest.SortOrder;
import io.ketch.pb.etcdserver.RangeRequest.SortTarget;
import io.ketch.pb.mvcc.Event;
import io.ketch.pb.mvcc.KeyValue;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * The revisioned key-value store, all in memory (etcd's mvcc store, without a backend: durability
 * is the Raft log plus snapshots of this store, see {@link #writeSnapshot}).
 *
 * <p>Two structures: {@code index}, key to {@link KeyIndex} (sorted by unsigned bytes, for ranges),
 * and {@code history}, a {@link RevisionLog} (revision order, for watch catch-up, hashes,
 * compaction and snapshots). Both hold the same byte arrays.
 *
 * <p>Layout, since all history is in the heap: each revision is stored once, as its KeyValue's
 * protobuf bytes (one array: about 16 bytes over the payload, where a KeyValue object with its own
 * key and value ByteStrings costs about 160) and parsed when read. Parsing aliases the stored
 * array, so a read copies nothing but the small fields (MvccBenchmark's range, parse included,
 * shows no slowdown: docs/benchmarks.md); the hashes and the snapshot writer use the stored bytes
 * as they are, which are exactly what serialising the KeyValue gives. Each key's ByteString is held
 * once, by its index entry.
 *
 * <p>Threading: exactly one writer, the member's apply thread, through {@link #write()}; any number
 * of concurrent readers. One {@link ReentrantReadWriteLock} guards both structures: a write txn
 * holds the write lock from {@link #write()} to {@link TxnWrite#end()} (apply txns are short and in
 * memory), so readers never see half a txn and need no snapshot machinery; reads hold the read lock
 * for one range. Lock order: this lock before {@link WatchableStore}'s; commit notifications are
 * delivered after the write lock is released. {@link #currentRevision()} and the metrics are
 * volatile and read without the lock.
 */
public final class KvStore {

  /** Receives every committed write txn, on the apply thread, in revision order. */
  interface CommitListener {
    /** {@code prevKvs.get(i)} is the value before {@code events.get(i)}, or null. */
    void committed(long revision, List<Event> events, List<KeyValue> prevKvs);

    /** The whole content was replaced (a snapshot was installed). */
    default void replaced() {}
  }

  static final Comparator<ByteString> KEY_ORDER = ByteString.unsignedLexicographicalComparator();
  private static final ByteString ZERO = ByteString.copyFrom(new byte[] {0});
  // Per-revision cost beyond the KeyValue's bytes, for the size metrics: the array's header (16),
  // its slots in the RevisionLog (16) and KeyIndex (12), and alignment.
  private static final long ENTRY_OVERHEAD = 48;
  private static final int SNAPSHOT_MAGIC = 0x4b4d5643; // "KMVC"
  private static final byte SNAPSHOT_VERSION = 1;

  final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  final TreeMap<ByteString, KeyIndex> index = new TreeMap<>(KEY_ORDER);
  final RevisionLog history = new RevisionLog();
  private volatile long currentRevision = 1;
  private volatile long compactRevision = NEVER_COMPACTED;
  private volatile long totalBytes;
  private volatile long inUseBytes;
  private volatile long keyCount;
  private volatile CommitListener listener = (rev, events, prevs) -> {};

  public KvStore() {}

  /** The revision of the last committed write txn; 1 for an empty store. */
  public long currentRevision() {
    return currentRevision;
  }

  /**
   * etcd's compaction revision before the first compaction: so even revision 0 may be compacted.
   */
  public static final long NEVER_COMPACTED = -1;

  /** The last compaction revision; {@link #NEVER_COMPACTED} when never compacted. */
  public long compactRevision() {
    return compactRevision;
  }

  /** Estimated bytes held for all retained revisions (etcd's dbSize). */
  public long totalBytes() {
    return totalBytes;
  }

  /** Estimated bytes of the live key-values at the current revision (etcd's dbSizeInUse). */
  public long inUseBytes() {
    return inUseBytes;
  }

  /** Keys live at the current revision. */
  public long keyCount() {
    return keyCount;
  }

  void setCommitListener(CommitListener listener) {
    this.listener = listener;
  }

  /**
   * Starts the write txn; the caller (the apply thread only) must {@link TxnWrite#end()} it, best
   * with try-with-resources. Blocks readers until then.
   */
  public TxnWrite write() {
    lock.writeLock().lock();
    return new TxnWrite(this, currentRevision);
  }

  /** A range at {@code req.getRevision()} (<= 0: current) with every RangeRequest option. */
  public RangeResult range(RangeRequest req) {
    lock.readLock().lock();
    try {
      return rangeLocked(req, currentRevision);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Forgets history before {@code rev}: keeps what reads at or after rev need. */
  public void compact(long rev) {
    lock.writeLock().lock();
    try {
      if (rev <= compactRevision) {
        throw new CompactedException();
      }
      if (rev > currentRevision) {
        throw new FutureRevisionException();
      }
      // Only keys changed since the last compaction can have something left to drop.
      Set<ByteString> touched = new HashSet<>();
      int end = history.firstAfter(rev);
      for (int i = history.firstAfter(compactRevision); i < end; i++) {
        touched.add(parse(history.kv(i)).getKey());
      }
      // Each stored array belongs to exactly one revision, so identity names the revision.
      Set<byte[]> dropped = Collections.newSetFromMap(new IdentityHashMap<>());
      for (ByteString key : touched) {
        if (index.get(key).compact(rev, dropped::add)) {
          index.remove(key);
        }
      }
      history.removeAll(dropped);
      for (byte[] kv : dropped) {
        totalBytes -= sizeOf(kv);
      }
      compactRevision = rev;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * HashKV: CRC32C over every retained revision up to {@code rev} (0: current), in revision order,
   * each as main and sub revision (8 bytes big-endian each) then the KeyValue's protobuf bytes (a
   * tombstone is key and mod_revision only). Retained revisions are a function of the history and
   * the compactions applied, so members with the same log agree; later writes do not change the
   * hash of an earlier revision.
   */
  public KvHash hashKv(long rev) {
    lock.readLock().lock();
    try {
      long at = rev <= 0 ? currentRevision : rev;
      if (rev > 0 && rev <= compactRevision) {
        throw new CompactedException(); // etcd hashes only above the compaction revision
      }
      checkReadable(at, currentRevision);
      CRC32C crc = new CRC32C();
      int end = history.firstAfter(at);
      for (int i = 0; i < end; i++) {
        hashEntry(crc, i);
      }
      return new KvHash((int) crc.getValue(), compactRevision, at);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Hash of the whole store: every retained revision plus the current and compacted revisions. */
  public int hash() {
    lock.readLock().lock();
    try {
      CRC32C crc = new CRC32C();
      for (int i = 0; i < history.size(); i++) {
        hashEntry(crc, i);
      }
      updateLong(crc, currentRevision);
      updateLong(crc, compactRevision);
      return (int) crc.getValue();
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Writes the whole store: magic "KMVC", version byte, current and compacted revisions, entry
   * count, then per retained revision (in order) main, sub, KeyValue length and bytes; last a
   * CRC32C of everything before it. Numbers are unsigned varints.
   */
  public void writeSnapshot(OutputStream out) throws IOException {
    snapshotView().writeTo(out);
  }

  /**
   * The store as it is now, to be written later by any thread: only the log's arrays are copied,
   * under the read lock (the stored bytes themselves never change), so the writer is not held up by
   * the bytes.
   */
  public SnapshotView snapshotView() {
    lock.readLock().lock();
    try {
      return new SnapshotView(history.copy(), currentRevision, compactRevision);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** A point-in-time copy of the store's history; see {@link #writeSnapshot} for the bytes. */
  public static final class SnapshotView {
    private final RevisionLog log;
    private final long current;
    private final long compacted;
    private long size = -1;

    private SnapshotView(RevisionLog log, long current, long compacted) {
      this.log = log;
      this.current = current;
      this.compacted = compacted;
    }

    /** The exact number of bytes {@link #writeTo} writes (counted once, by its one user). */
    public long size() {
      if (size >= 0) {
        return size;
      }
      size =
          Integer.BYTES
              + 1
              + CodedOutputStream.computeUInt64SizeNoTag(current)
              + CodedOutputStream.computeUInt64SizeNoTag(compacted)
              + CodedOutputStream.computeUInt64SizeNoTag(log.size());
      for (int i = 0; i < log.size(); i++) {
        int length = log.kv(i).length;
        size +=
            CodedOutputStream.computeUInt64SizeNoTag(log.main(i))
                + CodedOutputStream.computeUInt64SizeNoTag(log.sub(i))
                + CodedOutputStream.computeUInt64SizeNoTag(length)
                + length;
      }
      size += Integer.BYTES;
      return size;
    }

    public void writeTo(OutputStream out) throws IOException {
      CheckedOutputStream checked = new CheckedOutputStream(out, new CRC32C());
      CodedOutputStream coded = CodedOutputStream.newInstance(checked, 1 << 16);
      coded.writeRawBytes(bigEndian(SNAPSHOT_MAGIC));
      coded.writeRawByte(SNAPSHOT_VERSION);
      coded.writeUInt64NoTag(current);
      coded.writeUInt64NoTag(compacted);
      coded.writeUInt64NoTag(log.size());
      for (int i = 0; i < log.size(); i++) {
        coded.writeUInt64NoTag(log.main(i));
        coded.writeUInt64NoTag(log.sub(i));
        coded.writeUInt64NoTag(log.kv(i).length);
        coded.writeRawBytes(log.kv(i));
      }
      coded.flush();
      out.write(bigEndian((int) checked.getChecksum().getValue()));
      out.flush();
    }

    private static byte[] bigEndian(int v) {
      return ByteBuffer.allocate(Integer.BYTES).putInt(v).array();
    }
  }

  /**
   * Rebuilds a store from {@link #writeSnapshot}'s bytes; fails on a bad version or checksum. The
   * bytes are read where they are: each revision's is copied once, into its own array.
   */
  public static KvStore restore(ByteString snapshot) throws IOException {
    int body = snapshot.size() - Integer.BYTES;
    if (body < Integer.BYTES + 1) {
      throw new IOException("mvcc snapshot too short");
    }
    if (bigEndianInt(snapshot, 0) != SNAPSHOT_MAGIC) {
      throw new IOException("not an mvcc snapshot");
    }
    byte version = snapshot.byteAt(Integer.BYTES);
    if (version != SNAPSHOT_VERSION) {
      throw new IOException("unknown mvcc snapshot version " + version);
    }
    // The checksum is checked before anything is replayed: damaged bytes never reach the index.
    if (bigEndianInt(snapshot, body) != crc32c(snapshot.substring(0, body))) {
      throw new IOException("mvcc snapshot checksum mismatch");
    }
    // Over newInput(): the coded input of a rope (a snapshot received in pieces) would copy each
    // revision larger than its buffer twice.
    CodedInputStream in =
        CodedInputStream.newInstance(snapshot.substring(Integer.BYTES + 1, body).newInput());
    KvStore store = new KvStore();
    long current = in.readUInt64();
    long compacted = in.readUInt64();
    long entries = in.readUInt64();
    for (long i = 0; i < entries; i++) {
      long main = in.readUInt64();
      int sub = Math.toIntExact(in.readUInt64());
      // Its own array, not a slice of the snapshot's: stored revisions outlive the snapshot.
      store.replay(main, sub, in.readRawBytes(Math.toIntExact(in.readUInt64())));
    }
    if (!in.isAtEnd()) {
      throw new IOException("mvcc snapshot has bytes after its last revision");
    }
    store.currentRevision = current;
    store.compactRevision = compacted;
    return store;
  }

  /**
   * Replaces this store's whole content with a snapshot's (a member installing the leader's
   * snapshot); watchers then catch up from the new history. The apply thread only.
   */
  public void restoreFrom(ByteString snapshot) throws IOException {
    KvStore loaded = restore(snapshot);
    lock.writeLock().lock();
    try {
      index.clear();
      index.putAll(loaded.index);
      history.takeFrom(loaded.history);
      currentRevision = loaded.currentRevision;
      compactRevision = loaded.compactRevision;
      totalBytes = loaded.totalBytes;
      inUseBytes = loaded.inUseBytes;
      keyCount = loaded.keyCount;
    } finally {
      lock.writeLock().unlock();
    }
    listener.replaced();
  }

  // ---- used by TxnWrite (write lock held) ----

  /** Stores {@code kv}, the serialized KeyValue for {@code key} at revision main.sub. */
  void applyPut(long main, int sub, ByteString key, byte[] kv) {
    KeyIndex ki = index.get(key);
    if (ki == null) {
      // A new key gets its own compact copy, held once (as map key and KeyIndex key): an index key
      // then never pins a request's buffer or, parsed from a stored revision, that revision's
      // array.
      ByteString copy = UnsafeByteOperations.unsafeWrap(key.toByteArray());
      ki = new KeyIndex(copy);
      index.put(copy, ki);
    }
    byte[] prevLive = ki.latest();
    ki.put(main, kv);
    history.append(main, sub, kv);
    totalBytes += sizeOf(kv);
    inUseBytes += sizeOf(kv) - sizeOf(prevLive);
    if (prevLive == null) {
      keyCount++;
    }
  }

  void applyDelete(long main, int sub, ByteString key, byte[] tombstone) {
    KeyIndex ki = index.get(key);
    byte[] prevLive = ki.latest();
    ki.tombstone(main, tombstone);
    history.append(main, sub, tombstone);
    totalBytes += sizeOf(tombstone);
    inUseBytes -= sizeOf(prevLive);
    keyCount--;
  }

  void commit(long rev, List<Event> events, List<KeyValue> prevKvs) {
    currentRevision = rev;
    lock.writeLock().unlock();
    listener.committed(rev, events, prevKvs);
  }

  void abandon() {
    lock.writeLock().unlock();
  }

  /** Live KeyIndexes whose key is in etcd's range form [key, end). */
  Iterable<KeyIndex> select(ByteString key, ByteString end) {
    if (end.isEmpty()) {
      KeyIndex ki = index.get(key);
      return ki == null ? List.of() : List.of(ki);
    }
    if (end.equals(ZERO)) {
      return index.tailMap(key, true).values();
    }
    if (KEY_ORDER.compare(key, end) >= 0) {
      return List.of();
    }
    return index.subMap(key, true, end, false).values();
  }

  /** Lock held; {@code latest} is the revision a request without revision reads. */
  RangeResult rangeLocked(RangeRequest req, long latest) {
    long at = req.getRevision() <= 0 ? latest : req.getRevision();
    checkReadable(at, latest);
    boolean filtered =
        req.getMinModRevision() != 0
            || req.getMaxModRevision() != 0
            || req.getMinCreateRevision() != 0
            || req.getMaxCreateRevision() != 0;
    // etcd's rule: fetch limit+1 (to learn `more`) only when neither sorting nor filtering.
    long fetchLimit = req.getSortOrder() != SortOrder.NONE || filtered ? 0 : req.getLimit();
    if (fetchLimit > 0) {
      fetchLimit++;
    }
    List<KeyValue> kvs = new ArrayList<>();
    long count = 0;
    for (KeyIndex ki : select(req.getKey(), req.getRangeEnd())) {
      byte[] kv = ki.get(at);
      if (kv == null) {
        continue;
      }
      count++;
      if (!req.getCountOnly() && (fetchLimit == 0 || kvs.size() < fetchLimit)) {
        kvs.add(parse(kv));
      }
    }
    if (filtered) {
      kvs.removeIf(kv -> !passes(req, kv));
    }
    SortOrder order = req.getSortOrder();
    if (req.getSortTarget() != SortTarget.KEY && order == SortOrder.NONE) {
      order = SortOrder.ASCEND;
    } else if (req.getSortTarget() == SortTarget.KEY && order == SortOrder.ASCEND) {
      order = SortOrder.NONE; // already in key order
    }
    if (order != SortOrder.NONE) {
      Comparator<KeyValue> cmp = comparator(req.getSortTarget());
      kvs.sort(order == SortOrder.DESCEND ? cmp.reversed() : cmp);
    }
    boolean more = false;
    if (req.getLimit() > 0 && kvs.size() > req.getLimit()) {
      kvs = kvs.subList(0, (int) req.getLimit());
      more = true;
    }
    if (req.getKeysOnly()) {
      kvs.replaceAll(kv -> kv.toBuilder().clearValue().build());
    }
    return new RangeResult(List.copyOf(kvs), count, more, currentRevision);
  }

  /** A batch of history for watch catch-up. */
  record HistoryBatch(
      List<Event> events, List<KeyValue> prevKvs, long endRevision, long compactRevision) {}

  /**
   * Events from revision {@code from} on, at most {@code maxRevisions} distinct revisions, never
   * splitting one; {@code endRevision} is the last revision covered. With {@code withPrev}, the
   * value at mod_revision-1 of each non-create event, unless compacted.
   */
  HistoryBatch history(long from, int maxRevisions, boolean withPrev) {
    lock.readLock().lock();
    try {
      long compacted = compactRevision;
      long start = Math.max(from, compacted);
      List<Event> events = new ArrayList<>();
      List<KeyValue> prevs = new ArrayList<>();
      long end = currentRevision;
      long revisions = 0;
      long lastMain = -1;
      for (int i = history.firstAfter(start - 1); i < history.size(); i++) {
        long main = history.main(i);
        if (main != lastMain) {
          if (revisions == maxRevisions) {
            end = lastMain;
            break;
          }
          revisions++;
          lastMain = main;
        }
        KeyValue kv = parse(history.kv(i));
        boolean delete = kv.getVersion() == 0;
        events.add(
            Event.newBuilder()
                .setType(delete ? Event.EventType.DELETE : Event.EventType.PUT)
                .setKv(kv)
                .build());
        KeyValue prev = null;
        if (withPrev && (delete || kv.getVersion() > 1) && main - 1 >= compacted) {
          prev = parseOrNull(index.get(kv.getKey()).get(main - 1));
        }
        prevs.add(prev);
      }
      return new HistoryBatch(events, prevs, end, compacted);
    } finally {
      lock.readLock().unlock();
    }
  }

  void checkReadable(long at, long latest) {
    if (at > latest) {
      throw new FutureRevisionException();
    }
    if (at < compactRevision) {
      throw new CompactedException();
    }
  }

  /**
   * Stores a snapshot's revision as its bytes are: they are what serialising the KeyValue gave when
   * the snapshot was written, so hashes and later snapshots stay byte-for-byte the same.
   */
  private void replay(long main, int sub, byte[] kv) {
    KeyValue parsed = parse(kv);
    if (parsed.getVersion() == 0) {
      applyDelete(main, sub, parsed.getKey(), kv);
    } else {
      applyPut(main, sub, parsed.getKey(), kv);
    }
  }

  /**
   * A stored revision as a KeyValue. Key and value alias {@code kv} rather than copy it: stored
   * arrays never change.
   */
  static KeyValue parse(byte[] kv) {
    try {
      CodedInputStream in = UnsafeByteOperations.unsafeWrap(kv).newCodedInput();
      in.enableAliasing(true);
      return KeyValue.parseFrom(in);
    } catch (IOException e) {
      throw new IllegalStateException("unreadable stored revision", e);
    }
  }

  static KeyValue parseOrNull(byte[] kv) {
    return kv == null ? null : parse(kv);
  }

  private static boolean passes(RangeRequest req, KeyValue kv) {
    return (req.getMinModRevision() == 0 || kv.getModRevision() >= req.getMinModRevision())
        && (req.getMaxModRevision() == 0 || kv.getModRevision() <= req.getMaxModRevision())
        && (req.getMinCreateRevision() == 0 || kv.getCreateRevision() >= req.getMinCreateRevision())
        && (req.getMaxCreateRevision() == 0
            || kv.getCreateRevision() <= req.getMaxCreateRevision());
  }

  private static Comparator<KeyValue> comparator(SortTarget target) {
    return switch (target) {
      case VERSION -> Comparator.comparingLong(KeyValue::getVersion);
      case CREATE -> Comparator.comparingLong(KeyValue::getCreateRevision);
      case MOD -> Comparator.comparingLong(KeyValue::getModRevision);
      case VALUE -> Comparator.comparing(KeyValue::getValue, KEY_ORDER);
      default -> Comparator.comparing(KeyValue::getKey, KEY_ORDER);
    };
  }

  private static long sizeOf(byte[] kv) {
    return kv == null ? 0 : ENTRY_OVERHEAD + kv.length;
  }

  private void hashEntry(CRC32C crc, int i) {
    updateLong(crc, history.main(i));
    updateLong(crc, history.sub(i));
    crc.update(history.kv(i));
  }

  private static void updateLong(CRC32C crc, long v) {
    for (int i = 56; i >= 0; i -= 8) {
      crc.update((int) (v >>> i));
    }
  }

  private static int bigEndianInt(ByteString bytes, int offset) {
    int v = 0;
    for (int i = offset; i < offset + Integer.BYTES; i++) {
      v = v << 8 | Byte.toUnsignedInt(bytes.byteAt(i));
    }
    return v;
  }

  /** CRC32C of {@code bytes} read where they are (ByteString.writeTo would copy them first). */
  private static int crc32c(ByteString bytes) throws IOException {
    CRC32C crc = new CRC32C();
    UnsafeByteOperations.unsafeWriteTo(
        bytes,
        new ByteOutput() {
          @Override
          public void write(byte value) {
            crc.update(value);
          }

          @Override
          public void write(byte[] value, int offset, int length) {
            crc.update(value, offset, length);
          }

          @Override
          public void writeLazy(byte[] value, int offset, int length) {
            write(value, offset, length);
          }

          @Override
          public void write(ByteBuffer value) {
            crc.update(value);
          }

          @Override
          public void writeLazy(ByteBuffer value) {
            write(value);
          }
        });
    return (int) crc.getValue();
  }
}
