package io.ketch.operator.backup;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.Properties;

/**
 * What a backup Job stored, as {@code key=value} lines in its container's termination message (at
 * most 4 KiB, which these few lines never approach).
 */
record VolumeBackupResult(long revision, long size, String sha256, String location) {
  String format() {
    return "revision="
        + revision
        + "\nsize="
        + size
        + "\nsha256="
        + sha256
        + "\nlocation="
        + location
        + "\n";
  }

  /** The result in a termination message; empty when the message is not one (an error). */
  static Optional<VolumeBackupResult> parse(String message) {
    if (message == null) {
      return Optional.empty();
    }
    Properties lines = new Properties();
    try {
      lines.load(new StringReader(message));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String revision = lines.getProperty("revision");
    String size = lines.getProperty("size");
    String sha256 = lines.getProperty("sha256");
    String location = lines.getProperty("location");
    if (revision == null || size == null || sha256 == null || location == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new VolumeBackupResult(Long.parseLong(revision), Long.parseLong(size), sha256, location));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
