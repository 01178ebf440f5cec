package io.ketch.operator.backup;

/** A snapshot whose bytes do not match its checksum: the backup (or restore) fails for good. */
final class CorruptSnapshotException extends RuntimeException {
  CorruptSnapshotException(String message) {
    super(message);
  }
}
