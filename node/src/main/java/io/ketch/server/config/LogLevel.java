package io.ketch.server.config;

/** --log-level. zap's dpanic, panic and fatal levels are accepted and mean ERROR. */
public enum LogLevel {
  DEBUG,
  INFO,
  WARN,
  ERROR
}
