package io.ketch.mvcc;

import io.ketch.pb.etcdserver.WatchCreateRequest;
import io.ketch.pb.etcdserver.WatchResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The watchers of one client Watch stream and their ordered output (etcd's mvcc WatchStream).
 * Requests ({@link #watch}, {@link #cancel}, {@link #requestProgress}, {@link #close}) may come
 * from any thread; the consumer (the gRPC watch handler) drains responses with {@link #poll()} in
 * order: created/canceled/progress answers and event batches share one queue, so a created answer
 * always precedes its watcher's events.
 *
 * <p>Event responses are bounded by {@code capacity}: when the queue holds that many, new events
 * for its watchers are not queued; the watchers become victims and later catch up from history
 * (nothing is lost, nothing blocks the apply thread). Control answers are not bounded: there is at
 * most one per client request. Responses carry header.revision only; the gRPC layer adds cluster
 * id, member id and raft term.
 */
public final class WatchStream implements AutoCloseable {
  /** etcd's watch-id for responses that belong to no watcher (progress, refused creates). */
  public static final long NO_WATCH_ID = -1;

  private final WatchableStore store;
  private final int capacity;
  private final ConcurrentLinkedQueue<WatchResponse> out = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queuedEventResponses = new AtomicInteger();
  private volatile Runnable readyListener = () -> {};
  // Guarded by the store's lock.
  final Map<Long, Watcher> watchers = new HashMap<>();
  long nextId;

  WatchStream(WatchableStore store, int capacity) {
    this.store = store;
    this.capacity = capacity;
  }

  /**
   * Creates a watcher from a client's request: watch_id 0 picks the next free id of this stream's
   * counter (from 0); an empty key means "\0"; start_revision 0 means "from the next revision".
   * Queues the created answer (or, when refused, created+canceled with watch_id -1 and etcd's
   * reason) and returns the id, or {@link #NO_WATCH_ID} when refused.
   */
  public long watch(WatchCreateRequest req) {
    return store.watch(this, req);
  }

  /** Cancels a watcher; queues {watch_id, canceled}. Unknown ids are ignored (false). */
  public boolean cancel(long watchId) {
    return store.cancel(this, watchId);
  }

  /**
   * Queues a progress answer (watch_id -1, no events, header.revision = the revision every watcher
   * has been brought to) when every watcher of the stream is synced; otherwise nothing.
   */
  public void requestProgress() {
    store.requestProgress(this);
  }

  /**
   * For progress_notify timers: queues an empty response for that watcher (header.revision = the
   * revision it has been brought to) if it exists and is synced; returns whether one was queued.
   */
  public boolean requestProgress(long watchId) {
    return store.requestProgress(this, watchId);
  }

  /** The next response, or null. */
  public WatchResponse poll() {
    WatchResponse r = out.poll();
    if (r != null && r.getEventsCount() > 0 && queuedEventResponses.getAndDecrement() == capacity) {
      store.wakeDispatcher(); // room again: victims of this stream may catch up
    }
    return r;
  }

  /**
   * Called after each response is queued, on the queuing thread (the apply thread, the watch
   * dispatcher or a requesting thread) with the store's lock held: it must only schedule work.
   */
  public void setReadyListener(Runnable listener) {
    this.readyListener = listener;
  }

  /** Removes every watcher of the stream. */
  @Override
  public void close() {
    store.closeStream(this);
  }

  boolean full() {
    return queuedEventResponses.get() >= capacity;
  }

  /** Queues an event response unless the stream is full. */
  boolean offerEvents(WatchResponse r) {
    if (full()) {
      return false;
    }
    queuedEventResponses.incrementAndGet();
    out.add(r);
    readyListener.run();
    return true;
  }

  void offerControl(WatchResponse r) {
    out.add(r);
    readyListener.run();
  }
}
