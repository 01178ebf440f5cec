package io.ketch.server.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;

/** Go's time.ParseDuration syntax ("10m", "1h30m", "1.5s", "100ms"), which etcd's flags use. */
final class GoDuration {
  private static final Map<String, Long> NANOS_PER_UNIT =
      Map.of(
          "ns", 1L,
          "us", 1_000L,
          "\u00b5s", 1_000L,
          "ms", 1_000_000L,
          "s", 1_000_000_000L,
          "m", 60_000_000_000L,
          "h", 3_600_000_000_000L);

  private GoDuration() {}

  static Duration parse(String flag, String text) throws ConfigException {
    String s = text.trim();
    boolean negative = s.startsWith("-");
    if (negative || s.startsWith("+")) {
      s = s.substring(1);
    }
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    if (s.isEmpty()) {
      throw invalid(flag, text);
    }
    BigDecimal nanos = BigDecimal.ZERO;
    int i = 0;
    while (i < s.length()) {
      int start = i;
      while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
        i++;
      }
      if (start == i) {
        throw invalid(flag, text);
      }
      String number = s.substring(start, i);
      int unitStart = i;
      while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
        i++;
      }
      Long unit = NANOS_PER_UNIT.get(s.substring(unitStart, i));
      if (unit == null) {
        throw invalid(flag, text);
      }
      try {
        nanos = nanos.add(new BigDecimal(number).multiply(BigDecimal.valueOf(unit)));
      } catch (NumberFormatException e) {
        throw invalid(flag, text);
      }
    }
    Duration d = Duration.ofNanos(nanos.longValue());
    return negative ? d.negated() : d;
  }

  private static ConfigException invalid(String flag, String text) {
    return new ConfigException(
        "invalid value \"" + text + "\" for flag -" + flag + ": parse error");
  }
}
