package io.ketch.operator.members;

/** A membership call failed or timed out; the reconciler retries with back-off. */
public class MembersException extends RuntimeException {
  public MembersException(String message, Throwable cause) {
    super(message, cause);
  }

  public MembersException(String message) {
    super(message);
  }
}
