package io.ketch.raft.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Runs the deterministic simulation over many seeds (in parallel: each seed is independent and
 * single-threaded, so it replays exactly). {@code -Dketch.sim.seeds=N} changes how many; {@code
 * -Dketch.sim.seed=N} replays one; {@code -Dketch.sim.rounds=N} changes the length of each; {@code
 * -Dketch.sim.trace=true} prints membership events.
 */
class SimulationTest {

  @Test
  @DisplayName(
      "Figure 3 safety properties and linearizable ReadIndex hold under loss, duplication,"
          + " reordering, partitions, crashes, membership changes and transfers; a leader commits"
          + " once healed")
  void safetyAndLivenessOverManySeeds() {
    int rounds = Integer.getInteger("ketch.sim.rounds", 300);
    String one = System.getProperty("ketch.sim.seed");
    long first = one != null ? Long.parseLong(one) : 1;
    int count = one != null ? 1 : Integer.getInteger("ketch.sim.seeds", 2000);
    AtomicLong applied = new AtomicLong();
    AtomicLong reads = new AtomicLong();
    long start = System.nanoTime();
    Optional<AssertionError> failure =
        LongStream.range(first, first + count)
            .parallel()
            .mapToObj(
                seed -> {
                  Simulation sim = new Simulation(seed);
                  try {
                    sim.run(rounds);
                  } catch (AssertionError | RuntimeException e) {
                    return new AssertionError(
                        "simulation seed "
                            + seed
                            + " failed; replay with -Dketch.sim.seed="
                            + seed
                            + ": "
                            + e.getMessage(),
                        e);
                  }
                  applied.addAndGet(sim.commitsSeen);
                  reads.addAndGet(sim.readsAnswered);
                  return null;
                })
            .filter(e -> e != null)
            .findFirst();
    double secs = (System.nanoTime() - start) / 1e9;
    System.out.printf(
        "raft simulation: %d seeds x %d rounds in %.1f s (%.0f seeds/s), %d entries applied, %d"
            + " reads answered%n",
        count, rounds, secs, count / secs, applied.get(), reads.get());
    if (failure.isPresent()) {
      throw failure.get();
    }
    assertThat(applied.get()).as("the runs made progress").isPositive();
  }
}
