package io.ketch.mvcc;

/** The asked revision is older than the compacted revision (etcd's mvcc.ErrCompacted). */
public final class CompactedException extends MvccException {
  public static final String MESSAGE = "mvcc: required revision has been compacted";

  CompactedException() {
    super(MESSAGE);
  }
}
