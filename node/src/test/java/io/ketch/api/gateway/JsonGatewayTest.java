package io.ketch.api.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.ketch.pb.etcdserver.DeleteRangeResponse;
import io.ketch.pb.etcdserver.LeaseGrantResponse;
import io.ketch.pb.etcdserver.LeaseTimeToLiveResponse;
import io.ketch.pb.etcdserver.MemberListResponse;
import io.ketch.pb.etcdserver.PutResponse;
import io.ketch.pb.etcdserver.RangeResponse;
import io.ketch.pb.etcdserver.StatusResponse;
import io.ketch.pb.etcdserver.TxnResponse;
import io.ketch.pb.etcdserver.WatchResponse;
import io.ketch.pb.mvcc.Event;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JSON gateway over HTTP against an in-process member; the expected shapes are what etcd 3.4
 * answered to the same requests. Each test uses its own keys, the member being shared.
 */
class JsonGatewayTest {
  @TempDir static Path dir;
  private static GatewayMember member;

  @BeforeAll
  static void start() throws Exception {
    member = new GatewayMember(dir);
  }

  @AfterAll
  static void stop() throws Exception {
    member.close();
  }

  private static <T extends Message> T parse(String json, T prototype) throws Exception {
    Message.Builder builder = prototype.newBuilderForType();
    JsonFormat.parser().merge(json, builder);
    @SuppressWarnings("unchecked")
    T message = (T) builder.build();
    return message;
  }

  private static <T extends Message> T ok(HttpResponse<String> response, T prototype)
      throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    return parse(response.body(), prototype);
  }

  @Test
  void putThenRangeAnswerWithEtcdsFieldNamesAndInt64sAsStrings() throws Exception {
    var put = member.post("/v3/kv/put", "{\"key\":\"a2V5MQ==\",\"value\":\"djE=\"}");
    var range = member.post("/v3/kv/range", "{\"key\":\"a2V5MQ==\"}");

    assertThat(put.body())
        .matches(
            "\\{\"header\":\\{\"cluster_id\":\"\\d+\",\"member_id\":\"\\d+\",\"revision\":\"\\d+\","
                + "\"raft_term\":\"\\d+\"}}");
    long revision = ok(put, PutResponse.getDefaultInstance()).getHeader().getRevision();
    assertThat(range.body())
        .contains(
            "\"kvs\":[{\"key\":\"a2V5MQ==\",\"create_revision\":\"%d\",\"mod_revision\":\"%d\",\"version\":\"1\",\"value\":\"djE=\"}],\"count\":\"1\""
                .formatted(revision, revision));
    assertThat(ok(range, RangeResponse.getDefaultInstance()).getHeader().getRevision())
        .isGreaterThanOrEqualTo(revision);
  }

  @Test
  void txnTakesTheBranchItsComparisonsChoose() throws Exception {
    member.post("/v3/kv/put", "{\"key\":\"dHhu\",\"value\":\"MQ==\"}");
    String txn =
        "{\"compare\":[{\"key\":\"dHhu\",\"result\":\"EQUAL\",\"target\":\"VALUE\",\"value\":\"%s\"}],"
            + "\"success\":[{\"request_range\":{\"key\":\"dHhu\"}}],"
            + "\"failure\":[{\"request_put\":{\"key\":\"dHhu\",\"value\":\"Mg==\"}}]}";

    var matched =
        ok(member.post("/v3/kv/txn", txn.formatted("MQ==")), TxnResponse.getDefaultInstance());
    var missed = member.post("/v3/kv/txn", txn.formatted("OQ=="));

    assertThat(matched.getSucceeded()).isTrue();
    assertThat(matched.getResponses(0).getResponseRange().getKvs(0).getValue().toStringUtf8())
        .isEqualTo("1");
    assertThat(missed.body()).doesNotContain("succeeded").contains("\"response_put\":{");
    assertThat(ok(missed, TxnResponse.getDefaultInstance()).getSucceeded()).isFalse();
  }

  @Test
  void deleteRangeAnswersTheCountAndThePreviousPairs() throws Exception {
    member.post("/v3/kv/put", "{\"key\":\"ZGVs\",\"value\":\"eA==\"}");

    var deleted =
        ok(
            member.post("/v3/kv/deleterange", "{\"key\":\"ZGVs\",\"prev_kv\":true}"),
            DeleteRangeResponse.getDefaultInstance());
    var again = member.post("/v3/kv/deleterange", "{\"key\":\"ZGVs\"}");

    assertThat(deleted.getDeleted()).isEqualTo(1);
    assertThat(deleted.getPrevKvs(0).getValue().toStringUtf8()).isEqualTo("x");
    assertThat(again.body()).doesNotContain("deleted");
  }

  @Test
  void leaseGrantThenTimeToLiveListsItsKeys() throws Exception {
    var grant =
        ok(member.post("/v3/lease/grant", "{\"TTL\":30}"), LeaseGrantResponse.getDefaultInstance());
    member.post(
        "/v3/kv/put",
        "{\"key\":\"bGVhc2Vk\",\"value\":\"eA==\",\"lease\":\"%d\"}".formatted(grant.getID()));

    var ttl =
        member.post(
            "/v3/lease/timetolive", "{\"ID\":\"%d\",\"keys\":true}".formatted(grant.getID()));
    var alias = member.post("/v3/kv/lease/timetolive", "{\"ID\":%d}".formatted(grant.getID()));

    assertThat(grant.getTTL()).isEqualTo(30);
    assertThat(ttl.body()).contains("\"ID\":\"" + grant.getID() + "\"", "\"grantedTTL\":\"30\"");
    var answer = ok(ttl, LeaseTimeToLiveResponse.getDefaultInstance());
    assertThat(answer.getTTL()).isBetween(1L, 30L);
    assertThat(answer.getKeys(0).toStringUtf8()).isEqualTo("leased");
    assertThat(ok(alias, LeaseTimeToLiveResponse.getDefaultInstance()).getKeysCount()).isZero();
  }

  @Test
  void keepAliveStreamsOneResultPerRequestThenEnds() throws Exception {
    var grant =
        ok(member.post("/v3/lease/grant", "{\"TTL\":20}"), LeaseGrantResponse.getDefaultInstance());

    var response =
        member.post(
            "/v3/lease/keepalive", "{\"ID\":\"%d\"} {\"ID\":\"1\"}".formatted(grant.getID()));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body().split("\n"))
        .hasSize(2)
        .satisfies(
            lines -> assertThat(lines[0]).contains("\"TTL\":\"20\"").startsWith("{\"result\":{"))
        .satisfies(lines -> assertThat(lines[1]).contains("\"ID\":\"1\"").doesNotContain("TTL"));
  }

  @Test
  void statusAndMemberListDescribeThisMember() throws Exception {
    var status = member.post("/v3/maintenance/status", "");
    var members = member.post("/v3/cluster/member/list", "{}");

    assertThat(status.body()).contains("\"version\":", "\"dbSize\":", "\"raftIndex\":");
    StatusResponse s = ok(status, StatusResponse.getDefaultInstance());
    assertThat(s.getLeader()).isEqualTo(s.getHeader().getMemberId());
    MemberListResponse list = ok(members, MemberListResponse.getDefaultInstance());
    assertThat(list.getMembersList()).singleElement();
    assertThat(list.getMembers(0).getID()).isEqualTo(s.getLeader());
    assertThat(members.body()).contains("\"clientURLs\":[");
  }

  @Test
  void watchStreamsNewlineDelimitedResultsAsTheWatchProducesThem() throws Exception {
    var response =
        member
            .http
            .sendAsync(
                member
                    .request("/v3/watch", "{\"create_request\":{\"key\":\"d2F0Y2hlZA==\"}}")
                    .build(),
                HttpResponse.BodyHandlers.ofLines())
            .get();
    try (Stream<String> lines = response.body()) {
      Iterator<String> results = lines.iterator();

      String created = results.next();
      member.post("/v3/kv/put", "{\"key\":\"d2F0Y2hlZA==\",\"value\":\"MQ==\"}");
      String event = results.next();

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(created).startsWith("{\"result\":{\"header\":").contains("\"created\":true");
      assertThat(event).startsWith("{\"result\":").endsWith("}}");
      WatchResponse watch =
          parse(
              event.substring("{\"result\":".length(), event.length() - 1),
              WatchResponse.getDefaultInstance());
      assertThat(watch.getEventsList())
          .singleElement()
          .satisfies(e -> assertThat(e.getType()).isEqualTo(Event.EventType.PUT))
          .satisfies(e -> assertThat(e.getKv().getKey().toStringUtf8()).isEqualTo("watched"));
    }
  }

  @Test
  void failuresAnswerGrpcGatewaysErrorShapeAndStatus() throws Exception {
    var noKey = member.post("/v3/kv/range", "{}");
    var noLease = member.post("/v3/lease/revoke", "{\"ID\":\"12345\"}");
    var badJson = member.post("/v3/kv/put", "{bad");
    var compactedAhead = member.post("/v3/kv/compaction", "{\"revision\":\"1000000\"}");

    assertThat(noKey.statusCode()).isEqualTo(400);
    assertThat(noKey.body())
        .isEqualTo(
            "{\"error\":\"etcdserver: key is not provided\",\"message\":\"etcdserver: key is not provided\",\"code\":3}");
    assertThat(noLease.statusCode()).isEqualTo(404);
    assertThat(noLease.body())
        .contains("\"message\":\"etcdserver: requested lease not found\"", "\"code\":5");
    assertThat(badJson.statusCode()).isEqualTo(400);
    assertThat(badJson.body()).contains("\"code\":3");
    assertThat(compactedAhead.statusCode()).isEqualTo(400);
    assertThat(compactedAhead.body()).contains("future revision", "\"code\":11");
  }

  @Test
  void servesV3betaAndKvLeaseAliasesIgnoresUnknownFieldsAndAnswersOnlyPost() throws Exception {
    var beta = member.post("/v3beta/kv/range", "{\"key\":\"bm9uZQ==\",\"unknown_field\":[1]}");
    var leases = member.post("/v3/kv/lease/leases", "");
    var get =
        member.http.send(
            member.request("/v3/kv/range", "").GET().build(), HttpResponse.BodyHandlers.ofString());

    assertThat(ok(beta, RangeResponse.getDefaultInstance()).getCount()).isZero();
    assertThat(leases.statusCode()).isEqualTo(200);
    assertThat(get.statusCode()).isEqualTo(405);
  }
}
