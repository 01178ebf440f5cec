package io.ketch.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A member's settings, as etcd's flags name them (server/embed/config.go). Built by {@link
 * ServerConfigParser} from the command line, ETCD_* variables or a --config-file; every value is
 * already validated.
 *
 * <p>The client URLs default to http://127.0.0.1:2379, not etcd's http://localhost:2379: Ketch
 * promises 127.0.0.1:2379 in its README, and "localhost" may resolve to ::1 first, so clients that
 * dial 127.0.0.1 (etcdctl's default endpoint) would miss a listener bound to the IPv6 loopback.
 *
 * @param initialCluster member name to its peer URLs, in the order given
 * @param walDir empty when the WAL lives inside the data directory
 * @param listenMetricsUrls extra plain-HTTP listeners serving /metrics and /health only
 */
public record ServerConfig(
    String name,
    Path dataDir,
    Optional<Path> walDir,
    List<EndpointUrl> listenClientUrls,
    List<EndpointUrl> advertiseClientUrls,
    List<EndpointUrl> listenPeerUrls,
    List<EndpointUrl> initialAdvertisePeerUrls,
    Map<String, List<EndpointUrl>> initialCluster,
    ClusterState initialClusterState,
    String initialClusterToken,
    long snapshotCount,
    long snapshotCatchUpEntries,
    Duration heartbeatInterval,
    Duration electionTimeout,
    long quotaBackendBytes,
    AutoCompaction autoCompaction,
    int maxRequestBytes,
    int maxTxnOps,
    List<EndpointUrl> listenMetricsUrls,
    LogLevel logLevel,
    LogFormat logFormat,
    Duration watchProgressNotifyInterval) {

  /** etcd's default backend quota, used when --quota-backend-bytes is 0. */
  public static final long DEFAULT_QUOTA_BACKEND_BYTES = 2L * 1024 * 1024 * 1024;

  /** gRPC accepts this much more than --max-request-bytes, as etcd does (embed/config.go). */
  public static final int GRPC_OVERHEAD_BYTES = 512 * 1024;

  public ServerConfig {
    listenClientUrls = List.copyOf(listenClientUrls);
    advertiseClientUrls = List.copyOf(advertiseClientUrls);
    listenPeerUrls = List.copyOf(listenPeerUrls);
    initialAdvertisePeerUrls = List.copyOf(initialAdvertisePeerUrls);
    initialCluster =
        initialCluster.entrySet().stream()
            .collect(
                Collectors.toMap(
                    Map.Entry::getKey,
                    e -> List.copyOf(e.getValue()),
                    (a, b) -> a,
                    java.util.LinkedHashMap::new));
    initialCluster = java.util.Collections.unmodifiableMap(initialCluster);
    listenMetricsUrls = List.copyOf(listenMetricsUrls);
  }

  /** The defaults, as a member started with no flags at all gets them. */
  public static ServerConfig defaults() {
    try {
      return ServerConfigParser.parse(List.of(), Map.of()).config();
    } catch (ConfigException e) {
      throw new IllegalStateException("the defaults must be valid", e);
    }
  }

  /** The largest gRPC message a client may send: --max-request-bytes + 512 KiB. */
  public int maxGrpcReceiveBytes() {
    return maxRequestBytes + GRPC_OVERHEAD_BYTES;
  }

  /** etcd's request timeout: 5 s plus two election timeouts (config.ServerConfig.ReqTimeout). */
  public Duration requestTimeout() {
    return Duration.ofSeconds(5).plus(electionTimeout.multipliedBy(2));
  }

  /** Election timeout in heartbeat ticks, as the Raft state machine counts it. */
  public int electionTicks() {
    return (int) (electionTimeout.toMillis() / heartbeatInterval.toMillis());
  }

  /** --initial-cluster written back in etcd's syntax. */
  public String initialClusterString() {
    return initialCluster.entrySet().stream()
        .flatMap(e -> e.getValue().stream().map(u -> e.getKey() + "=" + u))
        .collect(Collectors.joining(","));
  }
}
