package io.ketch.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PasswordHashTest {

  @Test
  void aHashMatchesItsPasswordOnlyAndIsSaltedEachTime() {
    String hash = PasswordHash.hash("s3cret", 1_000);
    assertThat(hash).startsWith("pbkdf2-sha256$1000$");
    assertThat(PasswordHash.matches("s3cret", hash)).isTrue();
    assertThat(PasswordHash.matches("s3creT", hash)).isFalse();
    assertThat(PasswordHash.matches("", hash)).isFalse();
    assertThat(PasswordHash.hash("s3cret", 1_000)).isNotEqualTo(hash);
  }

  @Test
  void theIterationCountTravelsWithTheHash() {
    assertThat(PasswordHash.matches("pw", PasswordHash.hash("pw", 2_000))).isTrue();
  }

  @Test
  void malformedHashesNeverMatch() {
    assertThat(PasswordHash.matches("pw", "")).isFalse();
    assertThat(PasswordHash.matches("pw", "pbkdf2-sha256$x$AA==$AA==")).isFalse();
    assertThat(PasswordHash.matches("pw", "pbkdf2-sha256$0$AA==$AA==")).isFalse();
    assertThat(PasswordHash.matches("pw", "bcrypt$10$AA==$AA==")).isFalse();
    assertThat(PasswordHash.matches("pw", "pbkdf2-sha256$10$!!$AA==")).isFalse();
  }
}
