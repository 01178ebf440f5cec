package io.ketch.server;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * The index the apply thread has applied, and the reads waiting for it to reach theirs (ReadIndex:
 * a linearizable read is served once applied >= its read index).
 */
final class AppliedIndex {
  private final TreeMap<Long, CompletableFuture<Void>> waiting = new TreeMap<>();
  private volatile long applied;

  AppliedIndex(long applied) {
    this.applied = applied;
  }

  long get() {
    return applied;
  }

  /** Completes (on the apply thread) once the applied index reaches {@code index}. */
  CompletableFuture<Void> reach(long index) {
    synchronized (waiting) {
      if (applied >= index) {
        return CompletableFuture.completedFuture(null);
      }
      return waiting.computeIfAbsent(index, i -> new CompletableFuture<>());
    }
  }

  /** Called by the apply thread only. */
  void advance(long index) {
    Map<Long, CompletableFuture<Void>> reached;
    synchronized (waiting) {
      applied = index;
      // Most entries reach no waiter: look before making a view of the map.
      if (waiting.isEmpty() || waiting.firstKey() > index) {
        return;
      }
      Map<Long, CompletableFuture<Void>> head = waiting.headMap(index, true);
      reached = new TreeMap<>(head);
      head.clear();
    }
    reached.values().forEach(f -> f.complete(null));
  }
}
