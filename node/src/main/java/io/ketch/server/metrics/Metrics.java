package io.ketch.server.metrics;

import io.grpc.ServerInterceptor;
import io.grpc.ServerServiceDefinition;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;

/**
 * The member's metrics, under the names, types and buckets etcd exports (server/etcdserver/
 * metrics.go, storage/wal, storage/backend, storage/mvcc, rafthttp, lease), so that etcd's
 * dashboards and alerts work unchanged. One instance per member; each metric has a method, so the
 * hot paths touch a pre-resolved data point and never look a name up.
 *
 * <p>A few etcd metrics are gauges although named {@code _total} (proposals committed/applied):
 * they are kept as gauges, as etcd has them, and set from the Raft indexes.
 */
public final class Metrics {
  /** The exposition content type of {@link #scrapeText()}. */
  public static final String TEXT_CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

  private final PrometheusRegistry registry = new PrometheusRegistry();

  private final GaugeDataPoint hasLeader;
  private final GaugeDataPoint isLeader;
  private final CounterDataPoint leaderChanges;
  private final GaugeDataPoint proposalsCommitted;
  private final GaugeDataPoint proposalsApplied;
  private final GaugeDataPoint proposalsPending;
  private final CounterDataPoint proposalsFailed;
  private final CounterDataPoint heartbeatSendFailures;
  private final CounterDataPoint slowApplies;
  private final GaugeDataPoint quotaBackendBytes;
  private final Gauge serverId;
  private final Gauge clusterVersion;
  private final CounterDataPoint healthSuccess;
  private final CounterDataPoint healthFailures;

  private final DistributionDataPoint walFsync;
  private final DistributionDataPoint backendCommit;
  private final DistributionDataPoint backendSnapshot;

  private final GaugeDataPoint dbTotalSize;
  private final GaugeDataPoint dbTotalSizeInUse;
  private final GaugeDataPoint keysTotal;
  private final CounterDataPoint puts;
  private final CounterDataPoint deletes;
  private final CounterDataPoint ranges;
  private final CounterDataPoint txns;
  private final CounterDataPoint leasesGranted;

  private final Histogram peerRoundTrip;
  private final GrpcMetrics grpc;

  /**
   * @param serverVersion the version the member reports (etcd_server_version's label)
   */
  public Metrics(String serverVersion) {
    hasLeader =
        gauge(
            "etcd_server_has_leader", "Whether or not a leader exists. 1 is existence, 0 is not.");
    isLeader =
        gauge(
            "etcd_server_is_leader",
            "Whether or not this member is a leader. 1 if is, 0 otherwise.");
    leaderChanges =
        counter("etcd_server_leader_changes_seen_total", "The number of leader changes seen.");
    proposalsCommitted =
        gauge(
            "etcd_server_proposals_committed_total",
            "The total number of consensus proposals committed.");
    proposalsApplied =
        gauge(
            "etcd_server_proposals_applied_total",
            "The total number of consensus proposals applied.");
    proposalsPending =
        gauge(
            "etcd_server_proposals_pending", "The current number of pending proposals to commit.");
    proposalsFailed =
        counter("etcd_server_proposals_failed_total", "The total number of failed proposals seen.");
    heartbeatSendFailures =
        counter(
            "etcd_server_heartbeat_send_failures_total",
            "The total number of leader heartbeat send failures (likely overloaded from slow disk).");
    slowApplies =
        counter(
            "etcd_server_slow_apply_total",
            "The total number of slow apply requests (likely overloaded from slow disk).");
    quotaBackendBytes =
        gauge("etcd_server_quota_backend_bytes", "Current backend storage quota size in bytes.");
    serverId =
        Gauge.builder()
            .name("etcd_server_id")
            .help(
                "Server or member ID in hexadecimal format. 1 for 'server_id' label with current ID.")
            .labelNames("server_id")
            .register(registry);
    Gauge version =
        Gauge.builder()
            .name("etcd_server_version")
            .help("Which version is running. 1 for 'server_version' label with current version.")
            .labelNames("server_version")
            .register(registry);
    version.labelValues(serverVersion).set(1);
    clusterVersion =
        Gauge.builder()
            .name("etcd_cluster_version")
            .help(
                "Which version is running. 1 for 'cluster_version' label with current cluster version")
            .labelNames("cluster_version")
            .register(registry);
    healthSuccess =
        counter("etcd_server_health_success", "The total number of successful health checks");
    healthFailures =
        counter("etcd_server_health_failures", "The total number of failed health checks");

    // Buckets as etcd's: 1 ms doubling 14 times (to 8.192 s); backend snapshots 10 ms x 2^16.
    walFsync =
        histogram(
            "etcd_disk_wal_fsync_duration_seconds",
            "The latency distributions of fsync called by WAL.",
            0.001,
            14);
    backendCommit =
        histogram(
            "etcd_disk_backend_commit_duration_seconds",
            "The latency distributions of commit called by backend.",
            0.001,
            14);
    backendSnapshot =
        histogram(
            "etcd_disk_backend_snapshot_duration_seconds",
            "The latency distribution of backend snapshots.",
            0.01,
            17);

    dbTotalSize =
        gauge(
            "etcd_mvcc_db_total_size_in_bytes",
            "Total size of the underlying database physically allocated in bytes.");
    dbTotalSizeInUse =
        gauge(
            "etcd_mvcc_db_total_size_in_use_in_bytes",
            "Total size of the underlying database logically in use in bytes.");
    keysTotal = gauge("etcd_debugging_mvcc_keys_total", "Total number of keys.");
    puts = counter("etcd_mvcc_put_total", "Total number of puts seen by this member.");
    deletes = counter("etcd_mvcc_delete_total", "Total number of deletes seen by this member.");
    ranges = counter("etcd_mvcc_range_total", "Total number of ranges seen by this member.");
    txns = counter("etcd_mvcc_txn_total", "Total number of txns seen by this member.");
    leasesGranted =
        counter("etcd_debugging_lease_granted_total", "The total number of granted leases.");

    peerRoundTrip =
        Histogram.builder()
            .name("etcd_network_peer_round_trip_time_seconds")
            .help("Round-Trip-Time histogram between peers")
            .labelNames("To")
            .classicOnly()
            .classicExponentialUpperBounds(0.0001, 2, 16)
            .register(registry);
    grpc = new GrpcMetrics(registry);
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition (version 0.0.4) of every metric. */
  public byte[] scrapeText() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
    try {
      PrometheusTextFormatWriter.create().write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  // --- server ---

  public void setHasLeader(boolean value) {
    hasLeader.set(value ? 1 : 0);
  }

  public void setIsLeader(boolean value) {
    isLeader.set(value ? 1 : 0);
  }

  public void leaderChanged() {
    leaderChanges.inc();
  }

  public void setProposalsCommitted(long index) {
    proposalsCommitted.set(index);
  }

  public void setProposalsApplied(long index) {
    proposalsApplied.set(index);
  }

  public void setProposalsPending(long count) {
    proposalsPending.set(count);
  }

  public void proposalFailed() {
    proposalsFailed.inc();
  }

  public void heartbeatSendFailed() {
    heartbeatSendFailures.inc();
  }

  public void slowApply() {
    slowApplies.inc();
  }

  public void setQuotaBackendBytes(long bytes) {
    quotaBackendBytes.set(bytes);
  }

  /** The member id in hexadecimal, as etcd labels it. */
  public void setServerId(long memberId) {
    serverId.clear();
    serverId.labelValues(Long.toHexString(memberId)).set(1);
  }

  /** The cluster version ("3.5.0"): the label of etcd_cluster_version. */
  public void setClusterVersion(String version) {
    clusterVersion.clear();
    clusterVersion.labelValues(version).set(1);
  }

  /** Counts one /health answer (etcd_server_health_success / _failures). */
  public void healthChecked(boolean healthy) {
    (healthy ? healthSuccess : healthFailures).inc();
  }

  // --- disk ---

  public void observeWalFsync(long nanos) {
    walFsync.observe(seconds(nanos));
  }

  public void observeBackendCommit(long nanos) {
    backendCommit.observe(seconds(nanos));
  }

  public void observeBackendSnapshot(long nanos) {
    backendSnapshot.observe(seconds(nanos));
  }

  // --- mvcc and lease ---

  public void setDbTotalSizeBytes(long bytes) {
    dbTotalSize.set(bytes);
  }

  public void setDbTotalSizeInUseBytes(long bytes) {
    dbTotalSizeInUse.set(bytes);
  }

  public void setKeysTotal(long keys) {
    keysTotal.set(keys);
  }

  public void put() {
    puts.inc();
  }

  public void delete() {
    deletes.inc();
  }

  public void range() {
    ranges.inc();
  }

  public void txn() {
    txns.inc();
  }

  public void leaseGranted() {
    leasesGranted.inc();
  }

  // --- network ---

  /** One peer round trip; {@code peerId} is the member id in hexadecimal, etcd's "To" label. */
  public void observePeerRoundTrip(String peerId, long nanos) {
    peerRoundTrip.labelValues(peerId).observe(seconds(nanos));
  }

  // --- gRPC ---

  /** Counts every call and message as go-grpc-prometheus does; install on the client server. */
  public ServerInterceptor grpcInterceptor() {
    return grpc;
  }

  /** Makes a service's methods show in the exposition at zero before their first call. */
  public void preRegister(ServerServiceDefinition service) {
    grpc.preRegister(service);
  }

  private GaugeDataPoint gauge(String name, String help) {
    return Gauge.builder().name(name).help(help).register(registry);
  }

  private CounterDataPoint counter(String name, String help) {
    return Counter.builder().name(name).help(help).register(registry);
  }

  private DistributionDataPoint histogram(String name, String help, double start, int count) {
    return Histogram.builder()
        .name(name)
        .help(help)
        .classicOnly()
        .classicExponentialUpperBounds(start, 2, count)
        .register(registry);
  }

  private static double seconds(long nanos) {
    return nanos / (double) TimeUnit.SECONDS.toNanos(1);
  }
}
