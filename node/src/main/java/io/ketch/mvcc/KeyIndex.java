package io.ketch.mvcc;

import com.google.protobuf.ByteString;
import io.ketch.pb.mvcc.KeyValue;
import java.util.ArrayList;
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
 * Not thread-safe: {@link KvStore} guards it with its lock.
 */
final class KeyIndex {

  /** One retained revision; for a tombstone, {@code kv} holds only key and mod_revision. */
  record Entry(Revision rev, KeyValue kv) {
    boolean isTombstone() {
      return kv.getVersion() == 0;
    }
  }

  private final ByteString key;
  private final List<List<Entry>> generations = new ArrayList<>(1);

  KeyIndex(ByteString key) {
    this.key = key;
    generations.add(new ArrayList<>(2));
  }

  ByteString key() {
    return key;
  }

  void put(Revision rev, KeyValue kv) {
    checkAfterLast(rev);
    if (kv.getVersion() <= 0 || !kv.getKey().equals(key)) {
      throw new IllegalStateException("keyIndex " + key + ": bad put " + kv);
    }
    current().add(new Entry(rev, kv));
  }

  void tombstone(Revision rev, KeyValue tombstone) {
    checkAfterLast(rev);
    if (current().isEmpty()) {
      throw new IllegalStateException(
          "keyIndex " + key.toStringUtf8() + ": delete of a deleted key");
    }
    current().add(new Entry(rev, tombstone));
    generations.add(new ArrayList<>(2));
  }

  /** The key's live value at {@code atRev}, or null when it did not exist then. */
  KeyValue get(long atRev) {
    int last = generations.size() - 1;
    for (int g = last; g >= 0; g--) {
      List<Entry> gen = generations.get(g);
      if (gen.isEmpty() || gen.get(0).rev.main() > atRev) {
        continue;
      }
      if (g != last && gen.get(gen.size() - 1).rev.main() <= atRev) {
        return null; // this life had ended by atRev
      }
      return gen.get(lastAtOrBefore(gen, atRev)).kv;
    }
    return null;
  }

  /** The current live value, or null when the key is deleted. */
  KeyValue latest() {
    List<Entry> cur = current();
    return cur.isEmpty() ? null : cur.get(cur.size() - 1).kv;
  }

  /**
   * Drops what no read at or after {@code atRev} needs: generations whose tombstone is at or before
   * atRev, and in the first remaining generation every revision before the last one at or before
   * atRev. Reports each dropped entry; returns true when nothing is left.
   */
  boolean compact(long atRev, Consumer<Entry> dropped) {
    int last = generations.size() - 1;
    int firstKept = 0;
    while (firstKept < last) {
      List<Entry> gen = generations.get(firstKept);
      if (gen.get(gen.size() - 1).rev.main() > atRev) {
        break;
      }
      gen.forEach(dropped);
      firstKept++;
    }
    generations.subList(0, firstKept).clear();
    List<Entry> first = generations.get(0);
    if (!first.isEmpty() && first.get(0).rev.main() <= atRev) {
      int keep = lastAtOrBefore(first, atRev);
      List<Entry> gone = first.subList(0, keep);
      gone.forEach(dropped);
      gone.clear();
    }
    return generations.size() == 1 && current().isEmpty();
  }

  int generationCount() {
    return generations.size();
  }

  List<Revision> revisions(int generation) {
    return generations.get(generation).stream().map(Entry::rev).toList();
  }

  private List<Entry> current() {
    return generations.get(generations.size() - 1);
  }

  private void checkAfterLast(Revision rev) {
    for (int g = generations.size() - 1; g >= 0; g--) {
      List<Entry> gen = generations.get(g);
      if (!gen.isEmpty()) {
        if (gen.get(gen.size() - 1).rev.compareTo(rev) >= 0) {
          throw new IllegalStateException(
              "keyIndex " + key.toStringUtf8() + ": revision " + rev + " not after " + gen);
        }
        return;
      }
    }
  }

  /** Index of the last entry with main revision <= atRev; the first entry must qualify. */
  private static int lastAtOrBefore(List<Entry> gen, long atRev) {
    int lo = 0;
    int hi = gen.size() - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (gen.get(mid).rev.main() <= atRev) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }
}
