package io.ketch.storage;

import io.ketch.raft.pb.Entry;
import io.ketch.raft.pb.HardState;
import io.ketch.storage.WalDocument.CorruptDocumentException;
import io.ketch.storage.WalRecord.EntryRecord;
import io.ketch.storage.WalRecord.HardStateRecord;
import io.ketch.storage.WalRecord.LogResetRecord;
import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.core.Jvm;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueStore;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write-ahead log: raft entries and HardStates ({@link WalRecord}s) in a Chronicle Queue. Each
 * {@link #append} writes its records as one queue document ({@link WalDocument}, with its own
 * sequence number and CRC32C; a batch larger than {@link #maxDocumentBytes} is split at record
 * boundaries into several, each self-contained), and each {@link #appendLogReset} one of its own.
 * Documents written by earlier versions, one record each, are still read.
 *
 * <p><b>Durability contract.</b> {@link #append} and {@link #appendLogReset} only buffer (the
 * documents sit in mapped memory: they survive a JVM crash, not a power loss). {@link #sync} makes
 * every document appended so far durable with one msync(MS_SYNC) for the whole batch (group
 * commit), plus an fsync of any roll file the batch left and of the directory when a roll file was
 * created (Chronicle does neither). Acknowledge nothing before {@code sync} returns.
 *
 * <p><b>Failure.</b> Chronicle only logs a failed msync; this class routes Chronicle's error
 * channel ({@link Jvm#setErrorExceptionHandler}, installed once per JVM) to the WAL that is syncing
 * on that thread. Any error or exception while writing or syncing puts the WAL in a failed state:
 * the {@link FailureListener} hears it once, and every later call throws {@link StorageException}.
 * Nothing on disk is trusted after an I/O error until a restart re-reads it.
 *
 * <p><b>Truncation</b> is logical (a queue cannot lose its tail): on {@link #replay}, an entry
 * record for index i replaces every entry from i on (within one document too), exactly like etcd's
 * WAL; a log-reset record (a snapshot from the leader) discards every entry before it.
 *
 * <p><b>Torn or corrupt tail.</b> {@link #open} reads every document and stops at the first one
 * that is short, fails its CRC, has an unknown kind, does not parse into exactly its records or
 * breaks the sequence, or where Chronicle itself cannot go on; it also checks that Chronicle's
 * write position in the newest roll file (where its appender would go on) is the last readable
 * document, since a file cut at a document boundary reads cleanly but leaves that position past the
 * cut. A document counts whole or not at all (a torn tail holds only what no {@link #sync} had
 * returned for). If anything is left beyond the valid prefix, the WAL is <em>repaired</em>: the
 * valid documents are copied (byte for byte) into a fresh queue in {@code wal.repair}, synced, and
 * swapped in by two directory renames ({@code wal -> wal.broken}, {@code wal.repair -> wal}; an
 * interrupted swap is finished on the next open). We rewrite rather than append after the damage
 * because Chronicle's own write position and index live in the damaged file: appending there could
 * leave a zeroed gap that hides every later record from a reader, or a half-written header that
 * stalls the appender. After a repair, the queue holds only valid documents and new appends follow
 * them unambiguously. The damaged copy stays as {@code wal.broken} (the previous one is deleted)
 * for inspection. A corrupt document in the middle is treated the same way: everything from it on
 * is dropped (logged, and kept in {@code wal.broken}). Only disk corruption can cause that loss of
 * synced data, which Raft's failure model does not cover; {@link Recovery#damage} says what
 * happened.
 *
 * <p><b>Roll cycle and retention.</b> Chronicle rolls by wall-clock time, not size. The default
 * {@link RollCycles#FIVE_MINUTELY} bounds what one file holds to five minutes of writes, which is
 * the granularity at which {@link #releaseBefore} can give space back after a snapshot, while
 * keeping the file count low (at most 288 a day, usually only the few since the previous snapshot).
 * Tests pass a faster cycle and a settable clock to force rolls.
 *
 * <p>Not thread-safe: one thread (the raft thread) calls everything, except that a {@link Reader}
 * may read entries back on another.
 */
final class Wal implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Wal.class);
  private static final ThreadLocal<Wal> SYNCING = new ThreadLocal<>();
  private static final long SPACE_CHECK_BYTES = 8L << 20;

  /** Chronicle's document header: a 4-byte length with not-complete and metadata flags. */
  private static final int DOCUMENT_HEADER = 4;

  /**
   * Where a batch is split into documents: a sixteenth of the block, at most 4 MiB (1 MiB with a
   * member's default 16 MiB blocks, see DiskStorage). Chronicle keeps a quarter of the block size
   * (its overlap) mapped ahead of a document, the most one can safely hold; a quarter of that
   * leaves a wide margin. Per-document costs are long amortised at 4 MiB (~15,000 entries of 256
   * bytes), and reading a document back at open needs no bigger array. Smaller blocks (tests use 1
   * MiB) scale it down with them.
   */
  static int maxDocumentBytes(long blockSize) {
    return (int) Math.min(4L << 20, blockSize / 16);
  }

  static {
    Jvm.setErrorExceptionHandler(Wal::onChronicleError);
  }

  /**
   * @param rollCycle how often Chronicle starts a new file; the unit of {@link #releaseBefore}
   * @param blockSize Chronicle's mapping unit (bytes); files grow in these steps, and a document
   *     must fit in a quarter of it (DiskStorage sizes it)
   * @param minFreeBytes appends fail cleanly (without failing the WAL) when the file system has
   *     less than this left, checked at each roll and every 8 MiB written: running out of space
   *     under a mapped file kills the JVM with SIGBUS instead of an exception
   * @param timeProvider Chronicle's clock, which picks the roll cycle
   */
  record Options(
      RollCycle rollCycle, long blockSize, long minFreeBytes, TimeProvider timeProvider) {}

  /** Told once when the WAL fails; the member must stop. */
  interface FailureListener {
    void walFailed(Throwable cause);
  }

  /**
   * The durable state after a snapshot: the last HardState, and where the entries after the
   * snapshot are (read them with a {@link Reader}).
   */
  record Replayed(HardState hardState, LogPositions log) {}

  /**
   * What {@link #open} found.
   *
   * @param validDocuments queue documents that passed every check (each holds one or more records)
   * @param damage why reading stopped before the end of the queue, or null when it did not
   * @param repaired whether the valid prefix was rewritten into a fresh queue
   */
  record Recovery(long validDocuments, String damage, boolean repaired) {}

  private final Path dir;
  private final Options options;
  private final FailureListener listener;
  private final Recovery recovery;
  private final Map<Integer, File> fileByCycle = new HashMap<>();
  private final SingleChronicleQueue queue;
  private final ExcerptAppender appender;
  private final WalDocument.Encoder document;
  private Thread appenderOwner;

  /** Roll cycle -> highest raft index written in it (entries and log resets; 0 if none). */
  private final TreeMap<Integer, Long> maxIndexByCycle;

  private final Set<Integer> unsyncedCycles = new HashSet<>();
  private long lastSeq;
  private HardState lastHardState;
  private int lastHardStateCycle;
  private int lastWriteCycle = -1;
  private boolean unsynced;
  private boolean dirDirty;
  private long bytesSinceSpaceCheck;
  private Throwable chronicleError;
  private volatile Throwable failure;

  /** Runs right after the msync, inside the error-routing window; tests inject failures here. */
  Runnable afterMsync = () -> {};

  private Wal(
      Path dir,
      Options options,
      FailureListener listener,
      Recovery recovery,
      SingleChronicleQueue queue,
      Scan scan) {
    this.dir = dir;
    this.options = options;
    this.listener = listener;
    this.recovery = recovery;
    this.queue = queue;
    this.appender = queue.createAppender();
    this.document = new WalDocument.Encoder(maxDocumentBytes(options.blockSize()));
    this.maxIndexByCycle = scan.maxIndexByCycle;
    this.lastSeq = scan.lastSeq;
    this.lastHardState = scan.lastHardState;
    this.lastHardStateCycle = scan.lastHardStateCycle;
  }

  /**
   * Opens (creating if needed) the WAL in {@code dir}, checking every document and repairing a torn
   * or corrupt tail as the class documentation describes.
   */
  static Wal open(Path dir, Options options, FailureListener listener) throws IOException {
    finishInterruptedRepair(dir);
    Files.createDirectories(dir);
    SingleChronicleQueue queue = build(dir, options);
    Scan scan = Scan.of(queue);
    boolean repaired = false;
    if (scan.damage != null) {
      LOG.warn(
          "WAL {}: {} valid documents, then {}; repairing", dir, scan.validDocuments, scan.damage);
      queue.close();
      repair(dir, options, scan.validDocuments);
      repaired = true;
      queue = build(dir, options);
      Scan again = Scan.of(queue);
      if (again.damage != null || again.validDocuments != scan.validDocuments) {
        queue.close();
        throw new StorageException("WAL " + dir + " still damaged after repair: " + again.damage);
      }
    }
    return new Wal(
        dir,
        options,
        listener,
        new Recovery(scan.validDocuments, scan.damage, repaired),
        queue,
        scan);
  }

  Recovery recovery() {
    return recovery;
  }

  /**
   * Buffers {@code entries} then {@code hardState} (either may be empty/null) as one document, or
   * several when they exceed {@link #maxDocumentBytes}. Not durable until {@link #sync}.
   *
   * @return for each entry, in order, the document that holds it (what {@link Reader#entries}
   *     takes)
   * @throws StorageException if the WAL failed earlier or now, or disk space is too low
   */
  long[] append(List<Entry> entries, HardState hardState) {
    checkUsable();
    long[] documents = new long[entries.size()];
    int unwritten = 0;
    for (int i = 0; i < entries.size(); i++) {
      Entry e = entries.get(i);
      if (document.isFullFor(WalRecord.entrySize(e))) {
        Arrays.fill(documents, unwritten, i, write());
        unwritten = i;
      }
      document.addEntry(e);
    }
    if (hardState != null) {
      if (document.isFullFor(WalRecord.HARD_STATE_SIZE)) {
        Arrays.fill(documents, unwritten, entries.size(), write());
        unwritten = entries.size();
      }
      document.addHardState(hardState);
    }
    if (!document.isEmpty()) {
      long written = write();
      Arrays.fill(documents, unwritten, entries.size(), written);
      if (hardState != null) {
        lastHardState = hardState;
        lastHardStateCycle = cycleOf(written);
      }
    }
    return documents;
  }

  /**
   * Buffers a document saying that the log was replaced by the snapshot at ({@code index}, {@code
   * term}); the snapshot file must be durable before this document is. Not durable until {@link
   * #sync}.
   */
  void appendLogReset(long index, long term) {
    checkUsable();
    document.addLogReset(index, term);
    write();
  }

  /**
   * Makes everything appended so far durable: one msync for the batch, the fsync of a roll file the
   * batch left, and the directory fsync after a roll.
   *
   * @throws StorageException if the WAL failed earlier or fails now (then it stays failed)
   */
  void sync() {
    checkUsable();
    if (!unsynced && !dirDirty) {
      return;
    }
    SYNCING.set(this);
    chronicleError = null;
    try {
      claimAppender();
      appender.sync();
      afterMsync.run();
      for (int cycle : unsyncedCycles) {
        if (cycle != lastWriteCycle) {
          fsync(fileOf(cycle).toPath(), false);
        }
      }
      if (dirDirty) {
        fsync(dir, true);
      }
    } catch (IOException | RuntimeException e) {
      throw fail(e);
    } finally {
      SYNCING.remove();
    }
    if (chronicleError != null) {
      throw fail(chronicleError);
    }
    unsynced = false;
    dirDirty = false;
    unsyncedCycles.clear();
  }

  /**
   * Reads the WAL back: the last HardState and where the entries after the snapshot at ({@code
   * snapshotIndex}, {@code snapshotTerm}) are, with logical truncation applied.
   *
   * @throws StorageException if the WAL resets the log to a snapshot newer than {@code
   *     snapshotIndex} (that snapshot's file is missing), or has a gap after it
   */
  Replayed replay(long snapshotIndex, long snapshotTerm) {
    checkUsable();
    LogPositions log = new LogPositions(snapshotIndex, snapshotTerm);
    HardState hardState = HardState.getDefaultInstance();
    try (ExcerptTailer tailer = queue.createTailer()) {
      while (true) {
        List<WalRecord> records;
        long document;
        try (DocumentContext dc = tailer.readingDocument()) {
          if (!dc.isPresent()) {
            break;
          }
          document = dc.index();
          records = WalDocument.decode(body(dc)).records();
        }
        for (WalRecord record : records) {
          if (record instanceof HardStateRecord r) {
            hardState = r.hardState();
          } else if (record instanceof LogResetRecord r) {
            if (r.index() > snapshotIndex) {
              throw new StorageException(
                  "WAL resets the log to the snapshot at index "
                      + r.index()
                      + " but the newest valid snapshot is at "
                      + snapshotIndex);
            }
            log.reset(snapshotIndex, snapshotTerm);
          } else {
            replayEntry(((EntryRecord) record).entry(), document, log);
          }
        }
      }
    }
    return new Replayed(hardState, log);
  }

  /**
   * Records {@code e} in {@code log} (the log after the snapshot), replacing it from its index on.
   */
  private static void replayEntry(Entry e, long document, LogPositions log) {
    if (e.getIndex() <= log.offset()) {
      log.clear(); // replaces every entry kept
      return;
    }
    if (e.getIndex() > log.lastIndex() + 1) {
      throw new StorageException(
          "WAL gap: entry "
              + e.getIndex()
              + " follows "
              + log.lastIndex()
              + " (snapshot at "
              + log.offset()
              + ")");
    }
    log.append(e.getIndex(), e.getTerm(), document);
  }

  /**
   * Reads entries back from their documents. Any thread may use one while the WAL's own thread
   * appends, but only one thread at a time; close it when done (it holds a mapped file).
   */
  Reader reader() {
    return new Reader(queue.createTailer());
  }

  /** See {@link #reader}. */
  static final class Reader implements AutoCloseable {
    private final ExcerptTailer tailer;

    private Reader(ExcerptTailer tailer) {
      this.tailer = tailer;
    }

    /**
     * The entries of the document at {@code document}, as written (a later record for the same
     * index, which replaced an earlier one, comes after it).
     *
     * @throws StorageException if the document is gone
     */
    List<Entry> entries(long document) {
      List<WalRecord> records;
      try (DocumentContext dc = tailer.moveToIndex(document) ? tailer.readingDocument() : null) {
        if (dc == null || !dc.isPresent()) {
          throw new StorageException("the WAL has no document at " + Long.toHexString(document));
        }
        records = WalDocument.decode(body(dc)).records();
      }
      List<Entry> entries = new ArrayList<>(records.size());
      for (WalRecord record : records) {
        if (record instanceof EntryRecord r) {
          entries.add(r.entry());
        }
      }
      return entries;
    }

    @Override
    public void close() {
      tailer.close();
    }
  }

  /**
   * Deletes the oldest roll files all of whose entries are at or below {@code raftIndex}, never the
   * newest file. The latest HardState is first rewritten (and synced) if its file is going, so it
   * survives. Refreshes Chronicle's directory listing and fsyncs the directory.
   */
  void releaseBefore(long raftIndex) {
    sync();
    int newest = maxIndexByCycle.isEmpty() ? Integer.MIN_VALUE : maxIndexByCycle.lastKey();
    List<Integer> doomed = new ArrayList<>();
    for (Map.Entry<Integer, Long> e : maxIndexByCycle.entrySet()) {
      if (e.getKey() == newest || e.getValue() > raftIndex) {
        break;
      }
      doomed.add(e.getKey());
    }
    if (doomed.isEmpty()) {
      return;
    }
    if (lastHardState != null && doomed.contains(lastHardStateCycle)) {
      append(List.of(), lastHardState);
      sync();
    }
    try {
      for (int cycle : doomed) {
        Files.deleteIfExists(fileOf(cycle).toPath());
        maxIndexByCycle.remove(cycle);
        fileByCycle.remove(cycle);
      }
      queue.refreshDirectoryListing();
      fsync(dir, true);
    } catch (IOException | RuntimeException e) {
      throw fail(e);
    }
  }

  /** The roll files the WAL holds now, oldest first. */
  List<Path> rollFiles() {
    return maxIndexByCycle.keySet().stream().map(c -> fileOf(c).toPath()).toList();
  }

  /**
   * Chronicle's appender insists on one thread; the WAL's writer may hand over between threads (the
   * member bootstraps on its main thread, then the raft thread writes), never concurrently.
   */
  private void claimAppender() {
    if (appenderOwner != Thread.currentThread()) {
      appender.singleThreadedCheckReset();
      appenderOwner = Thread.currentThread();
    }
  }

  @Override
  public void close() {
    claimAppender();
    appender.close();
    queue.close();
  }

  /** Writes the document built so far as the next in sequence; returns its queue index. */
  private long write() {
    long seq = lastSeq + 1;
    long maxRaftIndex = document.maxRaftIndex();
    long bytes;
    long written;
    try {
      if (queue.cycle() != lastWriteCycle || bytesSinceSpaceCheck >= SPACE_CHECK_BYTES) {
        checkFreeSpace();
      }
      BytesStore<?, ?> body = document.finish(seq);
      bytes = body.readRemaining();
      written = writeToQueue(body);
    } finally {
      document.clear(); // a failed write too: the next call starts a fresh document
    }
    int cycle = cycleOf(written);
    if (cycle != lastWriteCycle) {
      if (!maxIndexByCycle.containsKey(cycle)) {
        dirDirty = true; // a new roll file: its directory entry needs an fsync
        maxIndexByCycle.put(cycle, 0L);
      }
      lastWriteCycle = cycle;
    }
    maxIndexByCycle.merge(cycle, maxRaftIndex, Math::max);
    unsyncedCycles.add(cycle);
    unsynced = true;
    lastSeq = seq;
    bytesSinceSpaceCheck += bytes;
    return written;
  }

  private long writeToQueue(BytesStore<?, ?> body) {
    try {
      claimAppender();
      appender.writeBytes(body);
      return appender.lastIndexAppended();
    } catch (RuntimeException e) {
      throw fail(e);
    }
  }

  private int cycleOf(long queueIndex) {
    return queue.rollCycle().toCycle(queueIndex);
  }

  private void checkFreeSpace() {
    long free;
    try {
      free = Files.getFileStore(dir).getUsableSpace();
    } catch (IOException e) {
      throw fail(e);
    }
    if (free < options.minFreeBytes()) {
      throw new StorageException(
          "only " + free + " bytes free under " + dir + ", need " + options.minFreeBytes());
    }
    bytesSinceSpaceCheck = 0;
  }

  private File fileOf(int cycle) {
    return fileByCycle.computeIfAbsent(
        cycle,
        c -> {
          SingleChronicleQueueStore store = queue.storeForCycle(c, queue.epoch(), false, null);
          if (store == null) {
            throw new StorageException("no roll file for cycle " + c + " in " + dir);
          }
          try {
            return store.file();
          } finally {
            queue.closeStore(store);
          }
        });
  }

  private void checkUsable() {
    if (failure != null) {
      throw new StorageException("the WAL failed earlier and refuses further work", failure);
    }
  }

  private StorageException fail(Throwable cause) {
    if (failure == null) {
      failure = cause;
      LOG.error("WAL {} failed; refusing further work", dir, cause);
      listener.walFailed(cause);
    }
    return new StorageException("WAL " + dir + " failed", cause);
  }

  private static void onChronicleError(Logger logger, String message, Throwable thrown) {
    Wal syncing = SYNCING.get();
    if (syncing != null && syncing.chronicleError == null) {
      syncing.chronicleError =
          new StorageException("Chronicle error during sync: " + message, thrown);
    }
    logger.error(message, thrown);
  }

  private static SingleChronicleQueue build(Path dir, Options options) {
    return SingleChronicleQueueBuilder.binary(dir)
        .rollCycle(options.rollCycle())
        .blockSize(options.blockSize())
        .timeProvider(options.timeProvider())
        .syncMode(SyncMode.SYNC)
        .build();
  }

  private static byte[] body(DocumentContext dc) {
    Bytes<?> bytes = dc.wire().bytes();
    byte[] body = new byte[(int) bytes.readRemaining()];
    bytes.read(body);
    return body;
  }

  /** The result of reading every document from the start. */
  private static final class Scan {
    final TreeMap<Integer, Long> maxIndexByCycle = new TreeMap<>();
    long validDocuments;
    long lastSeq;
    HardState lastHardState;
    int lastHardStateCycle = -1;
    int lastDocumentCycle;
    long lastDocumentPosition;
    String damage;

    static Scan of(SingleChronicleQueue queue) {
      Scan scan = new Scan();
      try (ExcerptTailer tailer = queue.createTailer()) {
        while (true) {
          try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent()) {
              break;
            }
            long queueIndex = dc.index();
            long position = dc.wire().bytes().readPosition() - DOCUMENT_HEADER;
            WalDocument document = WalDocument.decode(body(dc));
            if (scan.validDocuments > 0 && document.seq() != scan.lastSeq + 1) {
              scan.damage = "sequence gap: " + document.seq() + " after " + scan.lastSeq;
              break;
            }
            scan.account(document, queue.rollCycle().toCycle(queueIndex));
            scan.lastDocumentPosition = position;
          }
        }
      } catch (CorruptDocumentException e) {
        scan.damage = "a corrupt document (" + e.getMessage() + ")";
      } catch (RuntimeException | AssertionError e) {
        scan.damage = "Chronicle could not read on: " + e;
      }
      if (scan.damage == null) {
        scan.damage = scan.checkChronicleEnd(queue);
      }
      return scan;
    }

    /**
     * The appender goes on after the document at Chronicle's write position of the newest roll
     * file, so that must be the last document we read: if it lies beyond (a cut or zeroed tail, an
     * unreadable document), new documents would land where no reader can reach them.
     */
    private String checkChronicleEnd(SingleChronicleQueue queue) {
      int newestCycle = queue.lastCycle();
      if (validDocuments == 0) {
        return newestCycle == Integer.MIN_VALUE ? null : "roll files but no readable document";
      }
      if (newestCycle != lastDocumentCycle) {
        return "newest roll file " + newestCycle + " has no readable document";
      }
      SingleChronicleQueueStore store =
          queue.storeForCycle(newestCycle, queue.epoch(), false, null);
      try {
        long writePosition = store.writePosition();
        return writePosition == lastDocumentPosition
            ? null
            : "Chronicle's write position "
                + writePosition
                + " is not the last readable document at "
                + lastDocumentPosition;
      } finally {
        queue.closeStore(store);
      }
    }

    private void account(WalDocument document, int cycle) {
      long index = 0;
      for (WalRecord record : document.records()) {
        index = Math.max(index, record.raftIndex());
        if (record instanceof HardStateRecord r) {
          lastHardState = r.hardState();
          lastHardStateCycle = cycle;
        }
      }
      maxIndexByCycle.merge(cycle, index, Math::max);
      lastSeq = document.seq();
      lastDocumentCycle = cycle;
      validDocuments++;
    }
  }

  private static void repair(Path dir, Options options, long validDocuments) throws IOException {
    Path repairDir = sibling(dir, ".repair");
    deleteRecursively(repairDir);
    try (SingleChronicleQueue from = build(dir, options);
        SingleChronicleQueue to = build(repairDir, options);
        ExcerptTailer tailer = from.createTailer();
        ExcerptAppender appender = to.createAppender()) {
      for (long n = 0; n < validDocuments; n++) {
        try (DocumentContext dc = tailer.readingDocument()) {
          appender.writeBytes(BytesStore.wrap(body(dc)));
        }
      }
      appender.sync();
    }
    try (Stream<Path> files = Files.list(repairDir)) {
      for (Path file : files.toList()) {
        fsync(file, false);
      }
    }
    fsync(repairDir, true);
    Path broken = sibling(dir, ".broken");
    deleteRecursively(broken);
    Files.move(dir, broken, StandardCopyOption.ATOMIC_MOVE);
    fsync(dir.getParent(), true);
    Files.move(repairDir, dir, StandardCopyOption.ATOMIC_MOVE);
    fsync(dir.getParent(), true);
  }

  /** A crash between the two renames of a repair leaves only wal.repair, which is complete. */
  private static void finishInterruptedRepair(Path dir) throws IOException {
    Path repairDir = sibling(dir, ".repair");
    if (!Files.exists(repairDir)) {
      return;
    }
    if (Files.exists(dir)) {
      deleteRecursively(repairDir); // the repair did not get as far as the swap: redo it
    } else {
      Files.move(repairDir, dir, StandardCopyOption.ATOMIC_MOVE);
      fsync(dir.getParent(), true);
    }
  }

  private static Path sibling(Path dir, String suffix) {
    return dir.resolveSibling(dir.getFileName() + suffix);
  }

  static void fsync(Path path, boolean directory) throws IOException {
    try (FileChannel channel =
        directory
            ? FileChannel.open(path, StandardOpenOption.READ)
            : FileChannel.open(path, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
  }

  private static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
