package io.ketch.server.config;

import io.ketch.server.config.EtcdFlags.Flag;
import io.ketch.storage.DiskStorage;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * Turns etcd's flags into a {@link ServerConfig}, the way etcd's etcdmain does it:
 *
 * <ul>
 *   <li>flags as {@code --flag value}, {@code --flag=value}, and Go's single-dash {@code -flag
 *       value}; a flag given twice keeps the last value;
 *   <li>ETCD_* variables for flags not on the command line; a variable that a flag shadows is
 *       refused, as etcd refuses it (pkg/flags verifyEnv); unknown ETCD_* variables are warned
 *       about;
 *   <li>--config-file (or ETCD_CONFIG_FILE): etcd's YAML file whose keys are the flag names; when
 *       given, the other flags and variables are ignored;
 *   <li>--experimental-* flags: the ones etcd promoted set their new setting, the rest are accepted
 *       and ignored with a warning, so manifests written for etcd start.
 * </ul>
 */
public final class ServerConfigParser {

  /** The configuration and the warnings to log once logging is up. */
  public record Result(ServerConfig config, List<String> warnings) {
    public Result {
      warnings = List.copyOf(warnings);
    }
  }

  private static final int MAX_ELECTION_MS = 50_000;
  private static final long RECOMMENDED_MAX_REQUEST_BYTES = 10L * 1024 * 1024;

  private ServerConfigParser() {}

  public static Result parse(List<String> args, Map<String, String> env) throws ConfigException {
    List<String> warnings = new ArrayList<>();
    Map<String, String> fromArgs = parseArgs(args, warnings);
    String configFile =
        fromArgs.getOrDefault(
            EtcdFlags.CONFIG_FILE, env.getOrDefault(EtcdFlags.envName(EtcdFlags.CONFIG_FILE), ""));
    if (!configFile.isEmpty()) {
      warnings.add(
          "loaded server configuration from "
              + configFile
              + ", other configuration command line flags and environment variables will be"
              + " ignored if provided");
      Map<String, String> raw = readConfigFile(Path.of(configFile), warnings);
      return new Result(build(raw, Set.of(), warnings), warnings);
    }
    Map<String, String> raw = new LinkedHashMap<>(fromArgs);
    Set<String> explicitlySet = new HashSet<>(fromArgs.keySet());
    mergeEnv(raw, explicitlySet, env, warnings);
    explicitlySet.addAll(raw.keySet());
    return new Result(build(raw, explicitlySet, warnings), warnings);
  }

  /** The flags, their defaults and what they do, for --help. */
  public static String usage() {
    StringBuilder out = new StringBuilder("Usage: ketch [flags]\n\nFlags (etcd's):\n");
    for (Flag f : EtcdFlags.ALL.values()) {
      out.append("  --").append(f.name());
      if (!f.defaultValue().isEmpty()) {
        out.append(" '").append(f.defaultValue()).append('\'');
      }
      out.append("\n      ").append(f.help()).append('\n');
    }
    out.append(
        "  --experimental-*\n      Accepted and ignored with a warning"
            + " (--experimental-watch-progress-notify-interval sets"
            + " --watch-progress-notify-interval).\n");
    out.append("\nEvery flag can also be set as ETCD_<FLAG> (upper case, '-' as '_').\n");
    return out.toString();
  }

  // --- the command line -------------------------------------------------------------------

  private static Map<String, String> parseArgs(List<String> args, List<String> warnings)
      throws ConfigException {
    List<String> tokens = new ArrayList<>();
    Map<String, String> experimental = new LinkedHashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String token = goStyleToDoubleDash(args.get(i));
      if (token.equals("--")) {
        tokens.addAll(args.subList(i, args.size()));
        break;
      }
      if (token.startsWith("--" + EtcdFlags.EXPERIMENTAL_PREFIX)) {
        int eq = token.indexOf('=');
        String name = token.substring(2, eq < 0 ? token.length() : eq);
        String value;
        if (eq >= 0) {
          value = token.substring(eq + 1);
        } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("-")) {
          value = args.get(++i);
        } else {
          value = "true";
        }
        experimental.put(name, value);
        continue;
      }
      tokens.add(token);
    }

    CommandSpec spec = CommandSpec.create();
    spec.parser().overwrittenOptionsAllowed(true);
    for (Flag f : EtcdFlags.ALL.values()) {
      spec.addOption(
          OptionSpec.builder("--" + f.name())
              .type(String.class)
              .arity(f.bool() ? "0..1" : "1")
              .fallbackValue(f.bool() ? "true" : "")
              .build());
    }
    ParseResult parsed;
    try {
      parsed = new CommandLine(spec).parseArgs(tokens.toArray(String[]::new));
    } catch (CommandLine.UnmatchedArgumentException e) {
      String first = e.getUnmatched().get(0);
      throw new ConfigException(
          first.startsWith("-")
              ? "flag provided but not defined: " + first
              : "'" + first + "' is not a valid flag");
    } catch (CommandLine.ParameterException e) {
      throw new ConfigException(e.getMessage());
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (OptionSpec option : parsed.matchedOptions()) {
      values.put(option.longestName().substring(2), option.getValue());
    }
    applyExperimental(experimental, values, "flag --", warnings);
    return values;
  }

  /** Go's flag package takes -flag as well as --flag; picocli wants the latter. */
  private static String goStyleToDoubleDash(String token) {
    boolean singleDash = token.startsWith("-") && !token.startsWith("--") && token.length() > 1;
    return singleDash && !Character.isDigit(token.charAt(1)) ? "-" + token : token;
  }

  private static void applyExperimental(
      Map<String, String> experimental,
      Map<String, String> values,
      String what,
      List<String> warnings) {
    experimental.forEach(
        (name, value) -> {
          String promoted = EtcdFlags.EXPERIMENTAL_ALIASES.get(name);
          if (promoted == null) {
            warnings.add(what + name + " is not implemented by Ketch and is ignored");
          } else {
            values.putIfAbsent(promoted, value);
          }
        });
  }

  // --- ETCD_* variables ---------------------------------------------------------------------

  private static void mergeEnv(
      Map<String, String> raw,
      Set<String> setOnCommandLine,
      Map<String, String> env,
      List<String> warnings)
      throws ConfigException {
    Set<String> used = new HashSet<>();
    for (Flag f : EtcdFlags.ALL.values()) {
      String key = EtcdFlags.envName(f.name());
      String value = env.get(key);
      if (value == null || value.isEmpty()) {
        continue;
      }
      if (setOnCommandLine.contains(f.name())) {
        throw new ConfigException(
            "conflicting environment variable \""
                + key
                + "\" is shadowed by corresponding command-line flag (either unset environment"
                + " variable or disable flag)");
      }
      raw.put(f.name(), value);
      used.add(key);
    }
    Map<String, String> experimental = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : new java.util.TreeMap<>(env).entrySet()) {
      String key = e.getKey();
      if (!key.startsWith("ETCD_") || used.contains(key)) {
        continue;
      }
      String flag = key.substring(5).toLowerCase(java.util.Locale.ROOT).replace('_', '-');
      if (flag.startsWith(EtcdFlags.EXPERIMENTAL_PREFIX)) {
        experimental.put(flag, e.getValue());
      } else if (!EtcdFlags.ALL.containsKey(flag)) {
        warnings.add("unrecognized environment variable " + key + "=" + e.getValue());
      }
    }
    Map<String, String> promoted = new LinkedHashMap<>();
    applyExperimental(experimental, promoted, "environment variable for --", warnings);
    promoted.forEach(raw::putIfAbsent);
  }

  // --- the YAML file ------------------------------------------------------------------------

  private static Map<String, String> readConfigFile(Path path, List<String> warnings)
      throws ConfigException {
    Object document;
    try (Reader reader = Files.newBufferedReader(path)) {
      document = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
    } catch (IOException | RuntimeException e) {
      throw new ConfigException("cannot read config file " + path + ": " + e.getMessage());
    }
    if (document == null) {
      return Map.of();
    }
    if (!(document instanceof Map<?, ?> map)) {
      throw new ConfigException("config file " + path + " is not a YAML mapping of flag names");
    }
    Map<String, String> raw = new LinkedHashMap<>();
    Map<String, String> experimental = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String key = String.valueOf(e.getKey());
      Object value = e.getValue();
      if (value == null) {
        continue;
      }
      if (value instanceof Map<?, ?>) {
        warnings.add("config file section " + key + " is not supported by Ketch and is ignored");
      } else if (key.startsWith(EtcdFlags.EXPERIMENTAL_PREFIX)) {
        experimental.put(key, String.valueOf(value));
      } else if (!EtcdFlags.ALL.containsKey(key) || key.equals(EtcdFlags.CONFIG_FILE)) {
        warnings.add("unrecognized key " + key + " in config file " + path + ", ignored");
      } else if (value instanceof List<?> list) {
        raw.put(key, list.stream().map(String::valueOf).collect(Collectors.joining(",")));
      } else {
        raw.put(key, String.valueOf(value));
      }
    }
    applyExperimental(experimental, raw, "config key ", warnings);
    return raw;
  }

  // --- values into the record ---------------------------------------------------------------

  private static ServerConfig build(
      Map<String, String> raw, Set<String> explicitlySet, List<String> warnings)
      throws ConfigException {
    for (String name : raw.keySet()) {
      if (EtcdFlags.ignored(name)) {
        warnings.add("flag --" + name + " is accepted for etcd compatibility and ignored");
      }
    }
    String logOutputs = raw.getOrDefault("log-outputs", "default");
    if (!Set.of("default", "stderr").contains(logOutputs)) {
      warnings.add("--log-outputs=" + logOutputs + " is not supported; Ketch logs to stderr");
    }
    String logger = value(raw, "logger");
    if (!logger.equals("zap")) {
      throw new ConfigException("unknown logger option \"" + logger + "\"");
    }

    String name = value(raw, "name");
    String dataDirText = raw.getOrDefault("data-dir", "");
    Path dataDir = Path.of(dataDirText.isEmpty() ? name + ".etcd" : dataDirText);
    String walDirText = raw.getOrDefault("wal-dir", "");
    Optional<Path> walDir =
        walDirText.isEmpty() ? Optional.empty() : Optional.of(Path.of(walDirText));

    List<EndpointUrl> listenClient =
        bindUrls("listen-client-urls", value(raw, "listen-client-urls"));
    if (explicitlySet.contains("listen-client-urls")
        && !explicitlySet.contains("advertise-client-urls")) {
      throw new ConfigException(
          "--advertise-client-urls is required when --listen-client-urls is set explicitly");
    }
    List<EndpointUrl> advertiseClient =
        urls("advertise-client-urls", value(raw, "advertise-client-urls"));
    if (advertiseClient.isEmpty()) {
      throw new ConfigException(
          "--advertise-client-urls is required when --listen-client-urls is set explicitly");
    }
    List<EndpointUrl> listenPeer = bindUrls("listen-peer-urls", value(raw, "listen-peer-urls"));
    List<EndpointUrl> advertisePeer =
        urls("initial-advertise-peer-urls", value(raw, "initial-advertise-peer-urls"));
    String initialClusterText = raw.getOrDefault("initial-cluster", "");
    Map<String, List<EndpointUrl>> initialCluster =
        initialClusterText.isEmpty()
            ? Map.of(name, advertisePeer)
            : parseInitialCluster(initialClusterText);
    if (!initialCluster.containsKey(name)) {
      throw new ConfigException(
          "couldn't find local name \"" + name + "\" in the initial cluster configuration");
    }
    ClusterState state =
        switch (value(raw, "initial-cluster-state")) {
          case "new" -> ClusterState.NEW;
          case "existing" -> ClusterState.EXISTING;
          default ->
              throw invalid("initial-cluster-state", raw, "valid values are \"new\", \"existing\"");
        };

    long snapshotCount = number(raw, "snapshot-count");
    if (snapshotCount == 0) {
      snapshotCount = Long.parseLong(EtcdFlags.ALL.get("snapshot-count").defaultValue());
    }
    long catchUpEntries = number(raw, "snapshot-catchup-entries");
    long tickMs = number(raw, "heartbeat-interval");
    long electionMs = number(raw, "election-timeout");
    if (tickMs <= 0) {
      throw new ConfigException("--heartbeat-interval must be >0 (set to " + tickMs + "ms)");
    }
    if (electionMs <= 0) {
      throw new ConfigException("--election-timeout must be >0 (set to " + electionMs + "ms)");
    }
    if (5 * tickMs > electionMs) {
      throw new ConfigException(
          "--election-timeout["
              + electionMs
              + "ms] should be at least as 5 times as --heartbeat-interval["
              + tickMs
              + "ms]");
    }
    if (electionMs > MAX_ELECTION_MS) {
      throw new ConfigException(
          "--election-timeout["
              + electionMs
              + "ms] is too long, and should be set less than "
              + MAX_ELECTION_MS
              + "ms");
    }
    long quota = signedNumber(raw, "quota-backend-bytes");
    if (quota == 0) {
      quota = ServerConfig.DEFAULT_QUOTA_BACKEND_BYTES;
    }
    AutoCompaction autoCompaction =
        AutoCompaction.parse(
            value(raw, "auto-compaction-mode"), value(raw, "auto-compaction-retention"));
    long maxRequestBytes = number(raw, "max-request-bytes");
    if (maxRequestBytes <= 0) {
      throw invalid("max-request-bytes", raw, "out of range");
    }
    if (maxRequestBytes > DiskStorage.MAX_ENTRY_BYTES - ServerConfig.GRPC_OVERHEAD_BYTES) {
      // etcd takes up to 2 GiB; a Ketch entry is one WAL record, mapped whole (DiskStorage).
      throw invalid(
          "max-request-bytes",
          raw,
          "out of range: at most "
              + (DiskStorage.MAX_ENTRY_BYTES - ServerConfig.GRPC_OVERHEAD_BYTES)
              + ", so that an entry fits one WAL record");
    }
    if (maxRequestBytes > RECOMMENDED_MAX_REQUEST_BYTES) {
      warnings.add("--max-request-bytes=" + maxRequestBytes + " exceeds the recommended 10 MiB");
    }
    long maxTxnOps = number(raw, "max-txn-ops");
    if (maxTxnOps <= 0 || maxTxnOps > Integer.MAX_VALUE) {
      throw invalid("max-txn-ops", raw, "out of range");
    }
    List<EndpointUrl> listenMetrics =
        bindUrls("listen-metrics-urls", raw.getOrDefault("listen-metrics-urls", ""));
    Duration progressInterval =
        GoDuration.parse(
            "watch-progress-notify-interval", value(raw, "watch-progress-notify-interval"));
    if (progressInterval.isNegative() || progressInterval.isZero()) {
      throw invalid("watch-progress-notify-interval", raw, "must be positive");
    }

    return new ServerConfig(
        name,
        dataDir,
        walDir,
        listenClient,
        advertiseClient,
        listenPeer,
        advertisePeer,
        initialCluster,
        state,
        value(raw, "initial-cluster-token"),
        snapshotCount,
        catchUpEntries,
        Duration.ofMillis(tickMs),
        Duration.ofMillis(electionMs),
        quota,
        autoCompaction,
        (int) maxRequestBytes,
        (int) maxTxnOps,
        listenMetrics,
        logLevel(raw),
        logFormat(raw),
        progressInterval);
  }

  private static String value(Map<String, String> raw, String flag) {
    String v = raw.get(flag);
    return v != null ? v.trim() : EtcdFlags.ALL.get(flag).defaultValue();
  }

  private static ConfigException invalid(String flag, Map<String, String> raw, String why) {
    return new ConfigException(
        "invalid value \"" + value(raw, flag) + "\" for flag -" + flag + ": " + why);
  }

  private static long signedNumber(Map<String, String> raw, String flag) throws ConfigException {
    try {
      return Long.parseLong(value(raw, flag));
    } catch (NumberFormatException e) {
      throw invalid(flag, raw, "parse error");
    }
  }

  private static long number(Map<String, String> raw, String flag) throws ConfigException {
    long n = signedNumber(raw, flag);
    if (n < 0) {
      throw invalid(flag, raw, "parse error");
    }
    return n;
  }

  private static LogLevel logLevel(Map<String, String> raw) throws ConfigException {
    return switch (value(raw, "log-level")) {
      case "debug" -> LogLevel.DEBUG;
      case "info" -> LogLevel.INFO;
      case "warn" -> LogLevel.WARN;
      case "error", "dpanic", "panic", "fatal" -> LogLevel.ERROR;
      default -> throw invalid("log-level", raw, "valid values are debug, info, warn, error");
    };
  }

  private static LogFormat logFormat(Map<String, String> raw) throws ConfigException {
    return switch (value(raw, "log-format")) {
      case "text", "console" -> LogFormat.TEXT;
      case "json" -> LogFormat.JSON;
      default -> throw invalid("log-format", raw, "valid values are text, console, json");
    };
  }

  /** A comma-separated URL list, duplicates dropped, order kept. */
  static List<EndpointUrl> urls(String flag, String text) throws ConfigException {
    Set<EndpointUrl> out = new LinkedHashSet<>();
    for (String part : text.split(",")) {
      if (!part.isBlank()) {
        try {
          out.add(EndpointUrl.parse(part));
        } catch (ConfigException e) {
          throw new ConfigException("--" + flag + ": " + e.getMessage());
        }
      }
    }
    return List.copyOf(out);
  }

  /** etcd binds only to IP addresses, and to localhost (embed checkBindURLs). */
  private static List<EndpointUrl> bindUrls(String flag, String text) throws ConfigException {
    List<EndpointUrl> urls = urls(flag, text);
    for (EndpointUrl url : urls) {
      if (!url.host().equals("localhost") && !isIpLiteral(url.host())) {
        throw new ConfigException("expected IP in URL for binding (" + url + ")");
      }
    }
    return urls;
  }

  private static boolean isIpLiteral(String host) {
    return host.matches("[0-9.]+") || host.contains(":");
  }

  private static Map<String, List<EndpointUrl>> parseInitialCluster(String text)
      throws ConfigException {
    Map<String, List<EndpointUrl>> members = new LinkedHashMap<>();
    for (String entry : text.split(",")) {
      if (entry.isBlank()) {
        continue;
      }
      int eq = entry.indexOf('=');
      if (eq <= 0) {
        throw new ConfigException("--initial-cluster: expected name=url, got \"" + entry + "\"");
      }
      String member = entry.substring(0, eq).trim();
      List<EndpointUrl> url = urls("initial-cluster", entry.substring(eq + 1));
      if (url.isEmpty()) {
        throw new ConfigException("--initial-cluster: no URL for member \"" + member + "\"");
      }
      members.computeIfAbsent(member, k -> new ArrayList<>()).addAll(url);
    }
    return members;
  }
}
