package io.ketch.api;

import io.grpc.BindableService;
import io.grpc.ServerInterceptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.services.HealthStatusManager;
import io.ketch.api.gateway.JsonGateway;
import io.ketch.api.http.ClientListener;
import io.ketch.api.http.ClientListenerOptions;
import io.ketch.api.http.HttpListener;
import io.ketch.api.http.HttpRoutes;
import io.ketch.api.http.StatusEndpoints;
import io.ketch.server.EtcdServer;
import io.ketch.server.Versions;
import io.ketch.server.config.EndpointUrl;
import io.ketch.server.config.ServerConfig;
import io.ketch.server.metrics.Metrics;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client-facing side of one member: etcd's gRPC services over the {@link EtcdServer} plus the
 * standard gRPC health service, and the HTTP endpoints, served on every --listen-client-urls (gRPC
 * and HTTP/1.1 on one port, as etcd does) and on every --listen-metrics-urls (HTTP only).
 */
public final class ClientApi implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClientApi.class);

  private final HealthStatusManager health = new HealthStatusManager();
  private final ExecutorService callbacks;
  private final ScheduledExecutorService ticks;
  private final List<BindableService> services;
  private final LeaderMonitor leaders;
  private final List<AutoCloseable> listeners = new ArrayList<>();

  private ClientApi(EtcdServer server) {
    ServerConfig config = server.config();
    this.callbacks =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "watch-send");
              t.setDaemon(true);
              return t;
            });
    this.ticks =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "watch-progress");
              t.setDaemon(true);
              return t;
            });
    RequestChecks checks = new RequestChecks(config.maxTxnOps());
    server.identifyRequestersBy(AuthTokens::current);
    Contention contention = new Contention(server, callbacks);
    this.leaders = new LeaderMonitor(server::hasLeader, ticks, config.electionTimeout());
    this.services =
        List.of(
            new KvService(server, checks),
            new WatchService(
                server,
                server.watchable(),
                callbacks,
                config.maxGrpcReceiveBytes(),
                ticks,
                config.watchProgressNotifyInterval(),
                leaders),
            new LeaseService(server, leaders),
            new ClusterService(server),
            new MaintenanceService(server),
            new AuthService(server),
            new LockService(server, contention),
            new ElectionService(server, contention),
            health.getHealthService());
  }

  /** Builds the API and starts serving it on the configured URLs. */
  public static ClientApi start(EtcdServer server, Metrics metrics) throws IOException {
    ServerConfig config = server.config();
    ClientApi api = new ClientApi(server);
    List<ServerServiceDefinition> definitions =
        api.services.stream().map(BindableService::bindService).toList();
    definitions.forEach(metrics::preRegister);
    StatusEndpoints statusEndpoints =
        new StatusEndpoints(
            new MemberHealth(server), metrics, Versions.SERVER, config.requestTimeout());
    HttpRoutes routes = statusEndpoints.register(HttpRoutes.builder()).build();
    List<ServerInterceptor> interceptors =
        List.of(
            metrics.grpcInterceptor(),
            api.leaders,
            new LearnerGate(server),
            new AuthTokens(server.auth()));
    JsonGateway gateway = JsonGateway.start(definitions, interceptors);
    // The JSON gateway on the client port only, as etcd: the metrics port serves no data.
    HttpRoutes clientRoutes =
        gateway.register(statusEndpoints.register(HttpRoutes.builder())).build();
    try {
      for (EndpointUrl url : config.listenClientUrls()) {
        ClientListener listener =
            ClientListener.start(
                url.socketAddress(),
                definitions,
                interceptors,
                clientRoutes,
                ClientListenerOptions.forMaxRequestBytes(config.maxRequestBytes()));
        api.listeners.add(listener);
        log.info("serving client requests on {}:{}", url.host(), listener.port());
      }
      for (EndpointUrl url : config.listenMetricsUrls()) {
        HttpListener listener =
            HttpListener.start(url.socketAddress(), routes, Duration.ofMinutes(5));
        api.listeners.add(listener);
        log.info("serving /metrics and /health on {}:{}", url.host(), listener.port());
      }
      api.listeners.add(gateway); // after the listeners: closed once nothing calls it
    } catch (IOException | RuntimeException e) {
      api.close();
      throw e;
    }
    return api;
  }

  /** The bound client ports, in --listen-client-urls order (the real ones for port 0). */
  public List<Integer> clientPorts() {
    return listeners.stream()
        .filter(ClientListener.class::isInstance)
        .map(l -> ((ClientListener) l).port())
        .toList();
  }

  public List<Integer> metricsPorts() {
    return listeners.stream()
        .filter(HttpListener.class::isInstance)
        .map(l -> ((HttpListener) l).port())
        .toList();
  }

  @Override
  public void close() {
    health.enterTerminalState();
    for (AutoCloseable listener : listeners) {
      try {
        listener.close();
      } catch (Exception e) {
        log.warn("closing a listener failed", e);
      }
    }
    callbacks.shutdownNow();
    ticks.shutdownNow();
  }
}
