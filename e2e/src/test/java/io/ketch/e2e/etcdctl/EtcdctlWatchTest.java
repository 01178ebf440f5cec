package io.ketch.e2e.etcdctl;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.ketch.e2e.harness.EachTarget;
import io.ketch.e2e.harness.Etcdctl;
import io.ketch.e2e.harness.Member;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * `etcdctl watch` as a long-running process: history replayed from --rev, then live events, in
 * revision order. Each watch starts from an explicit revision so no event depends on when the watch
 * got established.
 */
class EtcdctlWatchTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  @EachTarget
  void prefixWatchFromRevisionWithPrevKvReplaysHistoryThenLiveEvents(Member member) {
    Etcdctl etcdctl = new Etcdctl(member);
    etcdctl.run("put", "w/a", "1").assertOk(); // revision 2
    etcdctl.run("put", "other", "x").assertOk(); // 3: outside the prefix
    etcdctl.run("put", "w/a", "2").assertOk(); // 4

    try (Etcdctl.Watch watch = etcdctl.watch("w/", "--prefix", "--rev=2", "--prev-kv")) {
      etcdctl.run("del", "w/a").assertOk(); // 5
      etcdctl.run("put", "w/b", "3").assertOk(); // 6
      etcdctl.run("put", "w", "not in the prefix").assertOk(); // 7
      // simple format: event type, [prev key, prev value,] key, value; a delete's kv has an empty
      // value
      assertThat(watch.awaitLines(16, TIMEOUT))
          .containsExactly(
              "PUT", "w/a", "1", "PUT", "w/a", "1", "w/a", "2", "DELETE", "w/a", "2", "w/a", "",
              "PUT", "w/b", "3");
    }
  }

  @EachTarget
  void jsonEventsCarryRevisionsVersionsAndPrevKv(Member member) {
    Etcdctl etcdctl = new Etcdctl(member);
    etcdctl.run("put", "j/a", "1").assertOk(); // 2
    etcdctl.run("put", "j/a", "2").assertOk(); // 3
    etcdctl.run("del", "j/a").assertOk(); // 4

    try (Etcdctl.Watch watch =
        etcdctl.watch("j/", "--prefix", "--rev=1", "--prev-kv", "-w", "json")) {
      etcdctl.run("put", "j/b", "3").assertOk(); // 5
      List<String> events = new ArrayList<>();
      // history may come in one response or several: collect events until the last expected one
      for (int lines = 1; events.size() < 4; lines++) {
        events.clear();
        for (String line : watch.awaitLines(lines, TIMEOUT)) {
          JsonObject response = JsonParser.parseString(line).getAsJsonObject();
          assertThat(response.get("Canceled").getAsBoolean()).isFalse();
          assertThat(response.get("CompactRevision").getAsLong()).isZero();
          response.getAsJsonArray("Events").forEach(e -> events.add(describe(e)));
        }
      }
      assertThat(events)
          .containsExactly(
              "PUT j/a=1 create=2 mod=2 version=1 prev=none",
              "PUT j/a=2 create=2 mod=3 version=2 prev=j/a=1@2",
              "DELETE j/a= create=0 mod=4 version=0 prev=j/a=2@3",
              "PUT j/b=3 create=5 mod=5 version=1 prev=none");
    }
  }

  @EachTarget
  void revisionInTheFutureWaitsForIt(Member member) {
    Etcdctl etcdctl = new Etcdctl(member);
    try (Etcdctl.Watch watch = etcdctl.watch("f", "--rev=3")) {
      etcdctl.run("put", "f", "at-2").assertOk(); // 2: before the start revision
      etcdctl.run("put", "f", "at-3").assertOk(); // 3
      assertThat(watch.awaitLines(3, TIMEOUT)).containsExactly("PUT", "f", "at-3");
    }
  }

  /**
   * One event as "TYPE key=value create= mod= version= prev=key=value@mod|none" (type PUT when
   * absent: 0).
   */
  private static String describe(JsonElement element) {
    JsonObject event = element.getAsJsonObject();
    String type = event.has("type") && event.get("type").getAsInt() == 1 ? "DELETE" : "PUT";
    JsonObject kv = event.getAsJsonObject("kv");
    String prev = "none";
    if (event.has("prev_kv")) {
      JsonObject p = event.getAsJsonObject("prev_kv");
      prev = text(p, "key") + "=" + text(p, "value") + "@" + number(p, "mod_revision");
    }
    return "%s %s=%s create=%d mod=%d version=%d prev=%s"
        .formatted(
            type,
            text(kv, "key"),
            text(kv, "value"),
            number(kv, "create_revision"),
            number(kv, "mod_revision"),
            number(kv, "version"),
            prev);
  }

  private static String text(JsonObject o, String field) {
    return o.has(field) ? new String(Base64.getDecoder().decode(o.get(field).getAsString())) : "";
  }

  private static long number(JsonObject o, String field) {
    return o.has(field) ? o.get(field).getAsLong() : 0;
  }
}
