package io.ketch.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RequestDeadlinesTest {
  private final AtomicLong now = new AtomicLong(1_000);
  private final RequestDeadlines deadlines = new RequestDeadlines(100, now::get);

  @Test
  void aRequestStillPendingAtItsDeadlineFailsWithATimeout() {
    CompletableFuture<String> request = deadlines.limit(new CompletableFuture<>());

    now.addAndGet(99);
    deadlines.sweep();
    assertThat(request).isNotDone();

    now.addAndGet(1);
    deadlines.sweep();
    assertThat(request).isCompletedExceptionally();
    assertThat(request.handle((result, failure) -> failure).join())
        .isInstanceOf(TimeoutException.class);
    assertThat(deadlines.size()).isZero();
  }

  @Test
  void aFinishedRequestKeepsItsResultAndIsForgottenAtTheNextSweep() {
    CompletableFuture<String> request = deadlines.limit(new CompletableFuture<>());
    request.complete("applied");

    deadlines.sweep();
    assertThat(deadlines.size()).isZero();
    now.addAndGet(1_000);
    deadlines.sweep();
    assertThat(request.join()).isEqualTo("applied");
  }

  @Test
  void aSweepStopsAtTheFirstRequestStillInTime() {
    CompletableFuture<String> early = deadlines.limit(new CompletableFuture<>());
    now.addAndGet(50);
    CompletableFuture<String> late = deadlines.limit(new CompletableFuture<>());
    CompletableFuture<String> finishedBehindIt = deadlines.limit(new CompletableFuture<>());
    finishedBehindIt.complete("applied");

    now.addAndGet(50);
    deadlines.sweep();
    assertThat(early).isCompletedExceptionally();
    assertThat(late).isNotDone();
    assertThat(deadlines.size()).isEqualTo(2);

    late.complete("applied");
    deadlines.sweep();
    assertThat(deadlines.size()).isZero();
  }

  @Test
  void failingAllFailsThePendingWithTheCauseAndKeepsTheFinished() {
    CompletableFuture<String> pending = deadlines.limit(new CompletableFuture<>());
    CompletableFuture<String> finished = deadlines.limit(new CompletableFuture<>());
    finished.complete("applied");
    IllegalStateException stopped = new IllegalStateException("stopped");

    deadlines.failAll(stopped);

    assertThat(pending.handle((result, failure) -> failure).join()).isSameAs(stopped);
    assertThat(finished.join()).isEqualTo("applied");
    assertThat(deadlines.size()).isZero();
  }

  @Test
  void aRequestAlreadyDoneIsNotWatched() {
    deadlines.limit(CompletableFuture.completedFuture("cached"));

    assertThat(deadlines.size()).isZero();
  }
}
