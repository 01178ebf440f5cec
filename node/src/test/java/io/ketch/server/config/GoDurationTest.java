package io.ketch.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GoDurationTest {
  @Test
  void parsesGoSyntax() throws Exception {
    assertThat(GoDuration.parse("f", "10m0s")).isEqualTo(Duration.ofMinutes(10));
    assertThat(GoDuration.parse("f", "1.5h")).isEqualTo(Duration.ofMinutes(90));
    assertThat(GoDuration.parse("f", "100ms")).isEqualTo(Duration.ofMillis(100));
    assertThat(GoDuration.parse("f", "2us")).isEqualTo(Duration.ofNanos(2000));
    assertThat(GoDuration.parse("f", "0")).isEqualTo(Duration.ZERO);
    assertThat(GoDuration.parse("f", "-1s")).isEqualTo(Duration.ofSeconds(-1));
  }

  @Test
  void refusesWhatGoRefuses() {
    for (String bad : new String[] {"", "5", "1x", "h", "1..2s"}) {
      assertThatThrownBy(() -> GoDuration.parse("f", bad)).isInstanceOf(ConfigException.class);
    }
  }
}
