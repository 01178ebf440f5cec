package io.ketch.raft;

/**
 * The leader's view of one peer's replication: {@code match} is the highest index known to be on
 * its log, {@code next} the next one to send; {@code state} is PROBE, REPLICATE or SNAPSHOT.
 */
public record ProgressView(
    long match, long next, String state, boolean recentActive, boolean learner) {}
