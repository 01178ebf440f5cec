package io.ketch.e2e.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.ketch.e2e.faults.LinearizabilityChecker.Verdict;
import io.ketch.e2e.harness.Cluster;
import io.ketch.e2e.harness.Member;
import io.ketch.e2e.harness.Target;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every {@link FaultSchedule} against every selected target: a cluster, clients and a watch
 * recording, faults until the deadline, heal, convergence, then the checks: the history is
 * linearizable, the watch kept its guarantees, a watch reopened at revisions still in the window
 * delivers the same events, and every member's HashKV agrees at the final revision.
 *
 * <p>Properties: {@code ketch.e2e.faults.duration} (faults per run, default 4s; e.g. 10m for a long
 * run), {@code ketch.e2e.faults.seeds} (comma-separated, default 1), {@code
 * ketch.e2e.faults.schedules} (names, default all), {@code ketch.e2e.faults.members} (3). A failing
 * run writes its history to target/e2e-logs/faults-*.history (replay with {@code
 * -Dketch.e2e.faults.replay=FILE -Dtest=FaultScheduleTest#replay}) and each run appends a line to
 * target/e2e-logs/faults-summary.tsv.
 */
class FaultScheduleTest {

  private static final int CLIENTS = 4;
  private static final Duration CHECK_BUDGET = Duration.ofSeconds(60);

  /**
   * Snapshots every 1000 entries, so a follower that misses a few thousand catches up from one (see
   * {@link FaultSchedule#SNAPSHOT_CATCH_UP}).
   */
  private static final List<String> CLUSTER_FLAGS = List.of("--snapshot-count=1000");

  private final Map<Target, Cluster> clusters = new EnumMap<>(Target.class);

  @TestFactory
  Stream<DynamicTest> everyScheduleOnEveryTarget() {
    Duration duration = duration(System.getProperty("ketch.e2e.faults.duration", "4s"));
    int members = Integer.getInteger("ketch.e2e.faults.members", 3);
    List<Long> seeds =
        Arrays.stream(System.getProperty("ketch.e2e.faults.seeds", "1").split(","))
            .map(String::trim)
            .map(Long::parseLong)
            .toList();
    String only = System.getProperty("ketch.e2e.faults.schedules", "");
    List<DynamicTest> tests = new ArrayList<>();
    for (Target target : Target.selected()) {
      for (FaultSchedule schedule : FaultSchedule.values()) {
        if (!only.isBlank()
            && Arrays.stream(only.split(","))
                .noneMatch(s -> s.trim().equalsIgnoreCase(schedule.name()))) {
          continue;
        }
        for (long seed : seeds) {
          tests.add(
              DynamicTest.dynamicTest(
                  target.label() + " " + schedule.name().toLowerCase(Locale.ROOT) + " seed " + seed,
                  () -> runOnSharedCluster(target, schedule, members, seed, duration)));
        }
      }
    }
    return tests.stream();
  }

  /** Re-checks a history a failing run wrote (-Dketch.e2e.faults.replay=FILE). */
  @Test
  void replay() throws Exception {
    String file = System.getProperty("ketch.e2e.faults.replay");
    Assumptions.assumeTrue(file != null, "no -Dketch.e2e.faults.replay=FILE");
    try (ObjectInputStream in = new ObjectInputStream(Files.newInputStream(Path.of(file)))) {
      long initialRevision = in.readLong();
      @SuppressWarnings("unchecked")
      List<History.Op> ops = (List<History.Op>) in.readObject();
      LinearizabilityChecker.Result result =
          LinearizabilityChecker.check(ops, initialRevision, Duration.ofMinutes(10));
      System.out.println(result.verdict() + "\n" + result.explanation());
      assertThat(result.verdict()).isEqualTo(Verdict.LINEARIZABLE);
    }
  }

  /**
   * The runs of one target share a cluster (starting JVMs dominates a short run), each on a prefix
   * of its own; a failed run closes it, so the next starts afresh.
   */
  private void runOnSharedCluster(
      Target target, FaultSchedule schedule, int size, long seed, Duration duration)
      throws Exception {
    Cluster cluster = clusters.computeIfAbsent(target, t -> Cluster.start(t, size, CLUSTER_FLAGS));
    try {
      run(cluster, schedule, seed, duration);
    } catch (Throwable t) {
      clusters.remove(target).close();
      throw t;
    }
  }

  @AfterEach
  void closeClusters() {
    clusters.values().forEach(Cluster::close);
    clusters.clear();
  }

  private static void run(Cluster cluster, FaultSchedule schedule, long seed, Duration duration)
      throws Exception {
    Target target = cluster.target();
    String name = schedule.name().toLowerCase(Locale.ROOT);
    String label = target.label() + "-" + name + "-" + seed;
    String prefix = "/faults/" + name + "-" + seed + "-" + System.nanoTime() + "/";
    long initialRevision = cluster.awaitConverged(Duration.ofSeconds(30));
    FaultSchedule.Run run = new FaultSchedule.Run(cluster, new Random(seed), duration);
    try (Recorder recorder = new Recorder(run::up, prefix, seed);
        WatchChecker.Stream watch =
            new WatchChecker.Stream(run::up, prefix, initialRevision + 1, seed)) {
      run.recorder = recorder;
      recorder.start(CLIENTS);
      try {
        schedule.inject(run);
      } finally {
        run.heal();
      }
      recorder.stop();
      cluster.awaitLeader(Duration.ofSeconds(60));
      long finalRevision = cluster.awaitConverged(Duration.ofSeconds(60));
      watch.awaitRevision(finalRevision, Duration.ofSeconds(60));
      List<History.Op> ops = recorder.history().ops();

      List<String> violations = new ArrayList<>();
      List<WatchChecker.Delivery> deliveries = watch.deliveries();
      LinearizabilityChecker.Result lin =
          LinearizabilityChecker.check(
              WatchChecker.resolveUnknownWrites(ops, deliveries), initialRevision, CHECK_BUDGET);
      if (lin.verdict() != Verdict.LINEARIZABLE) {
        violations.add("linearizability: " + lin.verdict() + "\n" + lin.explanation());
      }
      List<String> watchViolations =
          WatchChecker.check(deliveries, ops, initialRevision + 1, finalRevision);
      long knownUpstream = 0;
      if (target == Target.ETCD) {
        knownUpstream =
            watchViolations.stream().filter(v -> v.startsWith(WatchChecker.PROGRESS_AHEAD)).count();
        watchViolations.removeIf(v -> v.startsWith(WatchChecker.PROGRESS_AHEAD));
      }
      violations.addAll(watchViolations);
      violations.addAll(resumption(run, prefix, deliveries, initialRevision, finalRevision, seed));
      Map<String, Long> hashes = cluster.hashKV(finalRevision);
      if (hashes.values().stream().distinct().count() != 1) {
        violations.add("HashKV at " + finalRevision + " differs: " + hashes);
      }

      long events = WatchChecker.eventsFrom(deliveries, 0).size();
      appendToLogs(
          "faults-summary.tsv",
          String.join(
              "\t",
              target.label(),
              schedule.name(),
              Long.toString(seed),
              duration.toString(),
              Integer.toString(ops.size()),
              Long.toString(recorder.history().count(true)),
              Integer.toString(run.faults()),
              Long.toString(events),
              Long.toString(finalRevision - initialRevision),
              Integer.toString(violations.size()),
              Long.toString(knownUpstream)));
      if (!violations.isEmpty()) {
        System.err.println(label + ":\n" + String.join("\n", violations));
        Path saved = save(label, initialRevision, recorder.history());
        for (Member m : cluster.members()) {
          System.err.printf("----- %s -----%n%s%n", m.name(), m.logTail(40));
        }
        throw new AssertionError(
            label
                + ": "
                + violations.size()
                + " violations (history: "
                + saved
                + ")\n"
                + String.join("\n", violations.subList(0, Math.min(20, violations.size()))));
      }
      assertThat(ops).isNotEmpty();
    }
  }

  /**
   * Watches reopened at a few revisions still in the window, on random members, deliver what the
   * long-running watch delivered from there on.
   */
  private static List<String> resumption(
      FaultSchedule.Run run,
      String prefix,
      List<WatchChecker.Delivery> deliveries,
      long initialRevision,
      long finalRevision,
      long seed) {
    List<String> violations = new ArrayList<>();
    long from = Math.max(initialRevision + 1, run.compactedRevision() + 1);
    if (from > finalRevision) {
      return violations;
    }
    Random random = new Random(seed);
    for (int i = 0; i < 3; i++) {
      long start = from + (long) (random.nextDouble() * (finalRevision - from + 1));
      try (WatchChecker.Stream again = new WatchChecker.Stream(run::up, prefix, start, seed + i)) {
        again.awaitRevision(finalRevision, Duration.ofSeconds(30));
        List<WatchChecker.Event> expected = WatchChecker.eventsFrom(deliveries, start);
        List<WatchChecker.Event> actual = WatchChecker.eventsFrom(again.deliveries(), start);
        if (!expected.equals(actual)) {
          violations.add(
              "a watch from "
                  + start
                  + " delivered "
                  + actual.size()
                  + " events, not the "
                  + expected.size()
                  + " the run's watch saw");
        }
      }
    }
    return violations;
  }

  private static Path save(String label, long initialRevision, History history) {
    Path dir = Member.logDir();
    Path file = dir.resolve("faults-" + label + ".history");
    try {
      Files.createDirectories(dir);
      try (ObjectOutputStream out = new ObjectOutputStream(Files.newOutputStream(file))) {
        out.writeLong(initialRevision);
        out.writeObject(new ArrayList<>(history.ops()));
      }
      Files.writeString(dir.resolve("faults-" + label + ".txt"), history.dump());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /** Appends a line to target/e2e-logs/NAME, where the runs' figures collect. */
  static void appendToLogs(String name, String line) {
    Path dir = Member.logDir();
    try {
      Files.createDirectories(dir);
      Files.writeString(
          dir.resolve(name),
          line + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** "8s", "10m", "1h" or an ISO-8601 duration. */
  static Duration duration(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.startsWith("p")) {
      return Duration.parse(text);
    }
    long n = Long.parseLong(t.substring(0, t.length() - 1));
    return switch (t.charAt(t.length() - 1)) {
      case 's' -> Duration.ofSeconds(n);
      case 'm' -> Duration.ofMinutes(n);
      case 'h' -> Duration.ofHours(n);
      default -> throw new IllegalArgumentException("duration like 8s, 10m, 1h: " + text);
    };
  }
}
