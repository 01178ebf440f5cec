package io.ketch.server;

import com.google.protobuf.ByteString;
import io.ketch.raft.ReadState;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Linearizable reads through ReadIndex (thesis 6.4), many reads sharing one round as etcd's
 * linearizableReadLoop does: reads that arrive while a round is in flight wait for the next one,
 * whose read index is then at least as new as any write they could have seen acknowledged. A read
 * is released once the applied index reaches the round's read index; the caller then reads its
 * local store.
 *
 * <p>A round that gets no answer (no leader, a lost message, a leader change) is retried with a new
 * context after {@code retryMillis}; the reads' own deadline is the request timeout, enforced by
 * their caller.
 */
final class LinearizableReads {
  private final RaftLoop raft;
  private final AppliedIndex applied;
  private final ScheduledExecutorService timer;
  private final long retryMillis;

  // Guarded by this.
  private CompletableFuture<Void> nextRound;
  private CompletableFuture<Void> inFlight;
  private long inFlightContext;
  private long contexts;

  LinearizableReads(
      RaftLoop raft, AppliedIndex applied, ScheduledExecutorService timer, long retryMillis) {
    this.raft = raft;
    this.applied = applied;
    this.timer = timer;
    this.retryMillis = retryMillis;
  }

  /** Completes when a local read would be linearizable; fails with NO_LEADER when there is none. */
  synchronized CompletableFuture<Void> barrier() {
    if (nextRound == null) {
      nextRound = new CompletableFuture<>();
    }
    CompletableFuture<Void> mine = nextRound;
    if (inFlight == null) {
      startRound();
    }
    return mine;
  }

  /** Called by the raft thread with the read states of a Ready. */
  void onReadStates(List<ReadState> states) {
    for (ReadState state : states) {
      long context = ByteBuffer.wrap(state.requestContext().toByteArray()).getLong();
      CompletableFuture<Void> round;
      synchronized (this) {
        if (inFlight == null || context != inFlightContext) {
          continue; // a retried round's late answer; the newer round covers its reads
        }
        round = inFlight;
      }
      applied.reach(state.index()).thenRun(() -> finish(round, null));
    }
  }

  private void startRound() {
    inFlight = nextRound;
    nextRound = null;
    send(inFlight);
  }

  private void send(CompletableFuture<Void> round) {
    long context = ++contexts;
    inFlightContext = context;
    ByteString bytes = ByteString.copyFrom(ByteBuffer.allocate(Long.BYTES).putLong(context).flip());
    boolean queued =
        raft.submit(
            (node, storage) -> {
              if (node.status().leader() == 0) {
                finish(round, ServerError.NO_LEADER.exception());
              } else {
                node.readIndex(bytes);
              }
            },
            retryMillis);
    if (!queued) {
      finish(round, ServerError.TOO_MANY_REQUESTS.exception());
      return;
    }
    timer.schedule(() -> retryIfUnanswered(round, context), retryMillis, TimeUnit.MILLISECONDS);
  }

  private synchronized void retryIfUnanswered(CompletableFuture<Void> round, long context) {
    if (inFlight == round && inFlightContext == context && !round.isDone()) {
      send(round);
    }
  }

  private void finish(CompletableFuture<Void> round, RuntimeException failure) {
    synchronized (this) {
      if (inFlight != round) {
        return;
      }
      inFlight = null;
      if (nextRound != null) {
        startRound();
      }
    }
    if (failure == null) {
      round.complete(null);
    } else {
      round.completeExceptionally(failure);
    }
  }
}
