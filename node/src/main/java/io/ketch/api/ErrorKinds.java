package io.ketch.api;

import io.grpc.Status;
import io.ketch.lease.LeaseException;
import io.ketch.mvcc.CompactedException;
import io.ketch.mvcc.FutureRevisionException;
import java.util.Optional;

/** The exceptions of mvcc and lease, as the gRPC statuses etcd answers them with. */
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
    return Optional.empty();
  }
}
