package io.ketch.raft;

import io.ketch.raft.pb.Entry;
import io.ketch.raft.pb.Snapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * The log as the algorithm sees it: Storage (persisted) followed by {@link Unstable} (not yet
 * persisted), plus the commit and apply cursors. Invariant: applied <= committed <= lastIndex.
 */
final class RaftLog {
  final Storage storage;
  final Unstable unstable;

  /** The highest index known to be stored on a quorum. */
  long committed;

  /**
   * The highest index handed to the application to apply (in a Ready not yet advanced, or before).
   */
  long applying;

  /** The highest index the application has applied. */
  long applied;

  private final long maxApplyingSize;

  RaftLog(Storage storage, long maxApplyingSize) {
    this.storage = storage;
    this.maxApplyingSize = maxApplyingSize;
    long first = storage.firstIndex();
    this.unstable = new Unstable(storage.lastIndex() + 1);
    this.committed = first - 1;
    this.applying = first - 1;
    this.applied = first - 1;
  }

  /**
   * The follower side of AppendEntries (paper Figure 2, receiver rules 2-5): if the log holds
   * {@code (index, logTerm)}, appends {@code ents} after it, replacing any conflicting suffix, and
   * advances the commit index. Returns the index of the last new entry, or -1 on mismatch.
   */
  long maybeAppend(long index, long logTerm, long commit, List<Entry> ents) {
    if (!matchTerm(index, logTerm)) {
      return -1;
    }
    long lastNew = index + ents.size();
    long conflict = findConflict(ents);
    if (conflict != 0) {
      if (conflict <= committed) {
        throw new IllegalStateException(
            "entry " + conflict + " conflicts with committed entry (committed " + committed + ")");
      }
      append(ents.subList((int) (conflict - (index + 1)), ents.size()));
    }
    commitTo(Math.min(commit, lastNew));
    return lastNew;
  }

  long append(List<Entry> ents) {
    if (ents.isEmpty()) {
      return lastIndex();
    }
    long after = ents.get(0).getIndex() - 1;
    if (after < committed) {
      throw new IllegalStateException(
          "append after " + after + " is out of range (committed " + committed + ")");
    }
    unstable.truncateAndAppend(ents);
    return lastIndex();
  }

  /**
   * The index of the first entry of {@code ents} whose term differs from ours (or that we lack), 0
   * if every entry is already there.
   */
  private long findConflict(List<Entry> ents) {
    for (Entry e : ents) {
      if (!matchTerm(e.getIndex(), e.getTerm())) {
        return e.getIndex();
      }
    }
    return 0;
  }

  /**
   * For fast back-off on a rejected MSG_APP: the largest index <= {@code index} whose term is <=
   * {@code term}, with that term. Every entry after it up to {@code index} has a larger term, so it
   * cannot match the other log and can be skipped in one round trip. Returns {index, term}; the
   * term is 0 when unknown.
   */
  long[] findConflictByTerm(long index, long term) {
    if (index > lastIndex()) {
      return new long[] {index, 0};
    }
    for (; index > 0; index--) {
      long ours;
      try {
        ours = term(index);
      } catch (Storage.CompactedException | Storage.UnavailableException e) {
        return new long[] {index, 0};
      }
      if (ours <= term) {
        return new long[] {index, ours};
      }
    }
    return new long[] {0, 0};
  }

  List<Entry> unstableEntries() {
    return unstable.entries;
  }

  boolean hasNextOrInProgressSnapshot() {
    return unstable.snapshot != null;
  }

  /** Committed entries not yet handed out to apply, within the per-Ready byte budget. */
  List<Entry> nextCommittedEntries() {
    if (hasNextOrInProgressSnapshot()) {
      return List.of();
    }
    long lo = Math.max(applying + 1, firstIndex());
    long hi = committed + 1;
    if (lo >= hi) {
      return List.of();
    }
    return slice(lo, hi, maxApplyingSize);
  }

  boolean hasNextCommittedEntries() {
    return !hasNextOrInProgressSnapshot() && committed > Math.max(applying, firstIndex() - 1);
  }

  Snapshot snapshot() {
    if (unstable.snapshot != null) {
      return unstable.snapshot;
    }
    return storage.snapshot();
  }

  long firstIndex() {
    long i = unstable.maybeFirstIndex();
    return i != -1 ? i : storage.firstIndex();
  }

  long lastIndex() {
    long i = unstable.maybeLastIndex();
    return i != -1 ? i : storage.lastIndex();
  }

  long lastTerm() {
    return term(lastIndex());
  }

  /** The highest index already handed to the application to persist (in Storage). */
  long stableLastIndex() {
    return unstable.snapshot != null ? 0 : unstable.offset - 1;
  }

  void commitTo(long toCommit) {
    if (committed < toCommit) {
      if (lastIndex() < toCommit) {
        throw new IllegalStateException(
            "commit " + toCommit + " is out of range [last index " + lastIndex() + "]");
      }
      committed = toCommit;
    }
  }

  void applyingTo(long index) {
    applying = Math.max(applying, index);
  }

  void appliedTo(long index) {
    if (index == 0) {
      return;
    }
    if (committed < index || index < applied) {
      throw new IllegalStateException(
          "applied "
              + index
              + " is out of range [prev applied "
              + applied
              + ", committed "
              + committed
              + "]");
    }
    applied = index;
    applying = Math.max(applying, index);
  }

  void stableTo(long index, long term) {
    unstable.stableTo(index, term);
  }

  void stableSnapTo(long index) {
    unstable.stableSnapTo(index);
  }

  /**
   * The term of the entry at {@code index}; 0 when it is beyond the log or before the snapshot.
   *
   * @throws Storage.CompactedException if Storage compacted it away meanwhile
   */
  long term(long index) {
    long dummy = firstIndex() - 1;
    if (index < dummy || index > lastIndex()) {
      return 0;
    }
    long t = unstable.maybeTerm(index);
    if (t != -1) {
      return t;
    }
    return storage.term(index);
  }

  /** {@link #term} with a compacted index reported as 0, for comparisons. */
  long termOrZero(long index) {
    try {
      return term(index);
    } catch (Storage.CompactedException | Storage.UnavailableException e) {
      return 0;
    }
  }

  boolean matchTerm(long index, long term) {
    try {
      return term(index) == term && (index <= lastIndex());
    } catch (Storage.CompactedException | Storage.UnavailableException e) {
      return false;
    }
  }

  /** Whether a candidate's last entry is at least as up-to-date as ours (paper 5.4.1). */
  boolean isUpToDate(long lastIndex, long term) {
    long ourTerm = lastTerm();
    return term > ourTerm || (term == ourTerm && lastIndex >= lastIndex());
  }

  /**
   * Advances the commit index to {@code maxIndex} only if that entry is of {@code term} (5.4.2).
   */
  boolean maybeCommit(long maxIndex, long term) {
    if (maxIndex > committed && termOrZero(maxIndex) == term) {
      commitTo(maxIndex);
      return true;
    }
    return false;
  }

  void restore(Snapshot s) {
    committed = s.getMetadata().getIndex();
    unstable.restore(s);
  }

  /** Entries from {@code index} to the end, within {@code maxSize} bytes (at least one). */
  List<Entry> entries(long index, long maxSize) {
    if (index > lastIndex()) {
      return List.of();
    }
    return slice(index, lastIndex() + 1, maxSize);
  }

  /**
   * Entries {@code [lo, hi)} within {@code maxSize} bytes (at least one).
   *
   * @throws Storage.CompactedException if {@code lo} was compacted
   */
  List<Entry> slice(long lo, long hi, long maxSize) {
    if (lo < firstIndex()) {
      throw new Storage.CompactedException(lo, firstIndex());
    }
    if (hi > lastIndex() + 1) {
      throw new IllegalStateException("slice [" + lo + "," + hi + ") out of bound " + lastIndex());
    }
    if (lo == hi) {
      return List.of();
    }
    List<Entry> result = new ArrayList<>();
    if (lo < unstable.offset) {
      List<Entry> stored = storage.entries(lo, Math.min(hi, unstable.offset), maxSize);
      result.addAll(stored);
      // Storage stopped early because of the size limit: the rest would not fit either.
      if (stored.size() < Math.min(hi, unstable.offset) - lo) {
        return result;
      }
    }
    if (hi > unstable.offset) {
      result.addAll(unstable.slice(Math.max(lo, unstable.offset), hi));
    }
    return MemoryStorage.limitSize(result, maxSize);
  }
}
