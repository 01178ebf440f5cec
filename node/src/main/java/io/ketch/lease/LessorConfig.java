package io.ketch.lease;

import java.time.Duration;

/**
 * The lessor's settings.
 *
 * @param minTtlSeconds shorter TTLs are raised to this; etcd uses ceil(1.5 x election timeout) so a
 *     lease outlives the election that follows a leader's loss
 * @param checkpointIntervalMillis how often the leader checkpoints a lease's remaining TTL through
 *     the log (etcd: 5 min), so a new leader does not hand it a full TTL again
 * @param expiredRetryIntervalMillis how long an expired lease handed out by {@link
 *     Lessor#expired(int)} waits before it is handed out again if its revocation never applied
 *     (etcd: 3 s)
 * @param promoteExpiriesPerSecond after a promotion, leases are spread so that no more than this
 *     many expire in a second (etcd: three quarters of its revoke rate of 1000/s), so a new leader
 *     does not revoke a pile of leases whose clients had no time to find it
 */
public record LessorConfig(
    long minTtlSeconds,
    long checkpointIntervalMillis,
    long expiredRetryIntervalMillis,
    int promoteExpiriesPerSecond) {

  /** etcd's defaults for a 1000 ms election timeout. */
  public static final LessorConfig DEFAULT = forElectionTimeout(Duration.ofMillis(1000));

  public LessorConfig {
    if (minTtlSeconds < 1) {
      throw new IllegalArgumentException("minTtlSeconds must be positive: " + minTtlSeconds);
    }
    if (checkpointIntervalMillis <= 0
        || expiredRetryIntervalMillis <= 0
        || promoteExpiriesPerSecond <= 0) {
      throw new IllegalArgumentException("intervals and rates must be positive");
    }
  }

  /** etcd's defaults, with the minimum TTL derived from the election timeout. */
  public static LessorConfig forElectionTimeout(Duration electionTimeout) {
    long minTtlSeconds = Math.max(1, (electionTimeout.toMillis() * 3 / 2 + 999) / 1000);
    return new LessorConfig(minTtlSeconds, Duration.ofMinutes(5).toMillis(), 3_000, 750);
  }
}
