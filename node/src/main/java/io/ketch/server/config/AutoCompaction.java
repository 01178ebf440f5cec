package io.ketch.server.config;

import java.time.Duration;

/**
 * --auto-compaction-mode and --auto-compaction-retention, resolved. In periodic mode the retention
 * is a window of time ({@link #period()}); in revision mode a number of revisions to keep ({@link
 * #revisions()}). A zero retention turns auto-compaction off.
 */
public record AutoCompaction(Mode mode, String retention, Duration period, long revisions) {

  public enum Mode {
    PERIODIC,
    REVISION
  }

  public boolean enabled() {
    return mode == Mode.PERIODIC ? !period.isZero() : revisions > 0;
  }

  /**
   * etcd's rule (embed/etcd.go): a plain number means hours in periodic mode and revisions in
   * revision mode; periodic mode also takes a Go duration such as "5m" or "1h30m".
   */
  static AutoCompaction parse(String modeText, String retention) throws ConfigException {
    Mode mode =
        switch (modeText) {
          case "periodic", "" -> Mode.PERIODIC;
          case "revision" -> Mode.REVISION;
          default -> throw new ConfigException("unknown auto-compaction-mode \"" + modeText + "\"");
        };
    String text = retention.isEmpty() ? "0" : retention;
    Long number = parseLongOrNull(text);
    if (mode == Mode.REVISION) {
      if (number == null || number < 0) {
        throw new ConfigException("invalid auto-compaction-retention \"" + retention + "\"");
      }
      return new AutoCompaction(mode, text, Duration.ZERO, number);
    }
    Duration period;
    if (number != null) {
      if (number < 0) {
        throw new ConfigException("invalid auto-compaction-retention \"" + retention + "\"");
      }
      period = Duration.ofHours(number);
    } else {
      period = GoDuration.parse("auto-compaction-retention", text);
    }
    return new AutoCompaction(mode, text, period, 0);
  }

  private static Long parseLongOrNull(String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
