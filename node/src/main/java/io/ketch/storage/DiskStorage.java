package io.ketch.storage;

import io.ketch.raft.Storage;
import io.ketch.raft.pb.ConfState;
import io.ketch.raft.pb.Entry;
import io.ketch.raft.pb.HardState;
import io.ketch.raft.pb.Snapshot;
import io.ketch.raft.pb.SnapshotMetadata;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.queue.RollCycles;

/**
 * A member's Raft storage on disk: the write-ahead log ({@link Wal}) and the snapshot files ({@link
 * SnapshotStore}). Unlike etcd, which keeps the whole log since the last compaction in memory, only
 * the newest entries stay in memory ({@link Options#cachedEntryBytes}, which covers replicating and
 * applying what was just appended); the others are read back from the WAL when raft asks for them
 * (a follower catching up, the entries re-applied after a restart). What stays for every entry is
 * its term and where it is ({@link LogPositions}), sixteen bytes. The log since the last snapshot
 * is up to --snapshot-count entries long, 100,000 by default: held whole, each entry lived until
 * the next snapshot, long enough to reach the old generation, which an idle member's collector does
 * not clean (docs/benchmarks.md has the resident memory before and after).
 *
 * <p>Layout under the data directory (etcd's names):
 *
 * <pre>
 *   member/wal/    Chronicle Queue roll files (*.cq4) and its metadata.cq4t; wal.repair and
 *                  wal.broken appear beside it only while or after repairing a damaged tail
 *   member/snap/   &lt;term&gt;-&lt;index&gt;.snap (16 hex digits each), *.broken for damaged ones
 * </pre>
 *
 * <p>Restart: the newest valid snapshot, then the WAL replayed after it; the result is exactly the
 * synced state. The snapshot's file is read once, its data handed to the first {@link #snapshot()}
 * call and not kept. The log then starts at the snapshot (entries kept before it for slow followers
 * are not reloaded; such followers get the snapshot).
 *
 * <p>Retention: WAL roll files are released up to the oldest snapshot file still kept, so that if
 * the newest snapshot file turns out damaged, the previous one plus the WAL still rebuild the
 * state, and never past the first entry of the log, which is read back from them.
 *
 * <p>Threads: the writing methods ({@link #save}, {@link #saveSnapshot}, {@link #createSnapshot},
 * {@link #close}) belong to one thread, the raft thread (they are serialised by a lock anyway). The
 * {@link Storage} reads may come from any thread: they take a short lock on the in-memory state,
 * held across disk I/O only to read entries older than the cache back from the WAL, and they see a
 * write only once it is on disk (when it was made with {@code mustSync}).
 */
public final class DiskStorage implements Storage, AutoCloseable {

  /**
   * @param minFreeBytes WAL appends fail (cleanly) when the disk has less than this free
   * @param snapshotsToKeep snapshot files retained (at least 1; 2 or more allows falling back)
   * @param entriesToKeep entries kept in the log before a snapshot's index for slow followers
   * @param maxEntryBytes the largest raft entry the log must hold; sizes the WAL's mapping
   * @param cachedEntryBytes how much of the newest entries stays in memory (0: read every entry
   *     back from the WAL)
   * @param onWalFailure told once when the WAL fails (an fsync error): the member must stop
   */
  public record Options(
      long minFreeBytes,
      int snapshotsToKeep,
      long entriesToKeep,
      long maxEntryBytes,
      long cachedEntryBytes,
      Consumer<Throwable> onWalFailure) {

    /**
     * 256 MiB free space, 2 snapshots, 5000 entries (etcd's snapshot catch-up count), entries up to
     * 2 MiB (etcd's default request limit plus gRPC's allowance), 1 MiB of entries cached: about
     * 3,000 puts of 256-byte values, three times what 1,000 clients can have in flight.
     */
    public static Options defaults(Consumer<Throwable> onWalFailure) {
      return new Options(256L << 20, 2, 5_000, 2L << 20, 1L << 20, onWalFailure);
    }

    public Options withEntriesToKeep(long entries) {
      return new Options(
          minFreeBytes, snapshotsToKeep, entries, maxEntryBytes, cachedEntryBytes, onWalFailure);
    }

    public Options withMaxEntryBytes(long bytes) {
      return new Options(
          minFreeBytes, snapshotsToKeep, entriesToKeep, bytes, cachedEntryBytes, onWalFailure);
    }

    public Options withCachedEntryBytes(long bytes) {
      return new Options(
          minFreeBytes, snapshotsToKeep, entriesToKeep, maxEntryBytes, bytes, onWalFailure);
    }
  }

  /** The largest entry {@link Options#maxEntryBytes} may promise (then the WAL maps 2 GiB). */
  public static final long MAX_ENTRY_BYTES = 256L << 20;

  private static final long MIN_WAL_BLOCK = 16L << 20;
  private static final long WAL_RECORD_FRAMING = 64 << 10;

  private final Options options;
  private final Wal wal;
  private final SnapshotStore snapshots;
  private final Object writer = new Object();
  private final Object state = new Object();

  /** Every entry's term and document, from the compaction point on. */
  private final LogPositions log;

  /** The newest entries, from {@link #cacheFirst} to the last index. */
  private final List<Entry> cache = new ArrayList<>();

  private long cacheFirst;
  private long cacheBytes;

  // Only the metadata stays in memory: the data (the whole state) is read back from its file on the
  // rare occasions raft sends it to a follower.
  private SnapshotMetadata snapshot;
  // The newest snapshot as open() read it, until the first snapshot() call (the member's starting
  // state) takes it or a newer one replaces it, so that restart reads the file once.
  private Snapshot readAtOpen;
  private HardState hardState;

  private DiskStorage(
      Options options,
      Wal wal,
      SnapshotStore snapshots,
      Snapshot readAtOpen,
      Wal.Replayed replayed) {
    this.options = options;
    this.wal = wal;
    this.snapshots = snapshots;
    this.snapshot = readAtOpen.getMetadata();
    this.readAtOpen = readAtOpen;
    long snapshotIndex = snapshot.getIndex();
    this.log = replayed.log();
    this.cacheFirst = this.log.lastIndex() + 1;
    // The snapshot's entries are committed even if the commit index that said so was not synced.
    this.hardState =
        replayed.hardState().getCommit() >= snapshotIndex
            ? replayed.hardState()
            : replayed.hardState().toBuilder().setCommit(snapshotIndex).build();
  }

  /** Opens the storage under {@code dataDir}, creating it if needed, and recovers its state. */
  public static DiskStorage open(Path dataDir, Options options) throws IOException {
    return open(
        dataDir,
        options,
        new Wal.Options(
            RollCycles.FIVE_MINUTELY,
            walBlockSize(options.maxEntryBytes()),
            options.minFreeBytes(),
            SystemTimeProvider.INSTANCE));
  }

  /**
   * Chronicle maps its files a block at a time and writes a document only if it fits in a quarter
   * of a block, so the block must be at least four times the largest record. The mapped blocks
   * count in the member's resident memory (a written block stays mapped until the next one), so it
   * is no bigger than that: 16 MiB for etcd's default request limit.
   */
  static long walBlockSize(long maxEntryBytes) {
    if (maxEntryBytes <= 0 || maxEntryBytes > MAX_ENTRY_BYTES) {
      throw new IllegalArgumentException(
          "entries of " + maxEntryBytes + " bytes: the WAL holds 1 to " + MAX_ENTRY_BYTES);
    }
    long needed = 4 * (maxEntryBytes + WAL_RECORD_FRAMING);
    return Math.max(MIN_WAL_BLOCK, Long.highestOneBit(needed - 1) << 1);
  }

  static DiskStorage open(Path dataDir, Options options, Wal.Options walOptions)
      throws IOException {
    Path member = dataDir.resolve("member");
    SnapshotStore snapshots = new SnapshotStore(member.resolve("snap"), options.snapshotsToKeep());
    Snapshot snapshot = snapshots.newestValid().orElse(Snapshot.getDefaultInstance());
    SnapshotMetadata meta = snapshot.getMetadata();
    Wal wal = Wal.open(member.resolve("wal"), walOptions, options.onWalFailure()::accept);
    try {
      return new DiskStorage(
          options, wal, snapshots, snapshot, wal.replay(meta.getIndex(), meta.getTerm()));
    } catch (RuntimeException e) {
      wal.close();
      throw e;
    }
  }

  /**
   * Appends {@code entries} (discarding every entry at or after the first one's index) and records
   * {@code hardState} (null or empty: unchanged). Durable on return when {@code mustSync}, with one
   * sync for the whole call; otherwise it becomes durable with the next synced save.
   *
   * @throws IllegalArgumentException if the entries are not consecutive or leave a gap after the
   *     last index
   * @throws StorageException if the WAL refuses (failed earlier, fails now, or the disk is full)
   */
  public void save(HardState hardState, List<Entry> entries, boolean mustSync) {
    synchronized (writer) {
      List<Entry> fresh = withoutCompacted(entries);
      checkAppendable(fresh);
      HardState changed = isEmpty(hardState) ? null : hardState;
      long[] documents = wal.append(fresh, changed);
      if (mustSync) {
        wal.sync();
      }
      synchronized (state) {
        for (int i = 0; i < fresh.size(); i++) {
          Entry e = fresh.get(i);
          log.append(e.getIndex(), e.getTerm(), documents[i]);
        }
        if (!fresh.isEmpty()) {
          cache(fresh);
        }
        if (changed != null) {
          this.hardState = changed;
        }
      }
    }
  }

  /**
   * Installs a snapshot received from the leader: its file is durable, then a WAL record saying the
   * log was replaced by it (with the commit index raised to it) is synced, and the in-memory log is
   * reset to it. Durable on return.
   *
   * @throws IllegalArgumentException if it is not newer than the current snapshot
   */
  public void saveSnapshot(Snapshot snapshot) {
    synchronized (writer) {
      SnapshotMetadata meta = snapshot.getMetadata();
      HardState raised;
      synchronized (state) {
        checkNewer(meta.getIndex());
        raised =
            hardState.getCommit() >= meta.getIndex()
                ? hardState
                : hardState.toBuilder().setCommit(meta.getIndex()).build();
      }
      synchronized (snapshots) {
        snapshots.save(meta, SnapshotData.of(snapshot.getData()));
      }
      wal.appendLogReset(meta.getIndex(), meta.getTerm());
      wal.append(List.of(), raised);
      wal.sync();
      synchronized (state) {
        this.snapshot = meta;
        this.readAtOpen = null;
        this.hardState = raised;
        log.reset(meta.getIndex(), meta.getTerm());
        emptyCache(meta.getIndex() + 1);
      }
      releaseWal();
    }
  }

  /**
   * Records the application's own snapshot of its state as of {@code index} (applied, hence
   * committed), {@code data} streamed into its file, which is durable on return. The in-memory log
   * is then compacted to keep {@link Options#entriesToKeep()} entries before {@code index}, and WAL
   * files wholly before the oldest retained snapshot are deleted. Any thread may call it: the file
   * is written without holding up {@link #save}, which only waits for the short compaction at the
   * end. A snapshot that is not newer than the current one (one installed from the leader overtook
   * it) changes nothing.
   *
   * @throws IllegalArgumentException if {@code index} is beyond the last index
   */
  public void createSnapshot(long index, ConfState confState, SnapshotData data) {
    long term;
    synchronized (state) {
      if (index <= snapshot.getIndex()) {
        return;
      }
      if (index > log.lastIndex()) {
        throw new IllegalArgumentException(
            "snapshot index " + index + " is beyond the last index " + log.lastIndex());
      }
      term = termLocked(index);
    }
    SnapshotMetadata meta =
        SnapshotMetadata.newBuilder().setIndex(index).setTerm(term).setConfState(confState).build();
    synchronized (snapshots) {
      snapshots.save(meta, data);
    }
    synchronized (writer) {
      synchronized (state) {
        if (index <= snapshot.getIndex()) {
          return;
        }
        this.snapshot = meta;
        this.readAtOpen = null;
        log.compactTo(index - options.entriesToKeep());
      }
      releaseWal();
    }
  }

  @Override
  public InitialState initialState() {
    synchronized (state) {
      return new InitialState(hardState, snapshot.getConfState());
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Entries older than the cache are read from the WAL under the state lock: that is rare (a
   * follower catching up, a restart), it keeps the answer consistent with a concurrent {@link
   * #save}, and the files it reads cannot be released meanwhile ({@link #releaseWal}).
   */
  @Override
  public List<Entry> entries(long lo, long hi, long maxSize) {
    synchronized (state) {
      if (lo <= log.offset()) {
        throw new CompactedException(lo, log.offset() + 1);
      }
      if (hi > log.lastIndex() + 1) {
        throw new UnavailableException(hi - 1, log.lastIndex());
      }
      List<Entry> result = new ArrayList<>();
      long size = 0;
      try (WalEntries fromWal = new WalEntries()) {
        for (long i = lo; i < hi; i++) {
          Entry e = i >= cacheFirst ? cache.get((int) (i - cacheFirst)) : fromWal.get(i);
          size += e.getSerializedSize();
          if (!result.isEmpty() && size > maxSize) {
            break;
          }
          result.add(e);
        }
      }
      return List.copyOf(result);
    }
  }

  @Override
  public long term(long index) {
    synchronized (state) {
      return termLocked(index);
    }
  }

  @Override
  public long lastIndex() {
    synchronized (state) {
      return log.lastIndex();
    }
  }

  @Override
  public long firstIndex() {
    synchronized (state) {
      return log.offset() + 1;
    }
  }

  /**
   * The newest snapshot: the first call after a restart gets the one read then, later ones read it
   * from its file.
   *
   * @throws SnapshotTemporarilyUnavailableException if a newer snapshot replaced its file while it
   *     was being read (raft asks again later)
   */
  @Override
  public Snapshot snapshot() {
    SnapshotMetadata meta;
    synchronized (state) {
      if (readAtOpen != null) {
        Snapshot taken = readAtOpen;
        readAtOpen = null;
        return taken;
      }
      meta = snapshot;
    }
    if (meta.getIndex() == 0) {
      return Snapshot.getDefaultInstance();
    }
    Optional<Snapshot> loaded = snapshots.load(meta);
    if (loaded.isPresent()) {
      return loaded.get();
    }
    if (snapshotMetadata().getIndex() != meta.getIndex()) {
      throw new SnapshotTemporarilyUnavailableException(); // replaced while being read
    }
    throw new StorageException("the file of the snapshot at " + meta.getIndex() + " is gone");
  }

  /** The newest snapshot's index, term and membership, without its data. */
  public SnapshotMetadata snapshotMetadata() {
    synchronized (state) {
      return snapshot;
    }
  }

  /** How many entries are held in memory now (for tests of the cache's bound). */
  int cachedEntries() {
    synchronized (state) {
      return cache.size();
    }
  }

  @Override
  public void close() {
    synchronized (writer) {
      wal.close();
    }
  }

  private List<Entry> withoutCompacted(List<Entry> entries) {
    long first;
    synchronized (state) {
      first = log.offset() + 1;
    }
    int skip = 0;
    while (skip < entries.size() && entries.get(skip).getIndex() < first) {
      skip++; // already covered by the snapshot
    }
    return entries.subList(skip, entries.size());
  }

  private void checkAppendable(List<Entry> entries) {
    if (entries.isEmpty()) {
      return;
    }
    for (int i = 1; i < entries.size(); i++) {
      if (entries.get(i).getIndex() != entries.get(i - 1).getIndex() + 1) {
        throw new IllegalArgumentException(
            "entries not consecutive: "
                + entries.get(i).getIndex()
                + " after "
                + entries.get(i - 1).getIndex());
      }
    }
    long last = lastIndex();
    if (entries.get(0).getIndex() > last + 1) {
      throw new IllegalArgumentException(
          "missing log entries: first new " + entries.get(0).getIndex() + ", last " + last);
    }
  }

  /**
   * Deletes the WAL files wholly before both the oldest snapshot file kept and the first entry of
   * the log (which is read back from them). Holds the writer.
   */
  private void releaseWal() {
    long oldestSnapshot;
    synchronized (snapshots) {
      oldestSnapshot = snapshots.oldestIndex();
    }
    long beforeLog;
    synchronized (state) {
      beforeLog = log.offset();
    }
    wal.releaseBefore(Math.min(oldestSnapshot, beforeLog));
  }

  private void checkNewer(long index) {
    long current = snapshot.getIndex();
    if (index <= current) {
      throw new IllegalArgumentException(
          "snapshot at " + index + " is out of date (have " + current + ")");
    }
  }

  /**
   * Appends {@code fresh} (the entries just saved, from some index up to the new last one) to the
   * cache, dropping what they replace, then trims the oldest to the budget. Trimming drops down to
   * half the budget at once, so that it runs once per many saves.
   */
  private void cache(List<Entry> fresh) {
    long from = fresh.get(0).getIndex();
    if (from < cacheFirst) {
      emptyCache(from);
    } else {
      List<Entry> replaced = cache.subList((int) (from - cacheFirst), cache.size());
      replaced.forEach(e -> cacheBytes -= e.getSerializedSize());
      replaced.clear();
    }
    for (Entry e : fresh) {
      cache.add(e);
      cacheBytes += e.getSerializedSize();
    }
    if (cacheBytes > options.cachedEntryBytes()) {
      int drop = 0;
      while (drop < cache.size() && cacheBytes > options.cachedEntryBytes() / 2) {
        cacheBytes -= cache.get(drop++).getSerializedSize();
      }
      cache.subList(0, drop).clear();
      cacheFirst += drop;
    }
  }

  /** Empties the cache, whose next entry will be {@code first}. */
  private void emptyCache(long first) {
    cache.clear();
    cacheFirst = first;
    cacheBytes = 0;
  }

  private long termLocked(long index) {
    if (index < log.offset()) {
      throw new CompactedException(index, log.offset() + 1);
    }
    if (index > log.lastIndex()) {
      throw new UnavailableException(index, log.lastIndex());
    }
    return log.term(index);
  }

  private static boolean isEmpty(HardState hardState) {
    return hardState == null || hardState.equals(HardState.getDefaultInstance());
  }

  /**
   * Entries read back from the WAL for one {@link #entries} call under the state lock: each
   * document is read once, and the reader only opened if an entry is not cached.
   */
  private final class WalEntries implements AutoCloseable {
    private Wal.Reader reader;
    private long document = -1;
    private List<Entry> documentEntries = List.of();

    Entry get(long index) {
      long wanted = log.document(index);
      if (wanted != document) {
        if (reader == null) {
          reader = wal.reader();
        }
        documentEntries = reader.entries(wanted);
        document = wanted;
      }
      return find(index);
    }

    /**
     * The last write of {@code index} in the document. The documents this class writes hold
     * consecutive entries; one that holds some index twice (written by a log truncated within one
     * append) is searched from its end.
     */
    private Entry find(long index) {
      long first = documentEntries.get(0).getIndex();
      int last = documentEntries.size() - 1;
      if (documentEntries.get(last).getIndex() - first == last) {
        return documentEntries.get((int) (index - first));
      }
      for (int i = last; i >= 0; i--) {
        if (documentEntries.get(i).getIndex() == index) {
          return documentEntries.get(i);
        }
      }
      throw new StorageException("the WAL document for entry " + index + " does not hold it");
    }

    @Override
    public void close() {
      if (reader != null) {
        reader.close();
      }
    }
  }
}
