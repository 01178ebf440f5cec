package io.ketch.storage;

import java.util.Arrays;

/**
 * Where each entry of the raft log lives: for every index after a compaction point, its term and
 * the WAL document holding its latest write. Sixteen bytes an entry, so that the entries themselves
 * need not stay in memory (a member's log since its last snapshot is up to 100,000 of them).
 *
 * <p>Not thread-safe: {@link DiskStorage} guards it.
 */
final class LogPositions {

  private long offset;
  private long offsetTerm;
  private long[] terms = new long[64];
  private long[] documents = new long[64];
  private int size;

  /** An empty log after ({@code index}, {@code term}): a snapshot's, or (0, 0). */
  LogPositions(long index, long term) {
    reset(index, term);
  }

  /** The index before the first entry (the compaction point). */
  long offset() {
    return offset;
  }

  long lastIndex() {
    return offset + size;
  }

  /** The term at {@code index}, from the compaction point to the last index. */
  long term(long index) {
    return index == offset ? offsetTerm : terms[slot(index)];
  }

  /** The WAL document that holds the entry at {@code index}, after the compaction point. */
  long document(long index) {
    return documents[slot(index)];
  }

  /**
   * Records the entry at {@code index}, discarding every entry from it on first (raft's log
   * truncation).
   *
   * @throws IllegalArgumentException unless {@code index} lies after the compaction point and at
   *     most one past the last index
   */
  void append(long index, long term, long document) {
    if (index <= offset || index > lastIndex() + 1) {
      throw new IllegalArgumentException(
          "entry " + index + " does not follow the log (" + offset + ", " + lastIndex() + "]");
    }
    size = (int) (index - offset - 1);
    if (size == terms.length) {
      terms = Arrays.copyOf(terms, size + (size >> 1));
      documents = Arrays.copyOf(documents, terms.length);
    }
    terms[size] = term;
    documents[size] = document;
    size++;
  }

  /** Drops the entries up to {@code index}, which becomes the compaction point. */
  void compactTo(long index) {
    if (index <= offset) {
      return;
    }
    long term = term(index);
    int dropped = (int) (index - offset);
    System.arraycopy(terms, dropped, terms, 0, size - dropped);
    System.arraycopy(documents, dropped, documents, 0, size - dropped);
    size -= dropped;
    offset = index;
    offsetTerm = term;
  }

  /** Drops every entry after the compaction point. */
  void clear() {
    size = 0;
  }

  /** Empties the log, which now starts after ({@code index}, {@code term}). */
  void reset(long index, long term) {
    offset = index;
    offsetTerm = term;
    size = 0;
  }

  private int slot(long index) {
    if (index <= offset || index > lastIndex()) {
      throw new IndexOutOfBoundsException(
          "entry " + index + " outside (" + offset + ", " + lastIndex() + "]");
    }
    return (int) (index - offset - 1);
  }
}
