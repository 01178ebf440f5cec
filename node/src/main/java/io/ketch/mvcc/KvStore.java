package io.ketch.mvcc;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.ketch.pb.etcdserver.RangeRequest;
import io.ketch.pb.etcdserver.RangeRequest.SortOrder;
import io.ketch.pb.etcdserver.RangeRequest.SortTarget;
import io.ketch.pb.mvcc.Event;
import io.ketch.pb.mvcc.KeyValue;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * The revisioned key-value store, all in memory (etcd's mvcc store, without a backend: durability
 * is the Raft log plus snapshots of this store, see {@link #writeSnapshot}).
 *
 * <p>Two structures: {@code index}, key to {@link KeyIndex} (sorted by unsigned bytes, for ranges),
 * and {@code history}, revision to key-value (revision order, for watch catch-up, hashes and
 * snapshots). Both hold the same KeyValue objects.
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
  // Rough per-revision bookkeeping cost (entry, revision, KeyValue, map nodes) for the size metric.
  private static final long ENTRY_OVERHEAD = 160;
  private static final int SNAPSHOT_MAGIC = 0x4b4d5643; // "KMVC"
  private static final byte SNAPSHOT_VERSION = 1;

  final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  final TreeMap<ByteString, KeyIndex> index = new TreeMap<>(KEY_ORDER);
  final TreeMap<Revision, KeyValue> history = new TreeMap<>();
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
      history
          .subMap(
              new Revision(compactRevision + 1, 0), true, new Revision(rev, Long.MAX_VALUE), true)
          .values()
          .forEach(kv -> touched.add(kv.getKey()));
      long[] freed = {0};
      for (ByteString key : touched) {
        KeyIndex ki = index.get(key);
        boolean empty =
            ki.compact(
                rev,
                dropped -> {
                  history.remove(dropped.rev());
                  freed[0] += sizeOf(dropped.kv());
                });
        if (empty) {
          index.remove(key);
        }
      }
      totalBytes -= freed[0];
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
      for (Map.Entry<Revision, KeyValue> e :
          history.headMap(new Revision(at, Long.MAX_VALUE), true).entrySet()) {
        hashEntry(crc, e.getKey(), e.getValue());
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
      history.forEach((rev, kv) -> hashEntry(crc, rev, kv));
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
   * The store as it is now, to be written later by any thread: only references are copied, under
   * the read lock (the KeyValues themselves never change), so the writer is not held up by the
   * bytes.
   */
  public SnapshotView snapshotView() {
    lock.readLock().lock();
    try {
      return new SnapshotView(
          history.keySet().toArray(new Revision[0]),
          history.values().toArray(new KeyValue[0]),
          currentRevision,
          compactRevision);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** A point-in-time copy of the store's references; see {@link #writeSnapshot} for the bytes. */
  public static final class SnapshotView {
    private final Revision[] revs;
    private final KeyValue[] kvs;
    private final long current;
    private final long compacted;

    private SnapshotView(Revision[] revs, KeyValue[] kvs, long current, long compacted) {
      this.revs = revs;
      this.kvs = kvs;
      this.current = current;
      this.compacted = compacted;
    }

    public void writeTo(OutputStream out) throws IOException {
      CheckedOutputStream checked = new CheckedOutputStream(out, new CRC32C());
      CodedOutputStream coded = CodedOutputStream.newInstance(checked, 1 << 16);
      coded.writeRawBytes(bigEndian(SNAPSHOT_MAGIC));
      coded.writeRawByte(SNAPSHOT_VERSION);
      coded.writeUInt64NoTag(current);
      coded.writeUInt64NoTag(compacted);
      coded.writeUInt64NoTag(revs.length);
      for (int i = 0; i < revs.length; i++) {
        coded.writeUInt64NoTag(revs[i].main());
        coded.writeUInt64NoTag(revs[i].sub());
        coded.writeUInt64NoTag(kvs[i].getSerializedSize());
        kvs[i].writeTo(coded);
      }
      coded.flush();
      out.write(bigEndian((int) checked.getChecksum().getValue()));
      out.flush();
    }

    private static byte[] bigEndian(int v) {
      return java.nio.ByteBuffer.allocate(Integer.BYTES).putInt(v).array();
    }
  }

  /** Rebuilds a store from {@link #writeSnapshot}'s bytes; fails on a bad version or checksum. */
  public static KvStore restore(InputStream in) throws IOException {
    // The checksum is checked before anything is replayed: damaged bytes never reach the index.
    byte[] all = in.readAllBytes();
    if (all.length < 2 * Integer.BYTES + 1) {
      throw new IOException("mvcc snapshot too short");
    }
    java.nio.ByteBuffer head = java.nio.ByteBuffer.wrap(all);
    if (head.getInt() != SNAPSHOT_MAGIC) {
      throw new IOException("not an mvcc snapshot");
    }
    if (head.get() != SNAPSHOT_VERSION) {
      throw new IOException("unknown mvcc snapshot version " + all[Integer.BYTES]);
    }
    CRC32C crc = new CRC32C();
    crc.update(all, 0, all.length - Integer.BYTES);
    if (java.nio.ByteBuffer.wrap(all, all.length - Integer.BYTES, Integer.BYTES).getInt()
        != (int) crc.getValue()) {
      throw new IOException("mvcc snapshot checksum mismatch");
    }
    CheckedInputStream checked =
        new CheckedInputStream(new java.io.ByteArrayInputStream(all), new CRC32C());
    DataInputStream data = new DataInputStream(checked);
    if (data.readInt() != SNAPSHOT_MAGIC) {
      throw new IOException("not an mvcc snapshot");
    }
    byte version = data.readByte();
    if (version != SNAPSHOT_VERSION) {
      throw new IOException("unknown mvcc snapshot version " + version);
    }
    KvStore store = new KvStore();
    long current = readVarLong(data);
    long compacted = readVarLong(data);
    long entries = readVarLong(data);
    for (long i = 0; i < entries; i++) {
      Revision rev = new Revision(readVarLong(data), readVarLong(data));
      byte[] bytes = new byte[Math.toIntExact(readVarLong(data))];
      data.readFully(bytes);
      store.replay(rev, KeyValue.parseFrom(bytes));
    }
    int expected = (int) checked.getChecksum().getValue();
    if (data.readInt() != expected) {
      throw new IOException("mvcc snapshot checksum mismatch");
    }
    store.currentRevision = current;
    store.compactRevision = compacted;
    return store;
  }

  /**
   * Replaces this store's whole content with a snapshot's (a member installing the leader's
   * snapshot); watchers then catch up from the new history. The apply thread only.
   */
  public void restoreFrom(InputStream in) throws IOException {
    KvStore loaded = restore(in);
    lock.writeLock().lock();
    try {
      index.clear();
      index.putAll(loaded.index);
      history.clear();
      history.putAll(loaded.history);
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

  void applyPut(Revision rev, KeyValue kv, KeyValue prevLive) {
    index.computeIfAbsent(kv.getKey(), KeyIndex::new).put(rev, kv);
    history.put(rev, kv);
    totalBytes += sizeOf(kv);
    inUseBytes += sizeOf(kv) - (prevLive == null ? 0 : sizeOf(prevLive));
    if (prevLive == null) {
      keyCount++;
    }
  }

  void applyDelete(Revision rev, KeyValue tombstone, KeyValue prevLive) {
    index.get(tombstone.getKey()).tombstone(rev, tombstone);
    history.put(rev, tombstone);
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
      KeyValue kv = ki.get(at);
      if (kv == null) {
        continue;
      }
      count++;
      if (!req.getCountOnly() && (fetchLimit == 0 || kvs.size() < fetchLimit)) {
        kvs.add(kv);
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
      for (Map.Entry<Revision, KeyValue> e :
          history.tailMap(new Revision(start, 0), true).entrySet()) {
        long main = e.getKey().main();
        if (main != lastMain) {
          if (revisions == maxRevisions) {
            end = lastMain;
            break;
          }
          revisions++;
          lastMain = main;
        }
        KeyValue kv = e.getValue();
        boolean delete = kv.getVersion() == 0;
        events.add(
            Event.newBuilder()
                .setType(delete ? Event.EventType.DELETE : Event.EventType.PUT)
                .setKv(kv)
                .build());
        KeyValue prev = null;
        if (withPrev && (delete || kv.getVersion() > 1) && main - 1 >= compacted) {
          prev = index.get(kv.getKey()).get(main - 1);
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

  private void replay(Revision rev, KeyValue kv) {
    if (kv.getVersion() == 0) {
      KeyIndex ki = index.get(kv.getKey());
      applyDelete(rev, kv, ki == null ? null : ki.latest());
    } else {
      KeyIndex ki = index.get(kv.getKey());
      applyPut(rev, kv, ki == null ? null : ki.latest());
    }
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

  static long sizeOf(KeyValue kv) {
    return kv == null ? 0 : ENTRY_OVERHEAD + kv.getKey().size() + kv.getValue().size();
  }

  private static void hashEntry(CRC32C crc, Revision rev, KeyValue kv) {
    updateLong(crc, rev.main());
    updateLong(crc, rev.sub());
    crc.update(kv.toByteArray());
  }

  private static void updateLong(CRC32C crc, long v) {
    for (int i = 56; i >= 0; i -= 8) {
      crc.update((int) (v >>> i));
    }
  }

  private static long readVarLong(DataInputStream in) throws IOException {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = in.readUnsignedByte();
      v |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return v;
      }
    }
    throw new IOException("malformed varint in mvcc snapshot");
  }
}
