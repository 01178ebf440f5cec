package io.ketch.server;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Proposers waiting for their request to be applied, by request id. The apply thread completes
 * them; a proposer that gives up (timeout, dropped proposal) removes itself.
 */
final class Waiters {
  private final ConcurrentHashMap<Long, CompletableFuture<Object>> waiting =
      new ConcurrentHashMap<>();

  CompletableFuture<Object> register(long id) {
    CompletableFuture<Object> future = new CompletableFuture<>();
    if (waiting.putIfAbsent(id, future) != null) {
      throw new IllegalStateException("duplicate request id " + id);
    }
    future.whenComplete((result, failure) -> waiting.remove(id, future));
    return future;
  }

  /** Completes the waiter for {@code id}, if this member proposed it and it still waits. */
  void complete(long id, Object result) {
    CompletableFuture<Object> future = waiting.get(id);
    if (future != null) {
      future.complete(result);
    }
  }

  void fail(long id, Throwable cause) {
    CompletableFuture<Object> future = waiting.get(id);
    if (future != null) {
      future.completeExceptionally(cause);
    }
  }

  int size() {
    return waiting.size();
  }

  void failAll(Throwable cause) {
    waiting.values().forEach(f -> f.completeExceptionally(cause));
  }
}
