package io.ketch.raft;

/**
 * A proposal was not appended: there is no known leader (or forwarding is disabled), a leadership
 * transfer is in progress, the uncommitted log is over its size cap, or this node was removed. The
 * caller may retry later.
 */
public final class ProposalDroppedException extends RuntimeException {
  ProposalDroppedException(String reason) {
    super("raft proposal dropped: " + reason);
  }
}
