package io.ketch.operator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.ketch.operator.members.GrpcMembers;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's process: the operator, and one HTTP port with /healthz (liveness), /readyz
 * (informers watching) and /metrics (Prometheus). SIGTERM stops reconciling, releases the Lease,
 * closes the clients and exits.
 */
public final class OperatorMain {
  private static final Logger LOG = LoggerFactory.getLogger(OperatorMain.class);

  private OperatorMain() {}

  public static void main(String[] args) throws Exception {
    OperatorSettings settings = OperatorSettings.fromEnvironment(System.getenv());
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);

    KubernetesClient client = new KubernetesClientBuilder().build();
    GrpcMembers members = new GrpcMembers(settings.memberTimeout(), UnaryOperator.identity());
    KetchOperator operator = new KetchOperator(client, members, settings, registry);
    HttpServer http = HttpServer.create(new InetSocketAddress(settings.httpPort()), 16);
    http.createContext("/healthz", exchange -> probe(exchange, () -> true));
    http.createContext("/readyz", exchange -> probe(exchange, operator::ready));
    http.createContext(
        "/metrics",
        exchange -> respond(exchange, 200, "text/plain; version=0.0.4", registry.scrape()));
    http.start();

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  LOG.info("stopping");
                  operator.close();
                  members.close();
                  client.close();
                  http.stop(1);
                  stopped.countDown();
                },
                "shutdown"));
    try {
      operator.start();
    } catch (RuntimeException e) {
      // The HTTP server's thread would keep a failed process alive: exit, and let the Deployment
      // restart it.
      LOG.error("could not start the operator", e);
      System.exit(1);
    }
    LOG.info(
        "ketch operator started: namespaces {}, member image {}:{}, http port {}, leader election {}",
        settings.watchedNamespaces().isEmpty() ? "all" : settings.watchedNamespaces(),
        settings.memberImage().repository(),
        settings.memberImage().defaultVersion(),
        settings.httpPort(),
        settings.leaderElection());
    stopped.await();
  }

  private static void probe(HttpExchange exchange, BooleanSupplier check) throws IOException {
    boolean ok = check.getAsBoolean();
    respond(exchange, ok ? 200 : 503, "text/plain", ok ? "ok\n" : "not ready\n");
  }

  private static void respond(HttpExchange exchange, int code, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
