package io.ketch.launch;

import io.ketch.api.ClientApi;
import io.ketch.server.EtcdServer;
import io.ketch.server.MemberStop;
import io.ketch.server.Versions;
import io.ketch.server.config.ServerConfig;
import io.ketch.server.metrics.Metrics;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running member and its listeners: the member (raft, log, state) first, then the client API on
 * every configured URL. Closing goes the other way.
 */
final class KetchNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KetchNode.class);

  private final EtcdServer server;
  private final ClientApi api;
  private final CountDownLatch closed = new CountDownLatch(1);

  private KetchNode(EtcdServer server, ClientApi api) {
    this.server = server;
    this.api = api;
  }

  static KetchNode start(ServerConfig config) throws IOException {
    Metrics metrics = new Metrics(Versions.SERVER);
    EtcdServer server = EtcdServer.start(config, metrics);
    ClientApi api;
    try {
      api = ClientApi.start(server, metrics);
    } catch (IOException | RuntimeException e) {
      closeQuietly(server);
      throw e;
    }
    server.ready().thenRun(() -> log.info("ready to serve client requests"));
    return new KetchNode(server, api);
  }

  /** The bound client ports, in --listen-client-urls order (the real ones for port 0). */
  List<Integer> clientPorts() {
    return api.clientPorts();
  }

  List<Integer> metricsPorts() {
    return api.metricsPorts();
  }

  /** Completes once the member has stopped of its own accord (a fatal error, or removal). */
  CompletableFuture<MemberStop> stopped() {
    return server.stopped();
  }

  /** Completes once the member knows a leader and has caught up with what it had committed. */
  CompletableFuture<Void> ready() {
    return server.ready();
  }

  /** Blocks until {@link #close()} has run. */
  void awaitClosed() throws InterruptedException {
    closed.await();
  }

  @Override
  public void close() {
    api.close();
    closeQuietly(server);
    closed.countDown();
  }

  private static void closeQuietly(EtcdServer server) {
    try {
      server.close();
    } catch (Exception e) {
      log.warn("stopping the member failed", e);
    }
  }
}
