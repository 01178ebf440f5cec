package io.ketch.mvcc;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Every retained revision of one key, grouped into generations (etcd's keyIndex idea). A generation
 * is one life of the key: from the put that created it to the delete that ended it. The last
 * generation is the current one; it is empty while the key is deleted. Every earlier generation
 * ends with its tombstone.
 *
 * <p>Worked example for key "k":
 *
 * <pre>
 *   put@2, put@3          [ {2, 3} ]                       k lives, version 2
 *   delete@4              [ {2, 3, 4(tomb)}, {} ]          k deleted; the current generation is empty
 *   put@6                 [ {2, 3, 4(tomb)}, {6} ]         a new life: version 1, create_revision 6
 *   compact(3)            [ {3, 4(tomb)}, {6} ]            3 still answers reads at 3; 2 is dropped
 *   compact(5)            [ {6} ]                          a generation ended at or before 5 is gone
 *   delete@7, compact(7)  (empty: the index is removed)    nothing is readable at or after 7
 * </pre>
 *
 * <p>Layout: no object per revision, since history is all in the heap. The generations are kept
 * flat, oldest revision first, in two parallel arrays: {@code mains[i]} is the main revision,
 * negated for a tombstone (revisions are >= 2, so the sign is free), and {@code kvs[i]} the
 * serialized KeyValue, the same array {@link RevisionLog} holds. A tombstone ends its generation,
 * so the generations need no structure of their own: the value at a revision is the last entry at
 * or before it, unless that entry is a tombstone. Main revisions never decrease; one txn may write
 * the key more than once under the same main revision (its sub-revisions are only in the log).
 *
 * <p>Not thread-safe: {@link KvStore} guards it with its lock.
 */
final class KeyIndex {

  private final ByteString key;
  private long[] mains = new long[1];
  private byte[][] kvs = new byte[1][];
  private int size;

  KeyIndex(ByteString key) {
    this.key = key;
  }

  ByteString key() {
    return key;
  }

  void put(long main, byte[] kv) {
    append(main, kv);
  }

  void tombstone(long main, byte[] tombstone) {
    if (latest() == null) {
      throw new IllegalStateException(
          "keyIndex " + key.toStringUtf8() + ": delete of a deleted key");
    }
    append(-main, tombstone);
  }

  /** The key's live value at {@code atRev} (a serialized KeyValue), or null when it was absent. */
  byte[] get(long atRev) {
    int i = lastAtOrBefore(atRev);
    return i < 0 || isTombstone(i) ? null : kvs[i];
  }

  /** The current live value, or null when the key is deleted. */
  byte[] latest() {
    return size == 0 || isTombstone(size - 1) ? null : kvs[size - 1];
  }

  /**
   * Drops what no read at or after {@code atRev} needs: generations whose tombstone is at or before
   * atRev, and in the first remaining generation every revision before the last one at or before
   * atRev. Flat, that is everything before the last entry at or before atRev, and that entry too
   * when it is a tombstone. Reports each dropped value; returns true when nothing is left.
   */
  boolean compact(long atRev, Consumer<byte[]> dropped) {
    int last = lastAtOrBefore(atRev);
    int drop = last < 0 ? 0 : isTombstone(last) ? last + 1 : last;
    for (int i = 0; i < drop; i++) {
      dropped.accept(kvs[i]);
    }
    size -= drop;
    System.arraycopy(mains, drop, mains, 0, size);
    System.arraycopy(kvs, drop, kvs, 0, size);
    Arrays.fill(kvs, size, size + drop, null);
    if (size < mains.length / 2) {
      resize(Math.max(size, 1));
    }
    return size == 0;
  }

  int generationCount() {
    int tombstones = 0;
    for (int i = 0; i < size; i++) {
      tombstones += isTombstone(i) ? 1 : 0;
    }
    return tombstones + 1;
  }

  /** The retained main revisions, tombstones included, oldest first. */
  List<Long> revisions() {
    List<Long> revisions = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      revisions.add(main(i));
    }
    return revisions;
  }

  private void append(long signedMain, byte[] kv) {
    long main = Math.abs(signedMain);
    if (size > 0 && main(size - 1) > main) {
      throw new IllegalStateException(
          "keyIndex " + key.toStringUtf8() + ": revision " + main + " before " + main(size - 1));
    }
    if (size == mains.length) {
      resize(Math.max(size + 1, size + (size >> 1))); // most keys have only a few revisions
    }
    mains[size] = signedMain;
    kvs[size] = kv;
    size++;
  }

  private void resize(int capacity) {
    mains = Arrays.copyOf(mains, capacity);
    kvs = Arrays.copyOf(kvs, capacity);
  }

  private long main(int i) {
    return Math.abs(mains[i]);
  }

  private boolean isTombstone(int i) {
    return mains[i] < 0;
  }

  /** Index of the last entry with main revision <= atRev, or -1. */
  private int lastAtOrBefore(long atRev) {
    int lo = 0;
    int hi = size - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (main(mid) <= atRev) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return hi;
  }
}
