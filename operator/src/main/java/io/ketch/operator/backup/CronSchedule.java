package io.ketch.operator.backup;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.Map;

/**
 * A five-field cron expression (minute hour day-of-month month day-of-week) evaluated in UTC, as
 * the classic cron and Kubernetes CronJobs read it: lists, ranges, steps, {@code *}, month and day
 * names, 0 or 7 for Sunday, the @hourly/@daily/@weekly/@monthly/@yearly shorthands, and a day that
 * matches when either day field does if both are restricted. No cron library is served here, and
 * this much is small enough to own.
 */
record CronSchedule(
    String expression,
    BitSet minutes,
    BitSet hours,
    BitSet daysOfMonth,
    BitSet months,
    BitSet daysOfWeek,
    boolean anyDayOfMonth,
    boolean anyDayOfWeek) {
  private static final Map<String, String> SHORTHANDS =
      Map.of(
          "@yearly", "0 0 1 1 *",
          "@annually", "0 0 1 1 *",
          "@monthly", "0 0 1 * *",
          "@weekly", "0 0 * * 0",
          "@daily", "0 0 * * *",
          "@midnight", "0 0 * * *",
          "@hourly", "0 * * * *");
  private static final String[] MONTHS = {
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"
  };
  private static final String[] DAYS = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

  /** Beyond this a schedule such as "0 0 30 2 *" never fires. */
  private static final int SEARCH_YEARS = 5;

  /**
   * @throws IllegalArgumentException with what is wrong with the expression
   */
  static CronSchedule parse(String expression) {
    String trimmed = expression == null ? "" : expression.trim();
    String expanded = SHORTHANDS.getOrDefault(trimmed.toLowerCase(), trimmed);
    String[] fields = expanded.split("\\s+");
    if (fields.length != 5) {
      throw new IllegalArgumentException(
          "cron expression \"" + expression + "\" needs five fields, has " + fields.length);
    }
    BitSet daysOfWeek = field(fields[4], 0, 7, DAYS, "day of week", expression);
    if (daysOfWeek.get(7)) {
      daysOfWeek.set(0);
      daysOfWeek.clear(7);
    }
    return new CronSchedule(
        expression,
        field(fields[0], 0, 59, null, "minute", expression),
        field(fields[1], 0, 23, null, "hour", expression),
        field(fields[2], 1, 31, null, "day of month", expression),
        field(fields[3], 1, 12, MONTHS, "month", expression),
        daysOfWeek,
        fields[2].startsWith("*"),
        fields[4].startsWith("*"));
  }

  /** The first minute strictly after {@code after} that the schedule matches. */
  Instant next(Instant after) {
    LocalDateTime t =
        LocalDateTime.ofInstant(after, ZoneOffset.UTC)
            .truncatedTo(ChronoUnit.MINUTES)
            .plusMinutes(1);
    LocalDateTime limit = t.plusYears(SEARCH_YEARS);
    while (t.isBefore(limit)) {
      if (!months.get(t.getMonthValue())) {
        t = t.withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS).plusMonths(1);
      } else if (!dayMatches(t)) {
        t = t.truncatedTo(ChronoUnit.DAYS).plusDays(1);
      } else if (!hours.get(t.getHour())) {
        t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
      } else if (!minutes.get(t.getMinute())) {
        t = t.plusMinutes(1);
      } else {
        return t.toInstant(ZoneOffset.UTC);
      }
    }
    throw new IllegalArgumentException(
        "cron expression \"" + expression + "\" matches no time in " + SEARCH_YEARS + " years");
  }

  private boolean dayMatches(LocalDateTime t) {
    boolean dom = daysOfMonth.get(t.getDayOfMonth());
    boolean dow = daysOfWeek.get(t.getDayOfWeek().getValue() % 7);
    if (anyDayOfMonth || anyDayOfWeek) {
      return dom && dow;
    }
    return dom || dow;
  }

  private static BitSet field(
      String field, int min, int max, String[] names, String what, String expression) {
    BitSet values = new BitSet(max + 1);
    for (String part : field.split(",", -1)) {
      String range = part;
      int step = 1;
      int slash = part.indexOf('/');
      if (slash >= 0) {
        range = part.substring(0, slash);
        step = number(part.substring(slash + 1), 1, max, null, what, expression);
      }
      int from;
      int to;
      if (range.equals("*")) {
        from = min;
        to = max;
      } else {
        int dash = range.indexOf('-');
        from =
            number(dash < 0 ? range : range.substring(0, dash), min, max, names, what, expression);
        to =
            dash < 0
                ? (slash >= 0 ? max : from)
                : number(range.substring(dash + 1), min, max, names, what, expression);
        if (to < from) {
          throw new IllegalArgumentException(
              "cron expression \""
                  + expression
                  + "\": "
                  + what
                  + " range "
                  + range
                  + " is reversed");
        }
      }
      for (int v = from; v <= to; v += step) {
        values.set(v);
      }
    }
    return values;
  }

  private static int number(
      String text, int min, int max, String[] names, String what, String expression) {
    if (names != null) {
      for (int i = 0; i < names.length; i++) {
        if (names[i].equalsIgnoreCase(text)) {
          return i + (min == 1 ? 1 : 0);
        }
      }
    }
    try {
      int value = Integer.parseInt(text);
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new IllegalArgumentException(
        "cron expression \""
            + expression
            + "\": "
            + what
            + " \""
            + text
            + "\" is not in "
            + min
            + "-"
            + max);
  }
}
