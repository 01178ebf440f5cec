package io.ketch.server;

import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * Fails the client requests still pending at their deadline, swept from a timer the member already
 * runs. CompletableFuture.orTimeout would schedule a task per request on its own timer thread and,
 * when that timer had nothing else pending (one client writing), wake it for every request.
 *
 * <p>Every request waits the same time, so deadlines arrive in order (give or take the threads
 * racing to add them, which only delays a failure to the next sweep): a sweep takes off the head
 * what has expired or is already done and stops at the first request still in time. Requests finish
 * in about the order they came, so the queue holds roughly one sweep period's worth; one request
 * stuck until its deadline keeps the done ones behind it until then.
 */
final class RequestDeadlines {
  private record Pending(long deadlineNanos, CompletableFuture<?> request) {}

  private final Queue<Pending> pending = new ConcurrentLinkedQueue<>();
  private final long timeoutNanos;
  private final LongSupplier nanoClock;

  RequestDeadlines(long timeoutNanos, LongSupplier nanoClock) {
    this.timeoutNanos = timeoutNanos;
    this.nanoClock = nanoClock;
  }

  /**
   * Fails {@code request} with a TimeoutException if it is still pending a timeout from now (at the
   * first sweep after that).
   */
  <T> CompletableFuture<T> limit(CompletableFuture<T> request) {
    if (!request.isDone()) {
      pending.add(new Pending(nanoClock.getAsLong() + timeoutNanos, request));
    }
    return request;
  }

  /** Fails the expired requests and forgets the finished ones at the head of the queue. */
  void sweep() {
    long now = nanoClock.getAsLong();
    for (Pending head = pending.peek(); head != null; head = pending.peek()) {
      boolean expired = head.deadlineNanos() - now <= 0;
      if (!expired && !head.request().isDone()) {
        return;
      }
      // Not poll(): a closing member's failAll may have taken the head meanwhile.
      if (pending.remove(head) && expired) {
        head.request().completeExceptionally(new TimeoutException());
      }
    }
  }

  /**
   * Fails every request still watched with {@code cause}: the member stops, and its timer with it.
   */
  void failAll(Throwable cause) {
    for (Pending head = pending.poll(); head != null; head = pending.poll()) {
      head.request().completeExceptionally(cause);
    }
  }

  /** Requests being watched, finished or not (for tests). */
  int size() {
    return pending.size();
  }
}
