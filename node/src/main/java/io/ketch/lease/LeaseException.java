package io.ketch.lease;

/**
 * A lessor operation refused. The message is etcd's client-facing text (api/v3rpc/rpctypes), so the
 * API layer may pass it through; {@link #kind()} is what it maps to a gRPC status code.
 */
public final class LeaseException extends RuntimeException {

  /** What went wrong, with etcd's client-facing message. */
  public enum Kind {
    /** gRPC NotFound. */
    NOT_FOUND("etcdserver: requested lease not found"),
    /** gRPC FailedPrecondition. */
    EXISTS("etcdserver: lease already exists"),
    /** gRPC OutOfRange. */
    TTL_TOO_LARGE("etcdserver: too large lease TTL"),
    /**
     * This member does not lead (etcd's ErrNotPrimary): the caller forwards the renewal to the
     * leader, as etcd does, rather than answering the client with it.
     */
    NOT_PRIMARY("not a primary lessor");

    private final String message;

    Kind(String message) {
      this.message = message;
    }

    public String message() {
      return message;
    }
  }

  private final Kind kind;

  LeaseException(Kind kind) {
    super(kind.message(), null, false, false);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
