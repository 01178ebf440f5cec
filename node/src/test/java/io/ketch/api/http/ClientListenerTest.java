package io.ketch.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.ketch.server.metrics.Metrics;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * gRPC and HTTP/1.1 on the one port, over real sockets. Also the guard for the grpc-netty internals
 * the sniffer uses: a gRPC upgrade that breaks them fails here.
 */
class ClientListenerTest {
  private static final Duration FIRST_BYTES_TIMEOUT = Duration.ofMillis(300);

  private final FakeHealthSource member = new FakeHealthSource();
  private final Metrics metrics = new Metrics("3.5.17");
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private ClientListener listener;
  private ManagedChannel channel;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeEach
  void start() throws IOException {
    listener = startListener(Duration.ofSeconds(30));
    channel = NettyChannelBuilder.forAddress("127.0.0.1", listener.port()).usePlaintext().build();
  }

  private ClientListener startListener(Duration firstBytesTimeout) throws IOException {
    HttpRoutes routes =
        new StatusEndpoints(member, metrics, "3.5.17", Duration.ofSeconds(2))
            .register(HttpRoutes.builder())
            .post(
                "/echo",
                request ->
                    CompletableFuture.completedFuture(
                        HttpResponse.of(200, "application/octet-stream", request.body())))
            .get(
                "/stream",
                request ->
                    CompletableFuture.completedFuture(
                        HttpResponse.streaming(
                            200,
                            HttpResponse.APPLICATION_JSON,
                            sink -> {
                              sink.write("{\"n\":1}\n".getBytes(StandardCharsets.UTF_8));
                              // The rest comes later, from another thread, as watch events do.
                              timer.schedule(
                                  () -> {
                                    sink.write("{\"n\":2}\n".getBytes(StandardCharsets.UTF_8));
                                    sink.close();
                                  },
                                  20,
                                  TimeUnit.MILLISECONDS);
                            })))
            .build();
    return ClientListener.start(
        new InetSocketAddress("127.0.0.1", 0),
        List.of(new HealthStatusManager().getHealthService().bindService()),
        List.of(metrics.grpcInterceptor()),
        routes,
        ClientListenerOptions.forMaxRequestBytes(1_572_864)
            .withFirstBytesTimeout(firstBytesTimeout));
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    listener.close();
    timer.shutdownNow();
  }

  private java.net.http.HttpResponse<String> get(String path) throws Exception {
    return http.send(
        java.net.http.HttpRequest.newBuilder(uri(path)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + listener.port() + path);
  }

  @Test
  void grpcAndHttpShareThePort() throws Exception {
    HealthCheckResponse grpc =
        HealthGrpc.newBlockingStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance());
    assertThat(grpc.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);

    var health = get("/health");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).isEqualTo("{\"health\":\"true\",\"reason\":\"\"}");

    member.hasLeader = false;
    var sick = get("/health");
    assertThat(sick.statusCode()).isEqualTo(503);
    assertThat(sick.body()).isEqualTo("{\"health\":\"false\",\"reason\":\"RAFT NO LEADER\"}\n");

    assertThat(get("/metrics").body())
        .contains(
            "grpc_server_handled_total{grpc_code=\"OK\",grpc_method=\"Check\",grpc_service=\"grpc.health.v1.Health\",grpc_type=\"unary\"} 1.0");
  }

  @Test
  void requestBodiesArrive() throws Exception {
    byte[] body = new byte[100_000];
    new java.util.Random(7).nextBytes(body);
    var echoed =
        http.send(
            java.net.http.HttpRequest.newBuilder(uri("/echo"))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofByteArray());
    assertThat(echoed.statusCode()).isEqualTo(200);
    assertThat(echoed.body()).isEqualTo(body);
  }

  @Test
  void streamingResponsesAreChunkedLines() throws Exception {
    var streamed = get("/stream");
    assertThat(streamed.statusCode()).isEqualTo(200);
    assertThat(streamed.headers().firstValue("transfer-encoding")).hasValue("chunked");
    assertThat(streamed.body()).isEqualTo("{\"n\":1}\n{\"n\":2}\n");
  }

  @Test
  void idleKeepAliveConnectionOutlivesTheFirstBytesTimeout() throws Exception {
    try (ClientListener quick = startListener(FIRST_BYTES_TIMEOUT);
        Socket socket = new Socket("127.0.0.1", quick.port())) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      String request = "GET /livez HTTP/1.1\r\nHost: test\r\n\r\n";
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertThat(readResponseBody(in)).isEqualTo("ok\n");
      // Elapsed time is the subject here: idle for longer than the timeout that guards silent
      // new connections, which must not apply once a connection has spoken HTTP/1.1.
      Thread.sleep(FIRST_BYTES_TIMEOUT.multipliedBy(3).toMillis());
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertThat(readResponseBody(in)).isEqualTo("ok\n");
    }
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws Exception {
    CompletableFuture<Void> slowRead = new CompletableFuture<>();
    member.linearizable = slowRead;
    try (Socket socket = new Socket("127.0.0.1", listener.port())) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      out.write(
          ("GET /health HTTP/1.1\r\nHost: t\r\n\r\nGET /version HTTP/1.1\r\nHost: t\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      timer.schedule(() -> slowRead.complete(null), 50, TimeUnit.MILLISECONDS);
      assertThat(readResponseBody(in)).isEqualTo("{\"health\":\"true\",\"reason\":\"\"}");
      assertThat(readResponseBody(in)).contains("etcdserver");
    }
  }

  @Test
  void silentConnectionsAreClosed() throws Exception {
    try (ClientListener quick = startListener(FIRST_BYTES_TIMEOUT);
        Socket socket = new Socket("127.0.0.1", quick.port())) {
      socket.setSoTimeout(10_000);
      assertThat(socket.getInputStream().read()).isEqualTo(-1);
    }
  }

  @Test
  void metricsListenerServesTheSameEndpoints() throws Exception {
    HttpRoutes routes =
        new StatusEndpoints(member, metrics, "3.5.17", Duration.ofSeconds(2))
            .register(HttpRoutes.builder())
            .build();
    try (HttpListener metricsListener =
        HttpListener.start(new InetSocketAddress("127.0.0.1", 0), routes, Duration.ofMinutes(1))) {
      var response =
          http.send(
              java.net.http.HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + metricsListener.port() + "/metrics"))
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).contains("etcd_server_has_leader");
    }
  }

  /** Reads one Content-Length response and returns its body. */
  private static String readResponseBody(BufferedReader in) throws IOException {
    String status = in.readLine();
    assertThat(status).startsWith("HTTP/1.1 200");
    int length = -1;
    for (String line = in.readLine(); !line.isEmpty(); line = in.readLine()) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    char[] body = new char[length];
    int read = 0;
    while (read < length) {
      read += in.read(body, read, length - read);
    }
    return new String(body);
  }
}
