package io.ketch.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigParserTest {

  private static ServerConfigParser.Result parse(List<String> args, Map<String, String> env)
      throws ConfigException {
    return ServerConfigParser.parse(args, env);
  }

  private static ServerConfig config(String... args) throws ConfigException {
    return parse(List.of(args), Map.of()).config();
  }

  private static EndpointUrl url(String text) throws ConfigException {
    return EndpointUrl.parse(text);
  }

  @Test
  void defaultsAreEtcds() throws Exception {
    ServerConfig c = ServerConfig.defaults();
    assertThat(c.name()).isEqualTo("default");
    assertThat(c.dataDir()).isEqualTo(Path.of("default.etcd"));
    assertThat(c.walDir()).isEmpty();
    assertThat(c.listenClientUrls()).containsExactly(url("http://127.0.0.1:2379"));
    assertThat(c.advertiseClientUrls()).containsExactly(url("http://127.0.0.1:2379"));
    assertThat(c.listenPeerUrls()).containsExactly(url("http://localhost:2380"));
    assertThat(c.initialAdvertisePeerUrls()).containsExactly(url("http://localhost:2380"));
    assertThat(c.initialClusterString()).isEqualTo("default=http://localhost:2380");
    assertThat(c.initialClusterState()).isEqualTo(ClusterState.NEW);
    assertThat(c.initialClusterToken()).isEqualTo("etcd-cluster");
    assertThat(c.snapshotCount()).isEqualTo(100_000);
    assertThat(c.heartbeatInterval()).isEqualTo(Duration.ofMillis(100));
    assertThat(c.electionTimeout()).isEqualTo(Duration.ofMillis(1000));
    assertThat(c.electionTicks()).isEqualTo(10);
    assertThat(c.quotaBackendBytes()).isEqualTo(2L << 30);
    assertThat(c.autoCompaction().mode()).isEqualTo(AutoCompaction.Mode.PERIODIC);
    assertThat(c.autoCompaction().enabled()).isFalse();
    assertThat(c.maxRequestBytes()).isEqualTo(1_572_864);
    assertThat(c.maxGrpcReceiveBytes()).isEqualTo(1_572_864 + 512 * 1024);
    assertThat(c.maxTxnOps()).isEqualTo(128);
    assertThat(c.listenMetricsUrls()).isEmpty();
    assertThat(c.logLevel()).isEqualTo(LogLevel.INFO);
    assertThat(c.logFormat()).isEqualTo(LogFormat.TEXT);
    assertThat(c.watchProgressNotifyInterval()).isEqualTo(Duration.ofMinutes(10));
    assertThat(c.requestTimeout()).isEqualTo(Duration.ofSeconds(7));
  }

  @Test
  void everyFlagIsRead() throws Exception {
    ServerConfig c =
        config(
            "--name=m1",
            "--data-dir=/var/lib/m1",
            "--wal-dir=/wal",
            "--listen-client-urls=http://0.0.0.0:12379,http://127.0.0.1:12379",
            "--advertise-client-urls=http://m1.example:12379",
            "--listen-peer-urls=http://10.0.0.1:12380",
            "--initial-advertise-peer-urls=http://m1.example:12380",
            "--initial-cluster=m1=http://m1.example:12380,m2=http://m2.example:12380",
            "--initial-cluster-state=existing",
            "--initial-cluster-token=tok",
            "--snapshot-count=500",
            "--heartbeat-interval=50",
            "--election-timeout=500",
            "--quota-backend-bytes=8589934592",
            "--auto-compaction-mode=revision",
            "--auto-compaction-retention=1000",
            "--max-request-bytes=1000000",
            "--max-txn-ops=64",
            "--listen-metrics-urls=http://127.0.0.1:12381",
            "--log-level=debug",
            "--log-format=json",
            "--watch-progress-notify-interval=5s");
    assertThat(c.name()).isEqualTo("m1");
    assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/m1"));
    assertThat(c.walDir()).isEqualTo(Optional.of(Path.of("/wal")));
    assertThat(c.listenClientUrls())
        .containsExactly(url("http://0.0.0.0:12379"), url("http://127.0.0.1:12379"));
    assertThat(c.advertiseClientUrls()).containsExactly(url("http://m1.example:12379"));
    assertThat(c.listenPeerUrls().get(0).socketAddress().getPort()).isEqualTo(12380);
    assertThat(c.initialAdvertisePeerUrls()).containsExactly(url("http://m1.example:12380"));
    assertThat(c.initialCluster()).containsOnlyKeys("m1", "m2");
    assertThat(c.initialCluster().get("m2")).containsExactly(url("http://m2.example:12380"));
    assertThat(c.initialClusterState()).isEqualTo(ClusterState.EXISTING);
    assertThat(c.initialClusterToken()).isEqualTo("tok");
    assertThat(c.snapshotCount()).isEqualTo(500);
    assertThat(c.heartbeatInterval()).isEqualTo(Duration.ofMillis(50));
    assertThat(c.electionTimeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.quotaBackendBytes()).isEqualTo(8L << 30);
    assertThat(c.autoCompaction().mode()).isEqualTo(AutoCompaction.Mode.REVISION);
    assertThat(c.autoCompaction().revisions()).isEqualTo(1000);
    assertThat(c.maxRequestBytes()).isEqualTo(1_000_000);
    assertThat(c.maxTxnOps()).isEqualTo(64);
    assertThat(c.listenMetricsUrls()).containsExactly(url("http://127.0.0.1:12381"));
    assertThat(c.logLevel()).isEqualTo(LogLevel.DEBUG);
    assertThat(c.logFormat()).isEqualTo(LogFormat.JSON);
    assertThat(c.watchProgressNotifyInterval()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void goSingleDashAndSpaceSeparatedFormsWork() throws Exception {
    ServerConfig c =
        config("-name", "m1", "--snapshot-count", "7", "-heartbeat-interval=20", "-enable-v2");
    assertThat(c.name()).isEqualTo("m1");
    assertThat(c.snapshotCount()).isEqualTo(7);
    assertThat(c.heartbeatInterval()).isEqualTo(Duration.ofMillis(20));
  }

  @Test
  void dataDirAndInitialClusterFollowTheName() throws Exception {
    ServerConfig c = config("--name", "infra1", "--initial-advertise-peer-urls", "http://h:1");
    assertThat(c.dataDir()).isEqualTo(Path.of("infra1.etcd"));
    assertThat(c.initialClusterString()).isEqualTo("infra1=http://h:1");
  }

  @Test
  void lastOccurrenceOfAFlagWins() throws Exception {
    assertThat(config("--name=a", "--name=b").name()).isEqualTo("b");
  }

  @Test
  void periodicRetentionIsHoursOrADuration() throws Exception {
    assertThat(config("--auto-compaction-retention=1").autoCompaction().period())
        .isEqualTo(Duration.ofHours(1));
    assertThat(config("--auto-compaction-retention=5m").autoCompaction().period())
        .isEqualTo(Duration.ofMinutes(5));
    assertThat(config("--auto-compaction-retention=1h30m").autoCompaction().period())
        .isEqualTo(Duration.ofMinutes(90));
    assertThat(config("--auto-compaction-retention=1h").autoCompaction().enabled()).isTrue();
  }

  @Test
  void environmentVariablesSetFlags() throws Exception {
    ServerConfigParser.Result r =
        parse(
            List.of(),
            Map.of(
                "ETCD_NAME", "env1",
                "ETCD_SNAPSHOT_COUNT", "42",
                "ETCD_INITIAL_CLUSTER_STATE", "existing",
                "ETCD_UNKNOWN_THING", "x",
                "ETCD_EXPERIMENTAL_WATCH_PROGRESS_NOTIFY_INTERVAL", "2s",
                "PATH", "/bin"));
    assertThat(r.config().name()).isEqualTo("env1");
    assertThat(r.config().snapshotCount()).isEqualTo(42);
    assertThat(r.config().initialClusterState()).isEqualTo(ClusterState.EXISTING);
    assertThat(r.config().watchProgressNotifyInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(r.warnings())
        .anyMatch(w -> w.contains("unrecognized environment variable ETCD_UNKNOWN_THING"));
  }

  @Test
  void aVariableShadowedByAFlagIsRefusedAsEtcdDoes() {
    assertThatThrownBy(() -> parse(List.of("--name=cli"), Map.of("ETCD_NAME", "env")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("conflicting environment variable \"ETCD_NAME\" is shadowed");
  }

  @Test
  void listenClientUrlsFromEnvNeedAdvertiseToo() throws Exception {
    assertThatThrownBy(
            () -> parse(List.of(), Map.of("ETCD_LISTEN_CLIENT_URLS", "http://127.0.0.1:1")))
        .hasMessage(
            "--advertise-client-urls is required when --listen-client-urls is set explicitly");
    ServerConfig c =
        parse(
                List.of("--listen-client-urls=http://127.0.0.1:0"),
                Map.of("ETCD_ADVERTISE_CLIENT_URLS", "http://127.0.0.1:2379"))
            .config();
    assertThat(c.listenClientUrls().get(0).port()).isZero();
  }

  @Test
  void configFileReplacesFlagsAndVariables(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("etcd.yaml");
    Files.writeString(
        file,
        """
        name: fromfile
        data-dir: /data
        listen-client-urls: http://127.0.0.1:3379
        heartbeat-interval: 200
        election-timeout: 2000
        quota-backend-bytes: 1073741824
        auto-compaction-retention: "2"
        enable-v2: true
        experimental-initial-corrupt-check: true
        client-transport-security:
          cert-file: /x
        """);
    ServerConfigParser.Result r =
        parse(
            List.of("--config-file", file.toString(), "--name=ignored"),
            Map.of("ETCD_SNAPSHOT_COUNT", "5"));
    ServerConfig c = r.config();
    assertThat(c.name()).isEqualTo("fromfile");
    assertThat(c.dataDir()).isEqualTo(Path.of("/data"));
    assertThat(c.listenClientUrls()).containsExactly(url("http://127.0.0.1:3379"));
    assertThat(c.heartbeatInterval()).isEqualTo(Duration.ofMillis(200));
    assertThat(c.electionTimeout()).isEqualTo(Duration.ofMillis(2000));
    assertThat(c.quotaBackendBytes()).isEqualTo(1L << 30);
    assertThat(c.autoCompaction().period()).isEqualTo(Duration.ofHours(2));
    assertThat(c.snapshotCount()).isEqualTo(100_000);
    assertThat(r.warnings())
        .anyMatch(w -> w.contains("client-transport-security"))
        .anyMatch(w -> w.contains("experimental-initial-corrupt-check"))
        .anyMatch(w -> w.contains("will be ignored"));
  }

  @Test
  void configFileCanComeFromTheEnvironment(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("etcd.yaml");
    Files.writeString(file, "name: envfile\n");
    assertThat(parse(List.of(), Map.of("ETCD_CONFIG_FILE", file.toString())).config().name())
        .isEqualTo("envfile");
  }

  @Test
  void experimentalFlagsAreAcceptedAndIgnoredOrPromoted() throws Exception {
    ServerConfigParser.Result r =
        parse(
            List.of(
                "--experimental-initial-corrupt-check=true",
                "--experimental-compact-hash-check-enabled",
                "--experimental-watch-progress-notify-interval",
                "5s",
                "--name",
                "x"),
            Map.of());
    assertThat(r.config().watchProgressNotifyInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(r.config().name()).isEqualTo("x");
    assertThat(r.warnings())
        .anyMatch(w -> w.contains("experimental-initial-corrupt-check"))
        .anyMatch(w -> w.contains("experimental-compact-hash-check-enabled"));
  }

  @Test
  void ignoredFlagsWarn() throws Exception {
    ServerConfigParser.Result r =
        parse(List.of("--enable-v2=true", "--logger=zap", "--metrics", "extensive"), Map.of());
    assertThat(r.warnings())
        .anyMatch(w -> w.contains("--enable-v2"))
        .anyMatch(w -> w.contains("--metrics"));
  }

  @Test
  void validationUsesEtcdsMessages() {
    assertThatThrownBy(() -> config("--heartbeat-interval=300", "--election-timeout=1000"))
        .hasMessage(
            "--election-timeout[1000ms] should be at least as 5 times as --heartbeat-interval[300ms]");
    assertThatThrownBy(() -> config("--heartbeat-interval=1000", "--election-timeout=1000"))
        .hasMessageContaining("should be at least as 5 times");
    assertThatThrownBy(() -> config("--heartbeat-interval=0"))
        .hasMessage("--heartbeat-interval must be >0 (set to 0ms)");
    assertThatThrownBy(() -> config("--heartbeat-interval=10000", "--election-timeout=60000"))
        .hasMessage("--election-timeout[60000ms] is too long, and should be set less than 50000ms");
    assertThatThrownBy(() -> config("--auto-compaction-mode=daily"))
        .hasMessage("unknown auto-compaction-mode \"daily\"");
    assertThatThrownBy(() -> config("--initial-cluster-state=maybe"))
        .hasMessageContaining("initial-cluster-state");
    assertThatThrownBy(() -> config("--max-request-bytes=268435456"))
        .hasMessage(
            "invalid value \"268435456\" for flag -max-request-bytes: out of range: at most"
                + " 267911168, so that an entry fits one WAL record");
    assertThatThrownBy(() -> config("--snapshot-count=lots"))
        .hasMessage("invalid value \"lots\" for flag -snapshot-count: parse error");
    assertThatThrownBy(() -> config("--logger=capnslog"))
        .hasMessage("unknown logger option \"capnslog\"");
    assertThatThrownBy(() -> config("--log-level=loud")).hasMessageContaining("log-level");
    assertThatThrownBy(() -> config("--watch-progress-notify-interval=soon"))
        .hasMessageContaining("watch-progress-notify-interval");
    assertThatThrownBy(() -> config("--name=a", "--initial-cluster=b=http://h:1"))
        .hasMessage("couldn't find local name \"a\" in the initial cluster configuration");
  }

  @Test
  void urlsAreChecked() {
    assertThatThrownBy(() -> config("--listen-peer-urls=ftp://127.0.0.1:1"))
        .hasMessageContaining("URL scheme must be http, https, unix, or unixs");
    assertThatThrownBy(() -> config("--initial-advertise-peer-urls=http://h"))
        .hasMessageContaining("does not have the form \"host:port\"");
    assertThatThrownBy(() -> config("--initial-advertise-peer-urls=http://h:1/path"))
        .hasMessageContaining("must not contain a path");
    assertThatThrownBy(() -> config("--listen-peer-urls=http://example.com:2380"))
        .hasMessage("expected IP in URL for binding (http://example.com:2380)");
    assertThatThrownBy(() -> config("--listen-peer-urls=https://127.0.0.1:2380"))
        .hasMessageContaining("not supported");
  }

  @Test
  void unknownFlagsAndStrayArgumentsFail() {
    assertThatThrownBy(() -> config("--no-such-flag=1"))
        .hasMessageContaining("flag provided but not defined")
        .hasMessageContaining("no-such-flag");
    assertThatThrownBy(() -> config("-cert-file", "/x")).hasMessageContaining("cert-file");
    assertThatThrownBy(() -> config("stray")).hasMessage("'stray' is not a valid flag");
    assertThatThrownBy(() -> config("--name")).isInstanceOf(ConfigException.class);
  }

  @Test
  void usageListsTheFlags() {
    assertThat(ServerConfigParser.usage()).contains("--listen-client-urls", "--max-txn-ops");
  }
}
