package io.ketch.server;

/**
 * A request failed with one of the member's own errors; the API layer maps it to etcd's gRPC
 * status.
 */
public final class ServerException extends RuntimeException {
  private final ServerError error;

  public ServerException(ServerError error) {
    super(error.message(), null, false, false);
    this.error = error;
  }

  public ServerError error() {
    return error;
  }
}
