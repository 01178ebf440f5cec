package io.ketch.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Password hashes: PBKDF2WithHmacSHA256 from the JDK (etcd uses bcrypt, which the JDK lacks), a
 * random 16-byte salt per hash, a 256-bit derived key. Stored as {@code
 * pbkdf2-sha256$<iterations>$<base64 salt>$<base64 key>}, so the iteration count can change without
 * invalidating old hashes. Hashing is deliberately slow: call it on a request thread, before the
 * request enters the log, never on the apply thread.
 */
final class PasswordHash {

  static final int DEFAULT_ITERATIONS = 100_000;

  private static final String SCHEME = "pbkdf2-sha256";
  private static final int SALT_BYTES = 16;
  private static final int KEY_BITS = 256;
  private static final SecureRandom RANDOM = new SecureRandom();

  private PasswordHash() {}

  static String hash(String password, int iterations) {
    byte[] salt = new byte[SALT_BYTES];
    RANDOM.nextBytes(salt);
    Base64.Encoder base64 = Base64.getEncoder();
    return String.join(
        "$",
        SCHEME,
        Integer.toString(iterations),
        base64.encodeToString(salt),
        base64.encodeToString(derive(password, salt, iterations)));
  }

  /** Whether {@code password} matches {@code stored}; false for anything malformed. */
  static boolean matches(String password, String stored) {
    String[] parts = stored.split("\\$");
    if (parts.length != 4 || !parts[0].equals(SCHEME)) {
      return false;
    }
    try {
      int iterations = Integer.parseInt(parts[1]);
      Base64.Decoder base64 = Base64.getDecoder();
      byte[] expected = base64.decode(parts[3]);
      return iterations > 0
          && MessageDigest.isEqual(expected, derive(password, base64.decode(parts[2]), iterations));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static byte[] derive(String password, byte[] salt, int iterations) {
    PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, KEY_BITS);
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks PBKDF2WithHmacSHA256", e);
    } finally {
      spec.clearPassword();
    }
  }

  static byte[] toBytes(String hash) {
    return hash.getBytes(StandardCharsets.UTF_8);
  }
}
