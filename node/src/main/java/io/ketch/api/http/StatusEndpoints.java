package io.ketch.api.http;

import io.ketch.server.metrics.Metrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * etcd's status endpoints (server/etcdserver/api/etcdhttp): /health, /livez, /readyz and their
 * per-check sub-paths, /version and /metrics, with etcd's bodies and status codes.
 */
public final class StatusEndpoints {
  private static final Set<String> KNOWN_ALARMS = Set.of("NOSPACE", "CORRUPT");

  private final HealthSource source;
  private final Metrics metrics;
  private final String serverVersion;
  private final Duration readTimeout;

  /**
   * @param serverVersion the version this member reports, e.g. "3.5.17"
   * @param readTimeout how long a health read may take: etcd uses its request timeout (7 s)
   */
  public StatusEndpoints(
      HealthSource source, Metrics metrics, String serverVersion, Duration readTimeout) {
    this.source = source;
    this.metrics = metrics;
    this.serverVersion = serverVersion;
    this.readTimeout = readTimeout;
  }

  /** Adds every endpoint to {@code routes}. */
  public HttpRoutes.Builder register(HttpRoutes.Builder routes) {
    routes.get("/health", this::health);
    registerChecks(routes, "/livez", livezChecks());
    registerChecks(routes, "/readyz", readyzChecks());
    routes.get("/version", request -> done(HttpResponse.json(200, versionJson())));
    routes.get(
        "/metrics",
        request -> done(HttpResponse.of(200, Metrics.TEXT_CONTENT_TYPE, metrics.scrapeText())));
    return routes;
  }

  // --- /health ---

  private CompletionStage<HttpResponse> health(HttpRequest request) {
    List<String> excluded = request.queryParams("exclude");
    boolean serializable = request.queryParam("serializable").orElse("").equals("true");
    for (String alarm : source.activeAlarms()) {
      if (!excluded.contains(alarm)) {
        return done(
            healthAnswer(false, "ALARM " + (KNOWN_ALARMS.contains(alarm) ? alarm : "UNKNOWN")));
      }
    }
    if (!serializable && !source.hasLeader()) {
      return done(healthAnswer(false, "RAFT NO LEADER"));
    }
    return withTimeout(serializable ? source.serializableRead() : source.linearizableRead())
        .handle(
            (ok, error) ->
                error == null
                    ? healthAnswer(true, "")
                    : healthAnswer(false, "RANGE ERROR:" + message(error)));
  }

  private HttpResponse healthAnswer(boolean healthy, String reason) {
    metrics.healthChecked(healthy);
    String json = "{\"health\":\"" + healthy + "\",\"reason\":\"" + escape(reason) + "\"}";
    // etcd writes failures with http.Error, which appends a newline.
    return healthy ? HttpResponse.text(200, json) : HttpResponse.text(503, json + "\n");
  }

  // --- /livez, /readyz ---

  private interface Check {
    CompletionStage<Void> run();
  }

  private Map<String, Check> livezChecks() {
    Map<String, Check> checks = new LinkedHashMap<>();
    checks.put("serializable_read", () -> withTimeout(source.serializableRead()));
    return checks;
  }

  private Map<String, Check> readyzChecks() {
    Map<String, Check> checks = new LinkedHashMap<>();
    checks.put(
        "data_corruption",
        () ->
            source.activeAlarms().contains("CORRUPT")
                ? CompletableFuture.failedFuture(
                    new IllegalStateException("alarm activated: CORRUPT"))
                : CompletableFuture.completedFuture(null));
    checks.put("serializable_read", () -> withTimeout(source.serializableRead()));
    checks.put("linearizable_read", () -> withTimeout(source.linearizableRead()));
    checks.put(
        "non_learner",
        () ->
            source.isLearner()
                ? CompletableFuture.failedFuture(
                    new IllegalStateException("etcdserver: rpc not supported for learner"))
                : CompletableFuture.completedFuture(null));
    return checks;
  }

  private void registerChecks(HttpRoutes.Builder routes, String root, Map<String, Check> checks) {
    routes.get(
        root,
        request -> {
          Map<String, Check> selected = new LinkedHashMap<>(checks);
          request.queryParams("exclude").forEach(selected::remove);
          return runChecks(selected, request.hasQueryParam("verbose"));
        });
    checks.forEach(
        (name, check) ->
            routes.get(
                root + "/" + name,
                request -> runChecks(Map.of(name, check), request.hasQueryParam("verbose"))));
  }

  /** "[+]name ok" / "[-]name failed: why" lines; failures always show them, success on ?verbose. */
  private CompletionStage<HttpResponse> runChecks(Map<String, Check> checks, boolean verbose) {
    List<String> names = new ArrayList<>(checks.keySet());
    List<CompletableFuture<String>> results = new ArrayList<>();
    for (String name : names) {
      results.add(
          startCheck(checks.get(name))
              .toCompletableFuture()
              .handle((ok, e) -> e == null ? null : message(e)));
    }
    return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
        .thenApply(
            ignored -> {
              StringBuilder lines = new StringBuilder();
              boolean failed = false;
              for (int i = 0; i < names.size(); i++) {
                String error = results.get(i).join();
                failed |= error != null;
                lines
                    .append(error == null ? "[+]" : "[-]")
                    .append(names.get(i))
                    .append(error == null ? " ok" : " failed: " + error)
                    .append('\n');
              }
              if (failed) {
                return HttpResponse.text(503, lines + "\n");
              }
              return HttpResponse.text(200, (verbose ? lines.toString() : "") + "ok\n");
            });
  }

  private static CompletionStage<Void> startCheck(Check check) {
    try {
      return check.run();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  // --- /version ---

  private String versionJson() {
    return "{\"etcdserver\":\""
        + escape(serverVersion)
        + "\",\"etcdcluster\":\""
        + escape(source.clusterVersion())
        + "\"}";
  }

  // --- helpers ---

  private CompletableFuture<Void> withTimeout(CompletionStage<Void> read) {
    return read.toCompletableFuture().copy().orTimeout(readTimeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  private static String message(Throwable error) {
    Throwable cause = error;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof TimeoutException) {
      return "etcdserver: request timed out";
    }
    return String.valueOf(cause.getMessage());
  }

  private static String escape(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }

  private static CompletionStage<HttpResponse> done(HttpResponse response) {
    return CompletableFuture.completedFuture(response);
  }
}
