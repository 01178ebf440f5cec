package io.ketch.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ketch.server.metrics.Metrics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class StatusEndpointsTest {
  private final FakeHealthSource member = new FakeHealthSource();
  private final Metrics metrics = new Metrics("3.5.17");
  private final HttpRoutes routes =
      new StatusEndpoints(member, metrics, "3.5.17", Duration.ofMillis(200))
          .register(HttpRoutes.builder())
          .build();

  private record Answer(int status, String contentType, String body) {}

  private Answer call(String method, String pathAndQuery) {
    String path =
        pathAndQuery.contains("?")
            ? pathAndQuery.substring(0, pathAndQuery.indexOf('?'))
            : pathAndQuery;
    var decoder = new io.netty.handler.codec.http.QueryStringDecoder(pathAndQuery);
    HttpResponse r =
        routes
            .dispatch(new HttpRequest(method, path, decoder.parameters(), Map.of(), new byte[0]))
            .toCompletableFuture()
            .join();
    HttpResponse.Full full = (HttpResponse.Full) r;
    return new Answer(
        full.status(), full.contentType(), new String(full.body(), StandardCharsets.UTF_8));
  }

  private Answer get(String pathAndQuery) {
    return call("GET", pathAndQuery);
  }

  @Test
  void healthyMember() {
    assertThat(get("/health"))
        .isEqualTo(
            new Answer(200, HttpResponse.TEXT_PLAIN, "{\"health\":\"true\",\"reason\":\"\"}"));
  }

  @Test
  void noLeaderIsUnhealthyUnlessSerializable() {
    member.hasLeader = false;
    assertThat(get("/health"))
        .isEqualTo(
            new Answer(
                503,
                HttpResponse.TEXT_PLAIN,
                "{\"health\":\"false\",\"reason\":\"RAFT NO LEADER\"}\n"));
    assertThat(get("/health?serializable=true").status()).isEqualTo(200);
  }

  @Test
  void alarmsAreReportedUnlessExcluded() {
    member.alarms.add("NOSPACE");
    assertThat(get("/health").body())
        .isEqualTo("{\"health\":\"false\",\"reason\":\"ALARM NOSPACE\"}\n");
    assertThat(get("/health?exclude=NOSPACE").status()).isEqualTo(200);
    member.alarms.add("CORRUPT");
    assertThat(get("/health?exclude=NOSPACE").body()).contains("ALARM CORRUPT");
  }

  @Test
  void failedOrSlowReadsAreRangeErrors() {
    member.linearizable =
        CompletableFuture.failedFuture(new IllegalStateException("etcdserver: no leader"));
    assertThat(get("/health"))
        .isEqualTo(
            new Answer(
                503,
                HttpResponse.TEXT_PLAIN,
                "{\"health\":\"false\",\"reason\":\"RANGE ERROR:etcdserver: no leader\"}\n"));
    assertThat(get("/health?serializable=true").status()).isEqualTo(200);
    member.linearizable = new CompletableFuture<>();
    assertThat(get("/health").body()).contains("RANGE ERROR:etcdserver: request timed out");
  }

  @Test
  void healthAnswersAreCounted() {
    get("/health");
    member.hasLeader = false;
    get("/health");
    assertThat(new String(metrics.scrapeText(), StandardCharsets.UTF_8))
        .contains("etcd_server_health_success_total 1.0", "etcd_server_health_failures_total 1.0");
  }

  @Test
  void livezAndReadyzAnswerOk() {
    assertThat(get("/livez")).isEqualTo(new Answer(200, HttpResponse.TEXT_PLAIN, "ok\n"));
    assertThat(get("/readyz")).isEqualTo(new Answer(200, HttpResponse.TEXT_PLAIN, "ok\n"));
    assertThat(get("/readyz?verbose").body())
        .isEqualTo(
            "[+]data_corruption ok\n[+]serializable_read ok\n[+]linearizable_read ok\n[+]non_learner ok\nok\n");
    assertThat(get("/livez?verbose").body()).isEqualTo("[+]serializable_read ok\nok\n");
  }

  @Test
  void readyzListsFailuresAndHonoursExclude() {
    member.linearizable =
        CompletableFuture.failedFuture(new IllegalStateException("etcdserver: no leader"));
    Answer a = get("/readyz");
    assertThat(a.status()).isEqualTo(503);
    assertThat(a.body())
        .contains("[-]linearizable_read failed: etcdserver: no leader\n")
        .contains("[+]serializable_read ok\n");
    assertThat(get("/readyz?exclude=linearizable_read").status()).isEqualTo(200);
    assertThat(get("/readyz/linearizable_read").status()).isEqualTo(503);
    assertThat(get("/readyz/serializable_read").body()).isEqualTo("ok\n");
    assertThat(get("/livez").status()).isEqualTo(200);
    member.alarms.add("CORRUPT");
    assertThat(get("/readyz/data_corruption").body())
        .contains("[-]data_corruption failed: alarm activated: CORRUPT");
    member.learner = true;
    assertThat(get("/readyz/non_learner").status()).isEqualTo(503);
  }

  @Test
  void versionAndMetrics() {
    assertThat(get("/version"))
        .isEqualTo(
            new Answer(
                200,
                HttpResponse.APPLICATION_JSON,
                "{\"etcdserver\":\"3.5.17\",\"etcdcluster\":\"3.5.0\"}"));
    Answer m = get("/metrics");
    assertThat(m.contentType()).startsWith("text/plain; version=0.0.4");
    assertThat(m.body()).contains("etcd_server_version{server_version=\"3.5.17\"} 1.0");
  }

  @Test
  void unknownPathsAndMethodsGetGosAnswers() {
    assertThat(get("/nope"))
        .isEqualTo(new Answer(404, HttpResponse.TEXT_PLAIN, "404 page not found\n"));
    assertThat(call("POST", "/health"))
        .isEqualTo(new Answer(405, HttpResponse.TEXT_PLAIN, "Method Not Allowed\n"));
    assertThat(call("HEAD", "/version").status()).isEqualTo(200);
    assertThat(List.of(get("/livez/serializable_read").status())).containsExactly(200);
  }
}
