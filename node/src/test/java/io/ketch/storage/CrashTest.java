package io.ketch.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 at a random moment while a child JVM appends and syncs: everything it acknowledged
 * (printed after its sync) must be there after recovery, and the child must be able to go on. The
 * same data directory is crashed {@code -Dketch.crash.rounds} times (default 5); {@code
 * -Dketch.crash.seed} replays a run.
 */
class CrashTest {

  @TempDir Path dataDir;
  @TempDir Path logs;
  Path stderr;

  @Test
  void everyAcknowledgedEntrySurvivesKillNine() throws Exception {
    long seed = Long.getLong("ketch.crash.seed", System.nanoTime());
    Random random = new Random(seed);
    int rounds = Integer.getInteger("ketch.crash.rounds", 5);
    long acknowledged = 0;
    for (int round = 0; round < rounds; round++) {
      stderr = logs.resolve("child-" + round + ".err");
      String what = "seed " + seed + ", round " + round + " (child's stderr: " + stderr + ")";
      Process child = startChild();
      long recoveredByChild = -1;
      int acks = 1 + random.nextInt(40);
      try (BufferedReader out =
          new BufferedReader(
              new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        String line = out.readLine();
        assertThat(line).as(what + ": child's first line").startsWith("start ");
        recoveredByChild = Long.parseLong(line.substring(6));
        for (int i = 0; i < acks; i++) {
          line = out.readLine();
          assertThat(line).as(what + ": child died early").isNotNull();
          acknowledged = Long.parseLong(line);
        }
        child.destroyForcibly();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      } finally {
        child.destroyForcibly();
      }
      assertThat(recoveredByChild).as(what).isGreaterThanOrEqualTo(0);
      try (DiskStorage storage =
          DiskStorage.open(
              dataDir,
              new DiskStorage.Options(1L << 20, 2, 100, 2L << 20, 0, cause -> {}),
              new Wal.Options(
                  TestRollCycles.TEST_SECONDLY, 1L << 20, 1L << 20, SystemTimeProvider.INSTANCE))) {
        long last = storage.lastIndex();
        assertThat(last)
            .as(what + ": last index after kill -9")
            .isGreaterThanOrEqualTo(acknowledged);
        assertThat(storage.entries(1, last + 1, Long.MAX_VALUE))
            .as(what)
            .isEqualTo(WalFixtures.entries(1, last, 1));
        assertThat(storage.initialState().hardState().getCommit())
            .as(what)
            .isGreaterThanOrEqualTo(acknowledged);
      }
    }
  }

  private Process startChild() throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!arg.startsWith("-Xmx")
          && !arg.startsWith("-agentlib")
          && !arg.startsWith("-javaagent")) {
        command.add(arg);
      }
    }
    command.add("-Xmx128m");
    command.add("-XX:TieredStopAtLevel=1"); // the child lives for a second: start fast
    command.add("-XX:+UseSerialGC");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(CrashChild.class.getName());
    command.add(dataDir.toString());
    return new ProcessBuilder(command).redirectError(stderr.toFile()).start();
  }
}
