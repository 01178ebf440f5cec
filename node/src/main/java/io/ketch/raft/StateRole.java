package io.ketch.raft;

/** The role a node plays in its current term. */
public enum StateRole {
  FOLLOWER,
  CANDIDATE,
  LEADER,
  /** Polling peers before a real election, without raising the term (thesis 9.6). */
  PRE_CANDIDATE
}
