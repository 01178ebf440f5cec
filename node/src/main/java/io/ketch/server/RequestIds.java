package io.ketch.server;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Unique ids for proposals and leases, as etcd makes them: the low 16 bits of the member id on top
 * (so two members never collide), then a millisecond timestamp and a counter (so a restarted member
 * does not reuse the ids of its previous life).
 */
final class RequestIds {
  private static final int SUFFIX_BITS = 48;
  private static final long SUFFIX_MASK = (1L << SUFFIX_BITS) - 1;

  private final long prefix;
  private final AtomicLong suffix;

  RequestIds(long memberId, long nowMillis) {
    this.prefix = (memberId & 0xffff) << SUFFIX_BITS;
    this.suffix = new AtomicLong((nowMillis & ((1L << 40) - 1)) << 8);
  }

  long next() {
    return prefix | (suffix.incrementAndGet() & SUFFIX_MASK);
  }
}
