package io.ketch.operator.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * SHA-256 of a snapshot while it streams by, and the check of its trailer. etcd (and Ketch) end a
 * Maintenance.Snapshot stream with 32 bytes holding the SHA-256 of everything before them, so the
 * last 32 bytes seen are held back from the payload digest until the stream ends. The digest of the
 * whole stream, trailer included, is the SHA-256 of the file as stored.
 */
final class SnapshotDigest {
  static final int TRAILER_BYTES = 32;

  private final MessageDigest payload = sha256();
  private final MessageDigest whole = sha256();
  private final byte[] tail = new byte[TRAILER_BYTES];
  private int tailLength;
  private long size;

  void update(byte[] bytes, int offset, int length) {
    whole.update(bytes, offset, length);
    size += length;
    // Whatever falls out of the last TRAILER_BYTES belongs to the payload.
    int keep = Math.min(TRAILER_BYTES, tailLength + length);
    int release = tailLength + length - keep;
    int fromTail = Math.min(release, tailLength);
    payload.update(tail, 0, fromTail);
    payload.update(bytes, offset, release - fromTail);
    byte[] next = new byte[TRAILER_BYTES];
    int kept = 0;
    for (int i = fromTail; i < tailLength; i++) {
      next[kept++] = tail[i];
    }
    for (int i = offset + release - fromTail; i < offset + length; i++) {
      next[kept++] = bytes[i];
    }
    System.arraycopy(next, 0, tail, 0, kept);
    tailLength = kept;
  }

  long size() {
    return size;
  }

  /**
   * Ends the stream: the hex SHA-256 of everything seen.
   *
   * @throws CorruptSnapshotException when the last 32 bytes are not the SHA-256 of the rest
   */
  String finish(String source) {
    if (tailLength < TRAILER_BYTES) {
      throw new CorruptSnapshotException(
          "snapshot from " + source + " is " + size + " bytes, too short for its SHA-256 trailer");
    }
    if (!Arrays.equals(payload.digest(), tail)) {
      throw new CorruptSnapshotException(
          "snapshot from "
              + source
              + " is corrupt: its SHA-256 trailer does not match the "
              + (size - TRAILER_BYTES)
              + " bytes before it");
    }
    return HexFormat.of().formatHex(whole.digest());
  }

  /**
   * Copies a stored snapshot while digesting it; returns its hex SHA-256 once its trailer checked.
   */
  static String copy(InputStream in, OutputStream out, String source) throws IOException {
    SnapshotDigest digest = new SnapshotDigest();
    byte[] buffer = new byte[64 * 1024];
    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
      digest.update(buffer, 0, n);
      out.write(buffer, 0, n);
    }
    return digest.finish(source);
  }

  /** The hex SHA-256 of everything {@code in} holds (a read-back after storing). */
  static String sha256Of(InputStream in) throws IOException {
    MessageDigest sha256 = sha256();
    byte[] buffer = new byte[64 * 1024];
    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
      sha256.update(buffer, 0, n);
    }
    return HexFormat.of().formatHex(sha256.digest());
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
