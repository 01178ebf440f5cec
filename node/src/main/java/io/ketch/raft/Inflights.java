package io.ketch.raft;

/**
 * The MSG_APP messages sent to one follower and not yet acknowledged, as (last index, payload
 * bytes) in sending order: a sliding window bounded by count and by bytes (0 = bytes unbounded).
 */
final class Inflights {
  private final int capacity;
  private final long maxBytes;
  private final long[] indices;
  private final long[] sizes;
  private int start;
  private int count;
  private long bytes;

  Inflights(int capacity, long maxBytes) {
    this.capacity = capacity;
    this.maxBytes = maxBytes;
    this.indices = new long[capacity];
    this.sizes = new long[capacity];
  }

  void add(long index, long size) {
    if (full()) {
      throw new IllegalStateException("cannot add into a full inflights window");
    }
    int next = (start + count) % capacity;
    indices[next] = index;
    sizes[next] = size;
    count++;
    bytes += size;
  }

  /** Frees every message whose last index is <= {@code to}: the follower has acknowledged it. */
  void freeLE(long to) {
    while (count > 0 && indices[start] <= to) {
      bytes -= sizes[start];
      start = (start + 1) % capacity;
      count--;
    }
    if (count == 0) {
      start = 0;
    }
  }

  boolean full() {
    return count == capacity || (maxBytes != 0 && bytes >= maxBytes);
  }

  int count() {
    return count;
  }

  void reset() {
    start = 0;
    count = 0;
    bytes = 0;
  }
}
