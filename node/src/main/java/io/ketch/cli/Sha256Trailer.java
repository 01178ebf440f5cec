package io.ketch.cli;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Checks etcd's snapshot framing on the fly: the stream's last 32 bytes are the SHA-256 of every
 * byte before them. Bytes are fed as they come; the newest 32 are held back from the digest until
 * more arrive, so the trailer never has to be located in advance.
 */
final class Sha256Trailer {
  static final int SIZE = 32;

  private final MessageDigest digest;
  private final byte[] tail = new byte[SIZE];
  private int held;

  Sha256Trailer() {
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  void update(byte[] bytes, int offset, int length) {
    if (length >= SIZE) {
      digest.update(tail, 0, held);
      digest.update(bytes, offset, length - SIZE);
      System.arraycopy(bytes, offset + length - SIZE, tail, 0, SIZE);
      held = SIZE;
      return;
    }
    int overflow = held + length - SIZE;
    if (overflow > 0) {
      digest.update(tail, 0, overflow);
      System.arraycopy(tail, overflow, tail, 0, held - overflow);
      held -= overflow;
    }
    System.arraycopy(bytes, offset, tail, held, length);
    held += length;
  }

  /** Whether the bytes seen so far end with the SHA-256 of what precedes those 32 bytes. */
  boolean matches() {
    return held == SIZE && MessageDigest.isEqual(digest.digest(), Arrays.copyOf(tail, SIZE));
  }
}
