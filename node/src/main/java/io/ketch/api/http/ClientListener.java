package io.ketch.api.http;

import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The client port: gRPC (h2c) and HTTP/1.1 on one TCP port, as etcd serves 2379. gRPC handlers run
 * on the network threads (directExecutor), so services must never block.
 */
public final class ClientListener implements AutoCloseable {
  private final Server server;
  private final ClientListenerOptions options;

  private ClientListener(Server server, ClientListenerOptions options) {
    this.server = server;
    this.options = options;
  }

  /**
   * Binds and starts serving.
   *
   * @param address where to listen; port 0 picks a free port (see {@link #port()})
   * @param services the gRPC services
   * @param interceptors applied to every call, the first in the list outermost
   * @param routes the HTTP/1.1 endpoints
   */
  public static ClientListener start(
      InetSocketAddress address,
      List<ServerServiceDefinition> services,
      List<ServerInterceptor> interceptors,
      HttpRoutes routes,
      ClientListenerOptions options)
      throws IOException {
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(
                address,
                SniffingNegotiator.credentials(
                    ctx ->
                        Http1Handler.install(
                            ctx.pipeline(),
                            ctx.name(),
                            routes,
                            options.maxHttpBodyBytes(),
                            options.httpIdleTimeout()),
                    options.firstBytesTimeout()))
            .directExecutor()
            .permitKeepAliveTime(options.permitKeepAliveTime().toNanos(), TimeUnit.NANOSECONDS)
            .permitKeepAliveWithoutCalls(true)
            .maxInboundMessageSize(options.maxInboundMessageSize())
            // Off: it would close idle HTTP/1.1 connections; the sniffer times out silent ones.
            .handshakeTimeout(Long.MAX_VALUE, TimeUnit.MILLISECONDS);
    services.forEach(builder::addService);
    // grpc-java runs the last added interceptor first.
    for (int i = interceptors.size() - 1; i >= 0; i--) {
      builder.intercept(interceptors.get(i));
    }
    return new ClientListener(builder.build().start(), options);
  }

  /** The bound port (the real one when started on port 0). */
  public int port() {
    return server.getPort();
  }

  /** Stops accepting, lets calls in flight finish for the grace period, then cuts the rest. */
  @Override
  public void close() throws InterruptedException {
    server.shutdown();
    if (!server.awaitTermination(options.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)) {
      server.shutdownNow();
      server.awaitTermination(options.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS);
    }
  }
}
