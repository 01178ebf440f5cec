package io.ketch.launch;

import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.services.HealthStatusManager;
import io.ketch.api.http.ClientListener;
import io.ketch.api.http.ClientListenerOptions;
import io.ketch.api.http.HealthSource;
import io.ketch.api.http.HttpListener;
import io.ketch.api.http.HttpRoutes;
import io.ketch.api.http.StatusEndpoints;
import io.ketch.server.config.EndpointUrl;
import io.ketch.server.config.ServerConfig;
import io.ketch.server.metrics.Metrics;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running member and its listeners. {@link #start} is the whole wiring, in one place: what it
 * starts, in which order, and what it serves on each port.
 */
final class KetchNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KetchNode.class);
  private static final Duration METRICS_IDLE_TIMEOUT = Duration.ofMinutes(5);

  private final List<ClientListener> clientListeners;
  private final List<HttpListener> metricsListeners;
  private final HealthStatusManager grpcHealth;
  private final CountDownLatch closed = new CountDownLatch(1);

  private KetchNode(
      List<ClientListener> clientListeners,
      List<HttpListener> metricsListeners,
      HealthStatusManager grpcHealth) {
    this.clientListeners = clientListeners;
    this.metricsListeners = metricsListeners;
    this.grpcHealth = grpcHealth;
  }

  /**
   * Starts the member's listeners: on each --listen-client-urls, gRPC (the grpc health service, and
   * the etcd services once the member exists) and HTTP/1.1 (health, version, metrics); on each
   * --listen-metrics-urls, the HTTP endpoints alone.
   *
   * <p>The member is a {@link StandInMember} until the server is wired here: create it from {@code
   * config}, give its gRPC services to {@code services}, and pass it as the health source.
   */
  static KetchNode start(ServerConfig config, String serverVersion) throws IOException {
    Metrics metrics = new Metrics(serverVersion);
    metrics.setQuotaBackendBytes(config.quotaBackendBytes());
    HealthSource member = new StandInMember();
    metrics.setClusterVersion(member.clusterVersion());

    HealthStatusManager grpcHealth = new HealthStatusManager();
    List<ServerServiceDefinition> services = List.of(grpcHealth.getHealthService().bindService());
    services.forEach(metrics::preRegister);

    StatusEndpoints status =
        new StatusEndpoints(member, metrics, serverVersion, config.requestTimeout());
    HttpRoutes routes = status.register(HttpRoutes.builder()).build();
    ClientListenerOptions options =
        ClientListenerOptions.forMaxRequestBytes(config.maxRequestBytes());

    List<ClientListener> clients = new ArrayList<>();
    List<HttpListener> metricsListeners = new ArrayList<>();
    KetchNode node = new KetchNode(clients, metricsListeners, grpcHealth);
    try {
      for (EndpointUrl url : config.listenClientUrls()) {
        ClientListener listener =
            ClientListener.start(
                url.socketAddress(), services, List.of(metrics.grpcInterceptor()), routes, options);
        clients.add(listener);
        log.info(
            "serving client requests on {}:{} (gRPC and HTTP/1.1)", url.host(), listener.port());
      }
      for (EndpointUrl url : config.listenMetricsUrls()) {
        HttpListener listener =
            HttpListener.start(url.socketAddress(), routes, METRICS_IDLE_TIMEOUT);
        metricsListeners.add(listener);
        log.info("serving metrics on {}:{}", url.host(), listener.port());
      }
    } catch (IOException | RuntimeException e) {
      node.close();
      throw e;
    }
    return node;
  }

  /** The bound client ports, in --listen-client-urls order (the real ones for port 0). */
  List<Integer> clientPorts() {
    return clientListeners.stream().map(ClientListener::port).toList();
  }

  List<Integer> metricsPorts() {
    return metricsListeners.stream().map(HttpListener::port).toList();
  }

  /** Blocks until {@link #close()} has run. */
  void awaitClosed() throws InterruptedException {
    closed.await();
  }

  /** Stops serving: the gRPC health service first reports NOT_SERVING, then listeners close. */
  @Override
  public void close() {
    grpcHealth.enterTerminalState();
    for (ClientListener listener : clientListeners) {
      try {
        listener.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    metricsListeners.forEach(HttpListener::close);
    closed.countDown();
  }
}
