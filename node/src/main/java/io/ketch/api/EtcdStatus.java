package io.ketch.api;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.ketch.server.ServerError;
import io.ketch.server.ServerException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * etcd's errors as gRPC statuses: the code and the exact message clients match on
 * (api/v3rpc/rpctypes/error.go), and the one place where exceptions from the layers below become
 * them.
 */
final class EtcdStatus {
  static final Status EMPTY_KEY = invalid("etcdserver: key is not provided");
  static final Status KEY_NOT_FOUND = invalid("etcdserver: key not found");
  static final Status VALUE_PROVIDED = invalid("etcdserver: value is provided");
  static final Status LEASE_PROVIDED = invalid("etcdserver: lease is provided");
  static final Status TOO_MANY_OPS = invalid("etcdserver: too many operations in txn request");
  static final Status DUPLICATE_KEY = invalid("etcdserver: duplicate key given in txn request");
  static final Status INVALID_SORT_OPTION = invalid("etcdserver: invalid sort option");
  static final Status REQUEST_TOO_LARGE = invalid("etcdserver: request is too large");

  private EtcdStatus() {}

  private static Status invalid(String message) {
    return Status.INVALID_ARGUMENT.withDescription(message);
  }

  /** The status to answer a failed request with. */
  static StatusRuntimeException of(Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof StatusRuntimeException s) {
      return s;
    }
    if (cause instanceof ServerException e) {
      return of(e.error()).asRuntimeException();
    }
    return ErrorKinds.map(cause)
        .orElseGet(() -> Status.UNKNOWN.withDescription(String.valueOf(cause.getMessage())))
        .asRuntimeException();
  }

  static Status of(ServerError error) {
    Status.Code code =
        switch (error) {
          case NO_LEADER, LEADER_CHANGED, STOPPED, TIMEOUT, UNHEALTHY, MEMBER_REMOVED ->
              Status.Code.UNAVAILABLE;
          case TOO_MANY_REQUESTS, NO_SPACE -> Status.Code.RESOURCE_EXHAUSTED;
          case KEY_NOT_FOUND, REQUEST_TOO_LARGE, MEMBER_BAD_URLS -> Status.Code.INVALID_ARGUMENT;
          case LEASE_NOT_FOUND, MEMBER_NOT_FOUND -> Status.Code.NOT_FOUND;
          case BAD_LEADER_TRANSFEREE,
              NOT_LEADER,
              MEMBER_EXIST,
              PEER_URL_EXIST,
              MEMBER_NOT_ENOUGH_STARTED,
              MEMBER_NOT_LEARNER,
              LEARNER_NOT_READY,
              TOO_MANY_LEARNERS,
              NOT_SUPPORTED_FOR_LEARNER ->
              Status.Code.FAILED_PRECONDITION;
        };
    return Status.fromCode(code).withDescription(error.message());
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof CancellationException) {
      return Status.CANCELLED.withDescription("context canceled").asRuntimeException();
    }
    return t;
  }
}
