package io.ketch.storage;

/** The disk could not do what was asked; the member must not go on as if it had. */
public class StorageException extends RuntimeException {
  StorageException(String message) {
    super(message);
  }

  StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
