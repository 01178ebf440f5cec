package io.ketch.operator.members;

/**
 * One cluster's membership, through etcd's public Cluster and Maintenance APIs. Every method either
 * completes or throws {@link MembersException}; none retries on its own (the reconciler decides
 * what to do next).
 */
public interface Members {
  /** The member list, from any member that answers. */
  MemberList list();

  /** MemberAdd as a learner: the new member votes only after {@link #promote}. */
  Member addLearner(String peerUrl);

  /** MemberPromote. Fails while the learner is not caught up with the leader. */
  void promote(long memberId);

  /** MemberRemove. */
  void remove(long memberId);

  /**
   * Status of the member at this client URL, plus a linearizable read to tell whether it is
   * healthy.
   */
  EndpointStatus status(String clientUrl);

  /** MoveLeader, sent to the current leader (only a leader can hand leadership over). */
  void moveLeader(String leaderClientUrl, long transfereeId);
}
