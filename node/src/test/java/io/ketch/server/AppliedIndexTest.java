package io.ketch.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class AppliedIndexTest {

  @Test
  void aWaitCompletesExactlyWhenTheAppliedIndexReachesIt() {
    AppliedIndex applied = new AppliedIndex(5);
    CompletableFuture<Void> seven = applied.reach(7);
    CompletableFuture<Void> nine = applied.reach(9);

    assertThat(applied.reach(5)).isDone();
    applied.advance(6);
    assertThat(seven).isNotDone();
    applied.advance(8);
    assertThat(seven).isDone();
    assertThat(nine).isNotDone();
    applied.advance(9);
    assertThat(nine).isDone();
  }
}
