package io.ketch.operator.backup;

/** A backup or restore step that failed; its message goes into the resource's status. */
final class BackupException extends RuntimeException {
  BackupException(String message) {
    super(message);
  }

  BackupException(String message, Throwable cause) {
    super(message, cause);
  }
}
