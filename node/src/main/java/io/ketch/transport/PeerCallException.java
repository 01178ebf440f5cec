package io.ketch.transport;

/** A call to a peer failed; {@code description} is what the peer (or gRPC) said. */
public final class PeerCallException extends RuntimeException {
  private final String description;

  PeerCallException(String description, Throwable cause) {
    super(description, cause);
    this.description = description;
  }

  public String description() {
    return description;
  }
}
