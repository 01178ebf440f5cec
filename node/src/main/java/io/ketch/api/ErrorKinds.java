package io.ketch.api;

import io.grpc.Status;
import io.ketch.auth.AuthException;
import io.ketch.lease.LeaseException;
import io.ketch.mvcc.CompactedException;
import io.ketch.mvcc.FutureRevisionException;
import java.util.Optional;

/** The exceptions of mvcc, lease and auth, as the gRPC statuses etcd answers them with. */
final class ErrorKinds {
  private ErrorKinds() {}

  static Optional<Status> map(Throwable failure) {
    if (failure instanceof CompactedException || failure instanceof FutureRevisionException) {
      return Optional.of(
          Status.OUT_OF_RANGE.withDescription("etcdserver: " + failure.getMessage()));
    }
    if (failure instanceof LeaseException e) {
      Status.Code code =
          switch (e.kind()) {
            case NOT_FOUND -> Status.Code.NOT_FOUND;
            case EXISTS -> Status.Code.FAILED_PRECONDITION;
            case TTL_TOO_LARGE -> Status.Code.OUT_OF_RANGE;
            case NOT_PRIMARY -> Status.Code.UNAVAILABLE;
          };
      return Optional.of(Status.fromCode(code).withDescription(e.kind().message()));
    }
    if (failure instanceof AuthException e) {
      return Optional.of(Status.fromCode(code(e.kind())).withDescription(e.getMessage()));
    }
    return Optional.empty();
  }

  private static Status.Code code(AuthException.Kind kind) {
    return switch (kind) {
      case USER_EMPTY,
          ROLE_EMPTY,
          PERMISSION_NOT_GIVEN,
          AUTH_FAILED,
          INVALID_AUTH_MGMT,
          AUTH_OLD_REVISION ->
          Status.Code.INVALID_ARGUMENT;
      case USER_ALREADY_EXIST,
          USER_NOT_FOUND,
          ROLE_ALREADY_EXIST,
          ROLE_NOT_FOUND,
          ROLE_NOT_GRANTED,
          PERMISSION_NOT_GRANTED,
          AUTH_NOT_ENABLED,
          ROOT_USER_NOT_EXIST,
          ROOT_ROLE_NOT_EXIST ->
          Status.Code.FAILED_PRECONDITION;
      case PERMISSION_DENIED -> Status.Code.PERMISSION_DENIED;
      case INVALID_AUTH_TOKEN -> Status.Code.UNAUTHENTICATED;
    };
  }
}
