package io.ketch.lease;

import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * At most one deadline per lease id, ordered by time (then id, so equal times stay distinct). Every
 * operation is O(log n). Not thread-safe: the {@link Lessor} guards it.
 */
final class DeadlineQueue {

  record Deadline(long atMillis, long id) {}

  private static final Comparator<Deadline> ORDER =
      Comparator.comparingLong(Deadline::atMillis).thenComparingLong(Deadline::id);

  private final TreeSet<Deadline> byTime = new TreeSet<>(ORDER);
  private final Map<Long, Deadline> byId = new HashMap<>();

  /** Sets (or moves) the deadline of {@code id}. */
  void put(long id, long atMillis) {
    Deadline deadline = new Deadline(atMillis, id);
    Deadline previous = byId.put(id, deadline);
    if (previous != null) {
      byTime.remove(previous);
    }
    byTime.add(deadline);
  }

  void remove(long id) {
    Deadline previous = byId.remove(id);
    if (previous != null) {
      byTime.remove(previous);
    }
  }

  /** The earliest deadline if it is at or before {@code nowMillis}, else null. */
  Deadline firstDue(long nowMillis) {
    if (byTime.isEmpty() || byTime.first().atMillis() > nowMillis) {
      return null;
    }
    return byTime.first();
  }

  void clear() {
    byTime.clear();
    byId.clear();
  }

  int size() {
    return byId.size();
  }
}
