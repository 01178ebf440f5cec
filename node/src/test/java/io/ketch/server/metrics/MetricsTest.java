package io.ketch.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MetricsTest {

  private static String text(Metrics metrics) {
    return new String(metrics.scrapeText(), StandardCharsets.UTF_8);
  }

  @Test
  void exportsEtcdsNamesAndTypes() {
    Metrics metrics = new Metrics("3.5.17");
    metrics.setHasLeader(true);
    metrics.leaderChanged();
    metrics.setProposalsCommitted(12);
    metrics.observeWalFsync(2_000_000);
    metrics.observePeerRoundTrip("8e9e05c52164694d", 300_000);
    metrics.setServerId(0x8e9e05c52164694dL);
    metrics.setClusterVersion("3.5.0");
    metrics.put();
    String text = text(metrics);
    assertThat(text)
        .contains("# TYPE etcd_server_has_leader gauge", "etcd_server_has_leader 1.0")
        .contains("# TYPE etcd_server_is_leader gauge")
        .contains("# TYPE etcd_server_leader_changes_seen_total counter")
        .contains("etcd_server_leader_changes_seen_total 1.0")
        .contains("# TYPE etcd_server_proposals_committed_total gauge")
        .contains("etcd_server_proposals_committed_total 12.0")
        .contains("etcd_server_proposals_applied_total", "etcd_server_proposals_pending")
        .contains("# TYPE etcd_server_proposals_failed_total counter")
        .contains("# TYPE etcd_disk_wal_fsync_duration_seconds histogram")
        .contains("etcd_disk_wal_fsync_duration_seconds_bucket{le=\"0.002\"} 1")
        .contains("etcd_disk_wal_fsync_duration_seconds_bucket{le=\"8.192\"} 1")
        .contains("etcd_disk_backend_commit_duration_seconds_bucket")
        .contains("etcd_disk_backend_snapshot_duration_seconds_bucket{le=\"655.36\"}")
        .contains("etcd_mvcc_db_total_size_in_bytes", "etcd_mvcc_db_total_size_in_use_in_bytes")
        .contains("etcd_debugging_mvcc_keys_total", "etcd_mvcc_put_total 1.0")
        .contains("etcd_mvcc_delete_total", "etcd_mvcc_range_total", "etcd_mvcc_txn_total")
        .contains("etcd_network_peer_round_trip_time_seconds_bucket{To=\"8e9e05c52164694d\"")
        .contains("etcd_server_id{server_id=\"8e9e05c52164694d\"} 1.0")
        .contains("etcd_server_version{server_version=\"3.5.17\"} 1.0")
        .contains("etcd_cluster_version{cluster_version=\"3.5.0\"} 1.0")
        .contains("etcd_server_quota_backend_bytes", "etcd_debugging_lease_granted_total")
        .contains("etcd_server_heartbeat_send_failures_total", "etcd_server_slow_apply_total");
  }

  @Test
  void interceptorCountsCallsWithTheirCode() throws Exception {
    Metrics metrics = new Metrics("3.5.17");
    HealthStatusManager health = new HealthStatusManager();
    String name = InProcessServerBuilder.generateName();
    Server server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(
                ServerInterceptors.intercept(health.getHealthService(), metrics.grpcInterceptor()))
            .build()
            .start();
    ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    try {
      HealthGrpc.HealthBlockingStub stub = HealthGrpc.newBlockingStub(channel);
      stub.check(HealthCheckRequest.getDefaultInstance());
      assertThatThrownBy(
              () -> stub.check(HealthCheckRequest.newBuilder().setService("nope").build()))
          .isInstanceOf(StatusRuntimeException.class);
    } finally {
      channel.shutdownNow();
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    String labels =
        "grpc_method=\"Check\",grpc_service=\"grpc.health.v1.Health\",grpc_type=\"unary\"";
    assertThat(text(metrics))
        .contains("grpc_server_started_total{" + labels + "} 2.0")
        .contains("grpc_server_msg_received_total{" + labels + "} 2.0")
        .contains("grpc_server_msg_sent_total{" + labels + "} 1.0")
        .contains("grpc_server_handled_total{grpc_code=\"OK\"," + labels + "} 1.0")
        .contains("grpc_server_handled_total{grpc_code=\"NotFound\"," + labels + "} 1.0")
        .contains("grpc_server_handled_total{grpc_code=\"Unavailable\"," + labels + "} 0.0");
  }

  @Test
  void preRegisteredMethodsShowAtZero() {
    Metrics metrics = new Metrics("3.5.17");
    metrics.preRegister(new HealthStatusManager().getHealthService().bindService());
    assertThat(text(metrics))
        .contains(
            "grpc_server_started_total{grpc_method=\"Watch\",grpc_service=\"grpc.health.v1.Health\",grpc_type=\"server_stream\"} 0.0");
  }
}
