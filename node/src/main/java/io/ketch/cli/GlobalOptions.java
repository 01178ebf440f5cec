package io.ketch.cli;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * etcdctl's global flags. Each may also come from ETCDCTL_&lt;FLAG&gt; (ETCDCTL_ENDPOINTS, ...); a
 * flag on the command line wins over the variable.
 */
final class GlobalOptions {
  enum Format {
    simple,
    json,
    table
  }

  @Option(
      names = "--endpoints",
      defaultValue = "127.0.0.1:2379",
      scope = ScopeType.INHERIT,
      description = "gRPC endpoints, comma-separated (default: ${DEFAULT-VALUE})")
  String endpoints;

  @Option(
      names = "--dial-timeout",
      defaultValue = "2s",
      scope = ScopeType.INHERIT,
      description = "dial timeout for client connections (default: ${DEFAULT-VALUE})")
  String dialTimeout;

  @Option(
      names = "--command-timeout",
      defaultValue = "5s",
      scope = ScopeType.INHERIT,
      description = "timeout for short running commands (default: ${DEFAULT-VALUE})")
  String commandTimeout;

  @Option(
      names = {"-w", "--write-out"},
      defaultValue = "simple",
      scope = ScopeType.INHERIT,
      description = "output format: simple, json or table (default: ${DEFAULT-VALUE})")
  String writeOut;

  @Option(
      names = "--hex",
      scope = ScopeType.INHERIT,
      description = "print byte strings as hex encoded strings")
  boolean hex;

  List<String> endpoints() {
    return Arrays.stream(endpoints.split(",")).map(String::trim).filter(e -> !e.isEmpty()).toList();
  }

  Duration dialTimeout() {
    return duration("--dial-timeout", dialTimeout);
  }

  Duration commandTimeout() {
    return duration("--command-timeout", commandTimeout);
  }

  Format format() {
    try {
      return Format.valueOf(writeOut);
    } catch (IllegalArgumentException e) {
      throw new CliException(CliException.BAD_FEATURE, "unsupported output format " + writeOut);
    }
  }

  /** etcdctl's "table not supported as output format" for commands without a table form. */
  Format formatWithoutTable() {
    Format format = format();
    if (format == Format.table) {
      throw new CliException(CliException.BAD_FEATURE, "table not supported as output format");
    }
    return format;
  }

  private static Duration duration(String flag, String value) {
    try {
      return GoDuration.parse(value);
    } catch (IllegalArgumentException e) {
      throw CliException.badArgs(flag + ": " + e.getMessage());
    }
  }
}
