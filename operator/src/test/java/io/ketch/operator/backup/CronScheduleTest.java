package io.ketch.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CronScheduleTest {
  @ParameterizedTest(name = "{0} after {1} is {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "*/5 * * * *    | 2026-12-01T10:03:20Z | 2026-12-01T10:05:00Z",
        "*/5 * * * *    | 2026-12-01T10:05:00Z | 2026-12-01T10:10:00Z",
        "0 */6 * * *    | 2026-12-01T10:03:00Z | 2026-12-01T12:00:00Z",
        "30 2 * * *     | 2026-12-01T02:30:00Z | 2026-12-02T02:30:00Z",
        "@hourly        | 2026-12-31T23:59:59Z | 2027-01-01T00:00:00Z",
        "@daily         | 2026-12-01T10:00:00Z | 2026-12-02T00:00:00Z",
        "0 0 * * sun    | 2026-12-01T00:00:00Z | 2026-12-06T00:00:00Z",
        "0 0 * * 7      | 2026-12-01T00:00:00Z | 2026-12-06T00:00:00Z",
        "0 0 * * 1-5/2  | 2026-12-01T00:00:00Z | 2026-12-02T00:00:00Z",
        "15,45 9-10 * * * | 2026-12-01T10:50:00Z | 2026-12-02T09:15:00Z",
        "0 0 29 feb *   | 2026-12-01T00:00:00Z | 2028-02-29T00:00:00Z",
        "0 0 1 JAN,jul * | 2026-12-01T00:00:00Z | 2027-01-01T00:00:00Z",
        // both day fields restricted: either matches, as in cron (the 13th, or a Friday)
        "0 0 13 * 5     | 2026-12-01T00:00:00Z | 2026-12-04T00:00:00Z",
        "0 0 13 * 5     | 2026-12-11T00:00:00Z | 2026-12-13T00:00:00Z",
      })
  void nextRun(String expression, String after, String expected) {
    assertThat(CronSchedule.parse(expression).next(Instant.parse(after)))
        .isEqualTo(Instant.parse(expected));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "* * * *        | needs five fields, has 4",
        "60 * * * *     | minute \"60\" is not in 0-59",
        "* * * 13 *     | month \"13\" is not in 1-12",
        "* * * * mon-x  | day of week \"x\" is not in 0-7",
        "5-1 * * * *    | minute range 5-1 is reversed",
        "0 0 30 2 *     | matches no time in 5 years",
      })
  void badExpressionsSayWhatIsWrong(String expression, String message) {
    assertThatThrownBy(
            () -> CronSchedule.parse(expression).next(Instant.parse("2026-01-01T00:00:00Z")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }
}
