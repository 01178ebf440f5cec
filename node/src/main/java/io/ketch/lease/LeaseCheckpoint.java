package io.ketch.lease;

/**
 * A remaining TTL the leader proposes through the log (etcd's LeaseCheckpoint); 0 clears an earlier
 * checkpoint after a renewal.
 */
public record LeaseCheckpoint(long id, long remainingTtlSeconds) {}
