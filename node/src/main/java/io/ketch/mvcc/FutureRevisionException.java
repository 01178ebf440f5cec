package io.ketch.mvcc;

/** The asked revision is newer than the store's current revision (etcd's mvcc.ErrFutureRev). */
public final class FutureRevisionException extends MvccException {
  public static final String MESSAGE = "mvcc: required revision is a future revision";

  FutureRevisionException() {
    super(MESSAGE);
  }
}
