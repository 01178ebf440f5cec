package io.ketch.launch;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import io.ketch.server.config.LogFormat;
import io.ketch.server.config.LogLevel;
import io.ketch.server.config.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KetchMainTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private KetchMain.Outcome parse(String... args) {
    return KetchMain.parse(
        List.of(args),
        Map.of(),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void refusedFlagsExitWithTwoAndSayWhy() {
    KetchMain.Outcome outcome = parse("--heartbeat-interval=500");
    assertThat(outcome.config()).isEmpty();
    assertThat(outcome.exitCode()).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("ketch: --election-timeout[1000ms] should be at least as 5 times");
  }

  @Test
  void helpAndVersionExitWithZero() {
    assertThat(parse("--help").exitCode()).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("--listen-client-urls");
    assertThat(parse("-version").exitCode()).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("etcd Version: 3.5.17");
  }

  @Test
  void nodeServesGrpcAndHttpOnAnEphemeralPort(@TempDir java.nio.file.Path dataDir)
      throws Exception {
    ServerConfig config =
        parse(
                "--data-dir=" + dataDir,
                "--listen-client-urls=http://127.0.0.1:0",
                "--advertise-client-urls=http://127.0.0.1:2379",
                "--listen-metrics-urls=http://127.0.0.1:0")
            .config()
            .orElseThrow()
            .config();
    try (KetchNode node = KetchNode.start(config)) {
      node.ready().get(10, TimeUnit.SECONDS);
      int port = node.clientPorts().get(0);
      assertThat(port).isPositive();
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpResponse<String> health =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(health.body()).isEqualTo("{\"health\":\"true\",\"reason\":\"\"}");
      HttpResponse<String> version =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + node.metricsPorts().get(0) + "/version"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(version.body()).contains("\"etcdserver\":\"3.5.17\"");

      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
      try {
        assertThat(
                HealthGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance())
                    .getStatus())
            .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  /** A context of the test's own, so that the process's logging stays as it is. */
  private static LoggerContext newLoggerContext() {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
    return context;
  }

  @Test
  void jsonLoggingWritesOneObjectPerLine() {
    LoggerContext context = newLoggerContext();
    ByteArrayOutputStream logged = new ByteArrayOutputStream();
    LoggingSetup.configure(context, LogLevel.INFO, LogFormat.JSON, logged);
    context.getLogger("io.ketch.test").info("hello {}", "world");
    context.getLogger("io.ketch.test").debug("hidden");
    context.getLogger("io.netty.test").info("noise");
    String text = logged.toString(StandardCharsets.UTF_8);
    assertThat(text.lines()).hasSize(1);
    assertThat(text).startsWith("{").contains("\"level\":\"INFO\"", "hello world");
  }

  @Test
  void textLoggingIsReadableAndHonoursTheLevel() {
    LoggerContext context = newLoggerContext();
    ByteArrayOutputStream logged = new ByteArrayOutputStream();
    LoggingSetup.configure(context, LogLevel.DEBUG, LogFormat.TEXT, logged);
    context.getLogger("io.ketch.test").debug("shown");
    context.getLogger("io.grpc.test").info("noise");
    String text = logged.toString(StandardCharsets.UTF_8);
    assertThat(text).contains("DEBUG", "io.ketch.test - shown").doesNotContain("noise");
  }
}
