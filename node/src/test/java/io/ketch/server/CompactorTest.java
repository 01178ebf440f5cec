package io.ketch.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ketch.server.config.AutoCompaction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompactorTest {
  private final List<Long> compacted = new ArrayList<>();

  @Test
  void periodicModeCompactsTheRevisionSeenOneRetentionAgo() {
    Compactor compactor =
        new Compactor(
            new AutoCompaction(AutoCompaction.Mode.PERIODIC, "10m", Duration.ofMinutes(10), 0));
    assertThat(compactor.interval()).isEqualTo(Duration.ofMinutes(1));

    for (int minute = 0; minute <= 10; minute++) {
      compactor.tick(minute * 60_000L, 100 + minute, () -> 0, compacted::add);
    }
    assertThat(compacted).containsExactly(100L);

    compactor.tick(11 * 60_000L, 111, () -> 100, compacted::add);
    assertThat(compacted).containsExactly(100L, 101L);
  }

  @Test
  void revisionModeKeepsTheNewestRevisionsEveryFiveMinutes() {
    Compactor compactor =
        new Compactor(
            new AutoCompaction(AutoCompaction.Mode.REVISION, "1000", Duration.ZERO, 1000));

    compactor.tick(0, 500, () -> 0, compacted::add);
    compactor.tick(60_000, 5000, () -> 0, compacted::add);
    compactor.tick(300_000, 5000, () -> 0, compacted::add);

    assertThat(compacted).containsExactly(4000L);
  }

  @Test
  void nothingIsCompactedTwiceOrBehindTheStore() {
    Compactor compactor =
        new Compactor(new AutoCompaction(AutoCompaction.Mode.REVISION, "10", Duration.ZERO, 10));

    compactor.tick(0, 50, () -> 0, compacted::add);
    compactor.tick(300_000, 50, () -> 0, compacted::add);
    compactor.tick(600_000, 52, () -> 45, compacted::add);

    assertThat(compacted).containsExactly(40L);
  }
}
