package io.ketch.mvcc;

/**
 * A point in the store's history: {@code main} is the store revision of a write txn, {@code sub}
 * numbers the changes inside that txn (0, 1, ...). A value for tests and diagnostics ({@link
 * RevisionLog#revisions()}); the store itself keeps revisions as primitives.
 */
record Revision(long main, long sub) {}
