package io.ketch.auth;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The union of a user's key ranges for one kind of access, merged into sorted, disjoint,
 * non-adjacent intervals (etcd keeps an interval tree per user; merged intervals answer the same
 * question, "is this whole range covered?", with one binary search).
 *
 * <p>Ranges follow etcd's conventions: an empty end means the single key, that is [key, key+"\0");
 * an end of "\0" means every key from key on; any other end is exclusive. Immutable.
 */
final class RangePermissions {

  private static final Comparator<ByteString> BYTES =
      ByteString.unsignedLexicographicalComparator();
  private static final ByteString OPEN = ByteString.copyFrom(new byte[] {0});

  /** [start, end); end null means unbounded. */
  private record Interval(ByteString start, ByteString end) {}

  static final RangePermissions NONE = new RangePermissions(List.of());

  private final List<Interval> merged;

  private RangePermissions(List<Interval> merged) {
    this.merged = merged;
  }

  /** Builds the union of ranges given as (key, rangeEnd) pairs. */
  static RangePermissions of(List<ByteString[]> ranges) {
    List<Interval> sorted = new ArrayList<>();
    for (ByteString[] range : ranges) {
      Interval interval = interval(range[0], range[1]);
      if (isEmpty(interval)) {
        continue;
      }
      sorted.add(interval);
    }
    sorted.sort(Comparator.comparing(Interval::start, BYTES));
    List<Interval> merged = new ArrayList<>();
    for (Interval next : sorted) {
      Interval last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
      if (last != null && (last.end() == null || BYTES.compare(next.start(), last.end()) <= 0)) {
        merged.set(merged.size() - 1, new Interval(last.start(), maxEnd(last.end(), next.end())));
      } else {
        merged.add(next);
      }
    }
    return new RangePermissions(List.copyOf(merged));
  }

  /** Whether every key of the range (same conventions) is covered. */
  boolean covers(ByteString key, ByteString rangeEnd) {
    Interval wanted = interval(key, rangeEnd);
    int low = 0;
    int high = merged.size() - 1;
    Interval candidate = null;
    while (low <= high) { // the last interval starting at or before wanted.start
      int mid = (low + high) >>> 1;
      if (BYTES.compare(merged.get(mid).start(), wanted.start()) <= 0) {
        candidate = merged.get(mid);
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    if (candidate == null) {
      return false;
    }
    if (candidate.end() == null) {
      return true;
    }
    return wanted.end() != null && BYTES.compare(wanted.end(), candidate.end()) <= 0;
  }

  /** Whether (key, rangeEnd) is a range a permission may name (etcd's isValidPermissionRange). */
  static boolean isValid(ByteString key, ByteString rangeEnd) {
    return !key.isEmpty()
        && (rangeEnd.isEmpty() || rangeEnd.equals(OPEN) || BYTES.compare(key, rangeEnd) < 0);
  }

  private static Interval interval(ByteString key, ByteString rangeEnd) {
    if (rangeEnd.isEmpty()) {
      return new Interval(key, key.concat(OPEN));
    }
    return new Interval(key, rangeEnd.equals(OPEN) ? null : rangeEnd);
  }

  private static boolean isEmpty(Interval interval) {
    return interval.end() != null && BYTES.compare(interval.start(), interval.end()) >= 0;
  }

  private static ByteString maxEnd(ByteString a, ByteString b) {
    if (a == null || b == null) {
      return null;
    }
    return BYTES.compare(a, b) >= 0 ? a : b;
  }
}
