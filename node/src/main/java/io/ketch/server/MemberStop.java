package io.ketch.server;

/**
 * Why a member stopped of its own accord; the process should then exit with {@link #exitCode()}, as
 * etcd's does (1 after a fatal error, 0 once removed from the cluster), so that a supervisor sees
 * it instead of a member that answers nothing.
 */
public enum MemberStop {
  /** A failed WAL, or a log that cannot follow the leader's. */
  FATAL_ERROR(1),
  /** The cluster removed this member; its data dir must be removed before it may join again. */
  REMOVED(0);

  private final int exitCode;

  MemberStop(int exitCode) {
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
