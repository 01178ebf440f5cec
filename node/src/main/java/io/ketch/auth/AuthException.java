package io.ketch.auth;

/**
 * An auth operation refused. The message is etcd's client-facing text (api/v3rpc/rpctypes); {@link
 * #kind()} is what the API layer maps to a gRPC status code (given with each kind).
 */
public final class AuthException extends RuntimeException {

  /** What went wrong, with etcd's client-facing message. */
  public enum Kind {
    /** InvalidArgument. */
    USER_EMPTY("etcdserver: user name is empty"),
    /** FailedPrecondition. */
    USER_ALREADY_EXIST("etcdserver: user name already exists"),
    /** FailedPrecondition. */
    USER_NOT_FOUND("etcdserver: user name not found"),
    /** InvalidArgument. */
    ROLE_EMPTY("etcdserver: role name is empty"),
    /** FailedPrecondition. */
    ROLE_ALREADY_EXIST("etcdserver: role name already exists"),
    /** FailedPrecondition. */
    ROLE_NOT_FOUND("etcdserver: role name not found"),
    /** FailedPrecondition. */
    ROLE_NOT_GRANTED("etcdserver: role is not granted to the user"),
    /** FailedPrecondition. */
    PERMISSION_NOT_GRANTED("etcdserver: permission is not granted to the role"),
    /** InvalidArgument. */
    PERMISSION_NOT_GIVEN("etcdserver: permission not given"),
    /** PermissionDenied. */
    PERMISSION_DENIED("etcdserver: permission denied"),
    /** InvalidArgument. */
    AUTH_FAILED("etcdserver: authentication failed, invalid user ID or password"),
    /** FailedPrecondition. */
    AUTH_NOT_ENABLED("etcdserver: authentication is not enabled"),
    /** Unauthenticated. */
    INVALID_AUTH_TOKEN("etcdserver: invalid auth token"),
    /** InvalidArgument. */
    INVALID_AUTH_MGMT("etcdserver: invalid auth management"),
    /** FailedPrecondition. */
    ROOT_USER_NOT_EXIST("etcdserver: root user does not exist"),
    /** FailedPrecondition. */
    ROOT_ROLE_NOT_EXIST("etcdserver: root user does not have root role"),
    /** InvalidArgument. */
    AUTH_OLD_REVISION("etcdserver: revision of auth store is old");

    private final String message;

    Kind(String message) {
      this.message = message;
    }

    public String message() {
      return message;
    }
  }

  private final Kind kind;

  public AuthException(Kind kind) {
    super(kind.message(), null, false, false);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
