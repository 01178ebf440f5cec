package io.ketch.server;

import io.ketch.server.config.AutoCompaction;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Auto-compaction as etcd schedules it (server/etcdserver/api/v3compactor), run by the leader only:
 *
 * <ul>
 *   <li>periodic: the revision seen {@code retention} ago is compacted; revisions are sampled every
 *       tenth of the window (of one hour at most, as etcd), so history older than the window goes
 *       in steps;
 *   <li>revision: every five minutes, everything older than the newest {@code retention} revisions
 *       goes.
 * </ul>
 *
 * Pure bookkeeping: {@link #tick} is called by the member's timer with the time and revision; the
 * member proposes the compactions it is told to.
 */
final class Compactor {
  static final Duration REVISION_MODE_INTERVAL = Duration.ofMinutes(5);

  private record Sample(long atMillis, long revision) {}

  private final AutoCompaction settings;
  private final Deque<Sample> samples = new ArrayDeque<>();
  private long lastCompacted;
  private long nextRevisionCheck;

  Compactor(AutoCompaction settings) {
    this.settings = settings;
  }

  /** How often {@link #tick} wants to be called. */
  Duration interval() {
    if (settings.mode() == AutoCompaction.Mode.REVISION) {
      return REVISION_MODE_INTERVAL;
    }
    Duration window =
        settings.period().compareTo(Duration.ofHours(1)) < 0
            ? settings.period()
            : Duration.ofHours(1);
    return window.dividedBy(10);
  }

  /** Records the current revision; calls {@code compact} with a revision when one is due. */
  void tick(
      long nowMillis, long currentRevision, LongSupplier compactedRevision, LongConsumer compact) {
    long target;
    if (settings.mode() == AutoCompaction.Mode.REVISION) {
      if (nowMillis < nextRevisionCheck) {
        return;
      }
      nextRevisionCheck = nowMillis + REVISION_MODE_INTERVAL.toMillis();
      target = currentRevision - settings.revisions();
    } else {
      samples.addLast(new Sample(nowMillis, currentRevision));
      long cutoff = nowMillis - settings.period().toMillis();
      target = 0;
      while (!samples.isEmpty() && samples.peekFirst().atMillis() <= cutoff) {
        target = samples.removeFirst().revision();
      }
    }
    if (target > Math.max(lastCompacted, compactedRevision.getAsLong())) {
      lastCompacted = target;
      compact.accept(target);
    }
  }
}
