package io.ketch.mvcc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Every retained revision in revision order (main, then sub): the store's {@code history}, for
 * watch catch-up, hashes, compaction and snapshots.
 *
 * <p>Writes only ever append (revisions grow), so a sorted map is not needed: three parallel arrays
 * (main {@code long}, sub {@code int}, the serialized KeyValue) cost 16 bytes per revision instead
 * of a map node and a revision object, and lookups by revision are binary searches. Compaction
 * removes scattered revisions (a key keeps its last one at or before the compaction point) in one
 * pass that closes the gaps.
 *
 * <p>Not thread-safe: {@link KvStore} guards it with its lock. The byte arrays are never changed
 * after {@link #append}, so a {@link #copy} can be read by another thread.
 */
final class RevisionLog {
  private static final int MIN_CAPACITY = 16;

  private long[] mains = new long[MIN_CAPACITY];
  private int[] subs = new int[MIN_CAPACITY];
  private byte[][] kvs = new byte[MIN_CAPACITY][];
  private int size;

  int size() {
    return size;
  }

  long main(int i) {
    return mains[i];
  }

  int sub(int i) {
    return subs[i];
  }

  byte[] kv(int i) {
    return kvs[i];
  }

  void append(long main, int sub, byte[] kv) {
    if (size > 0 && (mains[size - 1] > main || mains[size - 1] == main && subs[size - 1] >= sub)) {
      throw new IllegalStateException(
          "revision " + main + "." + sub + " not after " + mains[size - 1] + "." + subs[size - 1]);
    }
    if (size == mains.length) {
      resize(Math.max(MIN_CAPACITY, size + (size >> 1)));
    }
    mains[size] = main;
    subs[size] = sub;
    kvs[size] = kv;
    size++;
  }

  /** Index of the first revision with a main revision above {@code main}; size when none. */
  int firstAfter(long main) {
    int lo = 0;
    int hi = size;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (mains[mid] <= main) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Removes the revisions whose value is one of {@code gone} (compared by identity). */
  void removeAll(Set<byte[]> gone) {
    int kept = 0;
    int removed = 0;
    int i = 0;
    for (; i < size && removed < gone.size(); i++) {
      if (gone.contains(kvs[i])) {
        removed++;
      } else {
        mains[kept] = mains[i];
        subs[kept] = subs[i];
        kvs[kept] = kvs[i];
        kept++;
      }
    }
    int rest = size - i;
    System.arraycopy(mains, i, mains, kept, rest);
    System.arraycopy(subs, i, subs, kept, rest);
    System.arraycopy(kvs, i, kvs, kept, rest);
    Arrays.fill(kvs, kept + rest, size, null);
    size = kept + rest;
    if (size < mains.length / 4) {
      resize(Math.max(size * 2, MIN_CAPACITY));
    }
  }

  /** A copy of the current content (the byte arrays are shared: they never change). */
  RevisionLog copy() {
    RevisionLog copy = new RevisionLog();
    copy.mains = Arrays.copyOf(mains, size);
    copy.subs = Arrays.copyOf(subs, size);
    copy.kvs = Arrays.copyOf(kvs, size);
    copy.size = size;
    return copy;
  }

  /**
   * Replaces this log's content by {@code other}'s, sharing its arrays: other is not used after.
   */
  void takeFrom(RevisionLog other) {
    mains = other.mains;
    subs = other.subs;
    kvs = other.kvs;
    size = other.size;
  }

  /** The retained revisions, for tests and diagnostics. */
  List<Revision> revisions() {
    List<Revision> revisions = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      revisions.add(new Revision(mains[i], subs[i]));
    }
    return revisions;
  }

  private void resize(int capacity) {
    mains = Arrays.copyOf(mains, capacity);
    subs = Arrays.copyOf(subs, capacity);
    kvs = Arrays.copyOf(kvs, capacity);
  }
}
