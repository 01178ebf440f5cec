package io.ketch.raft;

import io.ketch.raft.pb.ConfState;
import java.util.Map;

/**
 * A snapshot of a node's state, for diagnostics and tests; {@code progress} is empty unless leader.
 */
public record Status(
    long id,
    long term,
    long vote,
    long commit,
    long applied,
    long leader,
    StateRole role,
    Map<Long, ProgressView> progress,
    ConfState config,
    long leadTransferee) {}
