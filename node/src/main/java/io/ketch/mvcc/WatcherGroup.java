package io.ketch.mvcc;

import com.google.protobuf.ByteString;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Watchers found by key: single-key watchers through a hash map, range watchers by a scan (etcd
 * uses an interval tree; a scan is enough while range watchers are few, as with Kubernetes' prefix
 * watches).
 */
final class WatcherGroup {
  private final Map<ByteString, Set<Watcher>> byKey = new HashMap<>();
  private final Set<Watcher> ranges = new LinkedHashSet<>();
  private int size;

  void add(Watcher w) {
    if (w.isRange()) {
      ranges.add(w);
    } else {
      byKey.computeIfAbsent(w.key, k -> new LinkedHashSet<>()).add(w);
    }
    size++;
  }

  boolean remove(Watcher w) {
    boolean removed;
    if (w.isRange()) {
      removed = ranges.remove(w);
    } else {
      Set<Watcher> set = byKey.get(w.key);
      removed = set != null && set.remove(w);
      if (set != null && set.isEmpty()) {
        byKey.remove(w.key);
      }
    }
    if (removed) {
      size--;
    }
    return removed;
  }

  boolean isEmpty() {
    return size == 0;
  }

  void forEach(Consumer<Watcher> action) {
    byKey.values().forEach(set -> set.forEach(action));
    ranges.forEach(action);
  }

  void forEachMatching(ByteString key, Consumer<Watcher> action) {
    Set<Watcher> singles = byKey.get(key);
    if (singles != null) {
      singles.forEach(action);
    }
    for (Watcher w : ranges) {
      if (w.contains(key)) {
        action.accept(w);
      }
    }
  }
}
