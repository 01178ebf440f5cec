package io.ketch.auth;

import java.time.Duration;

/**
 * @param tokenTtlMillis a simple token not used for this long expires (etcd: 300 s)
 * @param passwordHashIterations PBKDF2 iterations for new password hashes (etcd's --bcrypt-cost
 *     counterpart); stored hashes carry their own count, so changing it affects new ones only
 */
public record AuthConfig(long tokenTtlMillis, int passwordHashIterations) {

  public static final AuthConfig DEFAULT =
      new AuthConfig(Duration.ofSeconds(300).toMillis(), PasswordHash.DEFAULT_ITERATIONS);

  public AuthConfig {
    if (tokenTtlMillis <= 0 || passwordHashIterations < 1) {
      throw new IllegalArgumentException("token TTL and hash iterations must be positive");
    }
  }
}
