package io.ketch.server.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The etcd flags Ketch knows: their names, defaults as etcd writes them, and help text. */
final class EtcdFlags {
  private EtcdFlags() {}

  record Flag(String name, String defaultValue, boolean bool, String help) {}

  static final String CONFIG_FILE = "config-file";
  static final String EXPERIMENTAL_PREFIX = "experimental-";

  /** Experimental flags that etcd later promoted; the old name still sets the new setting. */
  static final Map<String, String> EXPERIMENTAL_ALIASES =
      Map.of(
          "experimental-watch-progress-notify-interval", "watch-progress-notify-interval",
          "experimental-snapshot-catchup-entries", "snapshot-catchup-entries");

  /** etcd flags accepted so that existing manifests start, but without effect in Ketch. */
  static final Set<String> IGNORED_BOOLS =
      Set.of("enable-v2", "enable-pprof", "strict-reconfig-check", "pre-vote");

  static final Set<String> IGNORED_VALUES =
      Set.of(
          "metrics",
          "max-snapshots",
          "max-wals",
          "log-outputs",
          "grpc-keepalive-min-time",
          "grpc-keepalive-interval",
          "grpc-keepalive-timeout");

  private static final String IGNORED_HELP = "Accepted for etcd compatibility; ignored.";

  static final Map<String, Flag> ALL = new LinkedHashMap<>();

  static boolean ignored(String name) {
    return IGNORED_BOOLS.contains(name) || IGNORED_VALUES.contains(name);
  }

  static {
    value("name", "default", "Human-readable name for this member.");
    value("data-dir", "${name}.etcd", "Path to the data directory.");
    value("wal-dir", "", "Path to the dedicated WAL directory (default: inside --data-dir).");
    value(
        "listen-client-urls",
        "http://127.0.0.1:2379",
        "List of URLs to listen on for client traffic (gRPC and HTTP on one port).");
    value(
        "advertise-client-urls",
        "http://127.0.0.1:2379",
        "List of this member's client URLs to advertise to the rest of the cluster.");
    value(
        "listen-peer-urls", "http://localhost:2380", "List of URLs to listen on for peer traffic.");
    value(
        "initial-advertise-peer-urls",
        "http://localhost:2380",
        "List of this member's peer URLs to advertise to the rest of the cluster.");
    value(
        "initial-cluster",
        "${name}=${initial-advertise-peer-urls}",
        "Initial cluster configuration for bootstrapping: name=url,name=url.");
    value("initial-cluster-state", "new", "Initial cluster state ('new' or 'existing').");
    value("initial-cluster-token", "etcd-cluster", "Initial cluster token for bootstrapping.");
    // etcd 3.5's default (3.6 has 10,000): a Ketch snapshot is the whole state, not a bbolt file
    // kept up to date anyway, so it is written ten times less often.
    value("snapshot-count", "100000", "Number of committed transactions to trigger a snapshot.");
    value(
        "snapshot-catchup-entries",
        "5000",
        "Number of entries for a slow follower to catch up after compacting the raft storage entries.");
    value("heartbeat-interval", "100", "Time (in milliseconds) of a heartbeat interval.");
    value("election-timeout", "1000", "Time (in milliseconds) for an election to timeout.");
    value(
        "quota-backend-bytes",
        "0",
        "Raise alarms when backend size exceeds the given quota (0 defaults to 2 GiB).");
    value(
        "auto-compaction-mode",
        "periodic",
        "Interpret 'auto-compaction-retention' as a duration ('periodic') or revisions ('revision').");
    value(
        "auto-compaction-retention",
        "0",
        "Auto compaction retention: hours or a duration (periodic), revisions (revision); 0 = off.");
    value("max-request-bytes", "1572864", "Maximum client request size in bytes.");
    value("max-txn-ops", "128", "Maximum number of operations permitted in a transaction.");
    value("listen-metrics-urls", "", "List of URLs to listen on for /metrics and /health.");
    value("log-level", "info", "Log level: debug, info, warn, error.");
    value("log-format", "text", "Log format: text (alias console) or json.");
    value(
        "watch-progress-notify-interval",
        "10m",
        "Duration of periodic watch progress notifications.");
    value("logger", "zap", "Accepted for etcd compatibility; only 'zap' is valid.");
    value(
        CONFIG_FILE, "", "Path to an etcd YAML configuration file; other flags are then ignored.");
    for (String ignored : IGNORED_BOOLS) {
      ALL.put(ignored, new Flag(ignored, "", true, IGNORED_HELP));
    }
    for (String ignored : IGNORED_VALUES) {
      ALL.put(ignored, new Flag(ignored, "", false, IGNORED_HELP));
    }
  }

  private static void value(String name, String defaultValue, String help) {
    ALL.put(name, new Flag(name, defaultValue, false, help));
  }

  /** ETCD_ + the flag name upper-cased with '-' turned into '_' (pkg/flags FlagToEnv). */
  static String envName(String flag) {
    return "ETCD_" + flag.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
  }
}
