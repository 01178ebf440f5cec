package io.ketch.raft.sim;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Runs the deterministic simulation over many seeds. {@code -Dketch.sim.seeds=N} changes how many;
 * {@code -Dketch.sim.seed=N} replays one; {@code -Dketch.sim.rounds=N} changes the length of each.
 */
class SimulationTest {

  @Test
  @DisplayName(
      "Figure 3 safety properties and linearizable ReadIndex hold under loss, duplication, reordering, partitions, crashes, membership changes and transfers; a leader commits once healed")
  void safetyAndLivenessOverManySeeds() {
    int rounds = Integer.getInteger("ketch.sim.rounds", 300);
    String one = System.getProperty("ketch.sim.seed");
    long first = one != null ? Long.parseLong(one) : 1;
    int count = one != null ? 1 : Integer.getInteger("ketch.sim.seeds", 2000);
    long start = System.nanoTime();
    long commits = 0;
    long reads = 0;
    for (long seed = first; seed < first + count; seed++) {
      Simulation sim = new Simulation(seed);
      try {
        sim.run(rounds);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError(
            "simulation seed "
                + seed
                + " failed; replay with -Dketch.sim.seed="
                + seed
                + ": "
                + e.getMessage(),
            e);
      }
      commits += sim.commitsSeen;
      reads += sim.readsAnswered;
    }
    double secs = (System.nanoTime() - start) / 1e9;
    System.out.printf(
        "raft simulation: %d seeds x %d rounds in %.1f s (%.0f seeds/s), %d entries applied, %d reads answered%n",
        count, rounds, secs, count / secs, commits, reads);
  }
}
