package io.ketch.raft;

import io.ketch.raft.pb.Entry;
import io.ketch.raft.pb.Snapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * The tail of the log not yet persisted: entries from index {@code offset} on, and possibly an
 * incoming snapshot ending at {@code offset - 1}. They move to Storage once the application has
 * written them and called advance.
 */
final class Unstable {
  Snapshot snapshot;
  List<Entry> entries = new ArrayList<>();
  long offset;

  Unstable(long offset) {
    this.offset = offset;
  }

  /** The first index if it is known from a pending snapshot, else -1. */
  long maybeFirstIndex() {
    return snapshot == null ? -1 : snapshot.getMetadata().getIndex() + 1;
  }

  /** The last index if unstable entries or a snapshot know it, else -1. */
  long maybeLastIndex() {
    if (!entries.isEmpty()) {
      return offset + entries.size() - 1;
    }
    return snapshot == null ? -1 : snapshot.getMetadata().getIndex();
  }

  /** The term of {@code index} if known here, else -1. */
  long maybeTerm(long index) {
    if (index < offset) {
      if (snapshot != null && snapshot.getMetadata().getIndex() == index) {
        return snapshot.getMetadata().getTerm();
      }
      return -1;
    }
    long last = maybeLastIndex();
    if (last == -1 || index > last) {
      return -1;
    }
    return entries.get((int) (index - offset)).getTerm();
  }

  /** Entries up to {@code index} (of {@code term}) are now in Storage. */
  void stableTo(long index, long term) {
    long t = maybeTerm(index);
    // A mismatch means the entries were replaced after they were handed out: keep the new ones.
    if (t == term && index >= offset) {
      entries = new ArrayList<>(entries.subList((int) (index + 1 - offset), entries.size()));
      offset = index + 1;
    }
  }

  void stableSnapTo(long index) {
    if (snapshot != null && snapshot.getMetadata().getIndex() == index) {
      snapshot = null;
    }
  }

  void restore(Snapshot s) {
    offset = s.getMetadata().getIndex() + 1;
    entries = new ArrayList<>();
    snapshot = s;
  }

  void truncateAndAppend(List<Entry> ents) {
    long from = ents.get(0).getIndex();
    if (from == offset + entries.size()) {
      entries.addAll(ents);
    } else if (from <= offset) {
      // Replaces everything unstable; Storage drops its own suffix when these are written.
      offset = from;
      entries = new ArrayList<>(ents);
    } else {
      entries.subList((int) (from - offset), entries.size()).clear();
      entries.addAll(ents);
    }
  }

  /** Entries {@code [lo, hi)}, all within the unstable range. */
  List<Entry> slice(long lo, long hi) {
    if (lo > hi || lo < offset || hi > offset + entries.size()) {
      throw new IllegalStateException(
          "invalid unstable slice ["
              + lo
              + ","
              + hi
              + ") of ["
              + offset
              + ","
              + (offset + entries.size())
              + ")");
    }
    return entries.subList((int) (lo - offset), (int) (hi - offset));
  }
}
