package io.ketch.mvcc;

/**
 * A point in the store's history: {@code main} is the store revision of a write txn, {@code sub}
 * numbers the changes inside that txn (0, 1, ...). Ordered by main, then sub.
 */
record Revision(long main, long sub) implements Comparable<Revision> {

  @Override
  public int compareTo(Revision o) {
    int c = Long.compare(main, o.main);
    return c != 0 ? c : Long.compare(sub, o.sub);
  }
}
