package io.ketch.mvcc;

import com.google.protobuf.ByteString;
import io.ketch.pb.etcdserver.ResponseHeader;
import io.ketch.pb.etcdserver.WatchCreateRequest;
import io.ketch.pb.etcdserver.WatchResponse;
import io.ketch.pb.mvcc.Event;
import io.ketch.pb.mvcc.KeyValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watching, wrapped around a {@link KvStore} (etcd's watchableStore shape).
 *
 * <p>Watchers are either synced (they have everything up to {@code notifiedRevision}; new commits
 * are fanned out to them directly) or unsynced (behind: a start revision in the past, or a "victim"
 * whose stream was full). Unsynced watchers catch up from the store's history in rounds of at most
 * {@link #MAX_REVISIONS_PER_BATCH} distinct revisions, a revision never split, and rejoin the
 * synced group once level.
 *
 * <p>Threads: the apply thread calls the fan-out after each committed txn (after the store's write
 * lock is released), which only matches watchers and queues responses without blocking. The
 * catch-up runs on one dispatcher thread owned here, started by {@link #start()} and stopped by
 * {@link #close()}; it wakes on demand and every 100 ms (etcd's sync period). Tests may instead
 * call {@link #syncUnsynced()} themselves. One lock guards all watcher state; it is taken after the
 * store's lock, never before (the catch-up reads history without holding it).
 */
public final class WatchableStore implements AutoCloseable {
  static final int MAX_REVISIONS_PER_BATCH = 1000;
  static final int DEFAULT_STREAM_CAPACITY = 128;
  static final String DUPLICATE_ID = "mvcc: duplicate watch ID provided on the WatchStream";
  static final String EMPTY_RANGE = "mvcc: watcher range is empty";
  private static final Logger LOG = LoggerFactory.getLogger(WatchableStore.class);
  private static final ByteString ZERO = ByteString.copyFrom(new byte[] {0});

  private final KvStore kv;
  private final ReentrantLock lock = new ReentrantLock();
  private final WatcherGroup synced = new WatcherGroup();
  private final Set<Watcher> unsynced = new LinkedHashSet<>();
  private long notifiedRevision;
  private final AtomicBoolean workPending = new AtomicBoolean();
  private volatile Thread dispatcher;
  private volatile boolean running;

  public WatchableStore(KvStore kv) {
    this.kv = kv;
    this.notifiedRevision = kv.currentRevision();
    kv.setCommitListener(
        new KvStore.CommitListener() {
          @Override
          public void committed(long revision, List<Event> events, List<KeyValue> prevKvs) {
            WatchableStore.this.committed(revision, events, prevKvs);
          }

          @Override
          public void replaced() {
            WatchableStore.this.replaced();
          }
        });
  }

  public KvStore kv() {
    return kv;
  }

  public WatchStream newWatchStream() {
    return newWatchStream(DEFAULT_STREAM_CAPACITY);
  }

  /** A stream that queues at most {@code capacity} event responses before making victims. */
  public WatchStream newWatchStream(int capacity) {
    return new WatchStream(this, capacity);
  }

  /** Starts the catch-up dispatcher thread. */
  public synchronized void start() {
    if (dispatcher != null) {
      return;
    }
    running = true;
    Thread t = new Thread(this::dispatchLoop, "ketch-watch-dispatcher");
    t.setDaemon(true);
    dispatcher = t;
    t.start();
  }

  /** Stops the dispatcher thread and waits for it. */
  @Override
  public synchronized void close() {
    Thread t = dispatcher;
    if (t == null) {
      return;
    }
    running = false;
    LockSupport.unpark(t);
    try {
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    dispatcher = null;
  }

  /**
   * One catch-up round for the unsynced watchers whose streams have room. Returns true when some
   * watcher advanced (another round may help).
   */
  boolean syncUnsynced() {
    List<Watcher> selected = new ArrayList<>();
    long from = Long.MAX_VALUE;
    boolean anyPrev = false;
    lock.lock();
    try {
      for (Watcher w : unsynced) {
        if (!w.stream.full()) {
          selected.add(w);
          from = Math.min(from, w.minRevision);
          anyPrev |= w.prevKv;
        }
      }
    } finally {
      lock.unlock();
    }
    if (selected.isEmpty()) {
      return false;
    }
    KvStore.HistoryBatch batch = kv.history(from, MAX_REVISIONS_PER_BATCH, anyPrev);
    boolean progressed = false;
    lock.lock();
    try {
      for (Watcher w : selected) {
        if (!unsynced.contains(w)) {
          continue; // cancelled meanwhile
        }
        if (w.minRevision < batch.compactRevision()) {
          unsynced.remove(w);
          w.stream.watchers.remove(w.id);
          // etcd's compacted-watch answer carries no revision in its header.
          w.stream.offerControl(
              response(0, w.id)
                  .setCanceled(true)
                  .setCompactRevision(batch.compactRevision())
                  .build());
          progressed = true;
          continue;
        }
        if (w.minRevision > batch.endRevision()) {
          progressed |= syncIfLevel(w);
          continue;
        }
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < batch.events().size(); i++) {
          Event ev = batch.events().get(i);
          if (ev.getKv().getModRevision() >= w.minRevision
              && w.contains(ev.getKv().getKey())
              && w.wants(ev)) {
            events.add(withPrev(w, ev, batch.prevKvs().get(i)));
          }
        }
        if (!events.isEmpty()
            && !w.stream.offerEvents(
                response(batch.endRevision(), w.id).addAllEvents(events).build())) {
          continue; // filled up meanwhile: retry once drained
        }
        w.minRevision = batch.endRevision() + 1;
        syncIfLevel(w);
        progressed = true;
      }
    } finally {
      lock.unlock();
    }
    return progressed;
  }

  // ---- called by WatchStream ----

  long watch(WatchStream stream, WatchCreateRequest req) {
    ByteString key = req.getKey().isEmpty() ? ZERO : req.getKey();
    ByteString end = req.getRangeEnd();
    lock.lock();
    try {
      if (req.getStartRevision() < 0) {
        refuse(stream, CompactedException.MESSAGE);
        return WatchStream.NO_WATCH_ID;
      }
      if (!end.isEmpty() && !isUnbounded(end) && KvStore.KEY_ORDER.compare(key, end) >= 0) {
        refuse(stream, EMPTY_RANGE);
        return WatchStream.NO_WATCH_ID;
      }
      long id = req.getWatchId();
      if (id != 0) {
        if (stream.watchers.containsKey(id)) {
          refuse(stream, DUPLICATE_ID);
          return WatchStream.NO_WATCH_ID;
        }
      } else {
        while (stream.watchers.containsKey(stream.nextId)) {
          stream.nextId++;
        }
        id = stream.nextId++;
      }
      boolean noPut = false;
      boolean noDelete = false;
      for (WatchCreateRequest.FilterType f : req.getFiltersList()) {
        noPut |= f == WatchCreateRequest.FilterType.NOPUT;
        noDelete |= f == WatchCreateRequest.FilterType.NODELETE;
      }
      long start = req.getStartRevision() == 0 ? notifiedRevision + 1 : req.getStartRevision();
      Watcher w = new Watcher(id, key, end, start, noPut, noDelete, req.getPrevKv(), stream);
      stream.watchers.put(id, w);
      stream.offerControl(response(notifiedRevision, id).setCreated(true).build());
      if (start > notifiedRevision) {
        w.synced = true; // a future start waits among the synced: events below it are skipped
        synced.add(w);
      } else {
        unsynced.add(w);
        wakeDispatcher();
      }
      return id;
    } finally {
      lock.unlock();
    }
  }

  boolean cancel(WatchStream stream, long id) {
    lock.lock();
    try {
      Watcher w = stream.watchers.remove(id);
      if (w == null) {
        return false;
      }
      detach(w);
      stream.offerControl(response(notifiedRevision, id).setCanceled(true).build());
      return true;
    } finally {
      lock.unlock();
    }
  }

  void requestProgress(WatchStream stream) {
    lock.lock();
    try {
      for (Watcher w : stream.watchers.values()) {
        if (!w.synced) {
          return;
        }
      }
      stream.offerControl(response(notifiedRevision, WatchStream.NO_WATCH_ID).build());
    } finally {
      lock.unlock();
    }
  }

  boolean requestProgress(WatchStream stream, long id) {
    lock.lock();
    try {
      Watcher w = stream.watchers.get(id);
      if (w == null || !w.synced) {
        return false;
      }
      stream.offerControl(response(notifiedRevision, id).build());
      return true;
    } finally {
      lock.unlock();
    }
  }

  void closeStream(WatchStream stream) {
    lock.lock();
    try {
      stream.watchers.values().forEach(this::detach);
      stream.watchers.clear();
    } finally {
      lock.unlock();
    }
  }

  void wakeDispatcher() {
    workPending.set(true);
    Thread t = dispatcher;
    if (t != null) {
      LockSupport.unpark(t);
    }
  }

  static boolean isUnbounded(ByteString end) {
    return end.equals(ZERO);
  }

  // ---- the apply thread's fan-out ----

  private void committed(long revision, List<Event> events, List<KeyValue> prevKvs) {
    lock.lock();
    try {
      notifiedRevision = revision;
      if (synced.isEmpty()) {
        return;
      }
      Map<Watcher, List<Event>> batches = new LinkedHashMap<>();
      for (int i = 0; i < events.size(); i++) {
        Event ev = events.get(i);
        KeyValue prev = prevKvs.get(i);
        synced.forEachMatching(
            ev.getKv().getKey(),
            w -> {
              if (revision >= w.minRevision && w.wants(ev)) {
                batches.computeIfAbsent(w, x -> new ArrayList<>()).add(withPrev(w, ev, prev));
              }
            });
      }
      for (Map.Entry<Watcher, List<Event>> e : batches.entrySet()) {
        Watcher w = e.getKey();
        w.minRevision = revision; // if it cannot take them, it resumes here from history
        if (w.stream.offerEvents(response(revision, w.id).addAllEvents(e.getValue()).build())) {
          w.minRevision = revision + 1;
        } else {
          synced.remove(w);
          w.synced = false;
          unsynced.add(w);
          wakeDispatcher();
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** After a snapshot install every watcher resumes from history (etcd does the same). */
  private void replaced() {
    lock.lock();
    try {
      notifiedRevision = kv.currentRevision();
      List<Watcher> all = new ArrayList<>();
      synced.forEach(all::add);
      for (Watcher w : all) {
        if (w.minRevision <= notifiedRevision) {
          synced.remove(w);
          w.synced = false;
          unsynced.add(w);
        }
      }
      wakeDispatcher();
    } finally {
      lock.unlock();
    }
  }

  private boolean syncIfLevel(Watcher w) {
    if (w.minRevision <= notifiedRevision) {
      return false;
    }
    unsynced.remove(w);
    w.synced = true;
    synced.add(w);
    return true;
  }

  private void detach(Watcher w) {
    if (w.synced) {
      synced.remove(w);
    } else {
      unsynced.remove(w);
    }
  }

  private void refuse(WatchStream stream, String reason) {
    stream.offerControl(
        response(notifiedRevision, WatchStream.NO_WATCH_ID)
            .setCreated(true)
            .setCanceled(true)
            .setCancelReason(reason)
            .build());
  }

  private static Event withPrev(Watcher w, Event ev, KeyValue prev) {
    return w.prevKv && prev != null ? ev.toBuilder().setPrevKv(prev).build() : ev;
  }

  private static WatchResponse.Builder response(long revision, long watchId) {
    return WatchResponse.newBuilder()
        .setHeader(ResponseHeader.newBuilder().setRevision(revision))
        .setWatchId(watchId);
  }

  private void dispatchLoop() {
    while (running) {
      workPending.set(false);
      try {
        while (running && syncUnsynced()) {
          // keep catching up while watchers advance
        }
      } catch (RuntimeException e) {
        // A failed round is retried on the next wake-up; the watchers stay unsynced.
        LOG.warn("watch catch-up failed", e);
      }
      if (!workPending.get()) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
      }
    }
  }
}
