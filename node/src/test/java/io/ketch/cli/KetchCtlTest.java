package io.ketch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.ketch.pb.etcdserver.CompactionRequest;
import io.ketch.pb.etcdserver.DeleteRangeRequest;
import io.ketch.pb.etcdserver.DeleteRangeResponse;
import io.ketch.pb.etcdserver.LeaseGrantRequest;
import io.ketch.pb.etcdserver.LeaseKeepAliveRequest;
import io.ketch.pb.etcdserver.LeaseRevokeRequest;
import io.ketch.pb.etcdserver.LeaseTimeToLiveRequest;
import io.ketch.pb.etcdserver.LeaseTimeToLiveResponse;
import io.ketch.pb.etcdserver.Member;
import io.ketch.pb.etcdserver.MemberListResponse;
import io.ketch.pb.etcdserver.PutRequest;
import io.ketch.pb.etcdserver.RangeRequest;
import io.ketch.pb.etcdserver.RangeResponse;
import io.ketch.pb.etcdserver.StatusResponse;
import io.ketch.pb.etcdserver.WatchCreateRequest;
import io.ketch.pb.etcdserver.WatchResponse;
import io.ketch.pb.mvcc.Event;
import io.ketch.pb.mvcc.KeyValue;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ketchctl's commands against an in-process fake member: the requests flags build, the outputs
 * printed.
 */
class KetchCtlTest {
  record Result(int code, String out, String err) {}

  FakeEtcd etcd;
  final List<List<String>> dialed = new ArrayList<>();

  @BeforeEach
  void start() throws IOException {
    etcd = new FakeEtcd();
  }

  @AfterEach
  void stop() {
    etcd.close();
  }

  Result run(String... args) {
    return runWith(Map.of(), "", args);
  }

  Result runWith(Map<String, String> env, String stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (Session session =
        new Session(
            new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            env,
            endpoints -> {
              dialed.add(endpoints);
              return etcd.channel();
            },
            false)) {
      code = KetchCtl.run(args, session);
    }
    return new Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static KeyValue kv(String key, String value, long create, long mod, long version) {
    return KeyValue.newBuilder()
        .setKey(ByteString.copyFromUtf8(key))
        .setValue(ByteString.copyFromUtf8(value))
        .setCreateRevision(create)
        .setModRevision(mod)
        .setVersion(version)
        .build();
  }

  static ByteString bytes(String s) {
    return ByteString.copyFromUtf8(s);
  }

  // ---- put ----

  @Test
  void putSendsKeyValueAndFlagsAndPrintsOk() {
    Result r = run("put", "foo", "bar", "--lease=694d77aa9e38260f", "--prev-kv");

    assertThat(r.code()).isZero();
    assertThat(r.out()).isEqualTo("OK\nfoo\nold\n");
    PutRequest put = etcd.last(PutRequest.class);
    assertThat(put.getKey()).isEqualTo(bytes("foo"));
    assertThat(put.getValue()).isEqualTo(bytes("bar"));
    assertThat(put.getLease()).isEqualTo(0x694d77aa9e38260fL);
    assertThat(put.getPrevKv()).isTrue();
  }

  @Test
  void putReadsTheValueFromStdinWhenOmitted() {
    Result r = runWith(Map.of(), "from stdin\n", "put", "k");

    assertThat(r.code()).isZero();
    assertThat(etcd.last(PutRequest.class).getValue()).isEqualTo(bytes("from stdin\n"));
  }

  @Test
  void putIgnoreFlagsSendNoValue() {
    Result r = run("put", "k", "--ignore-value", "--ignore-lease");

    assertThat(r.code()).isZero();
    PutRequest put = etcd.last(PutRequest.class);
    assertThat(put.getIgnoreValue()).isTrue();
    assertThat(put.getIgnoreLease()).isTrue();
    assertThat(put.getValue()).isEmpty();
  }

  @Test
  void putRefusesAValueWithIgnoreValue() {
    Result r = run("put", "k", "v", "--ignore-value");

    assertThat(r.code()).isEqualTo(128);
    assertThat(r.err())
        .isEqualTo("Error: put command needs only 1 argument when 'ignore-value' is set\n");
    assertThat(etcd.requests).isEmpty();
  }

  @Test
  void putJsonPrintsTheResponseAsEtcdctl() {
    Result r = run("put", "foo2", "baz", "-w", "json", "--prev-kv");

    assertThat(r.out())
        .isEqualTo(
            "{\"header\":{\"cluster_id\":14928724800226088327,\"member_id\":3319814642761637952,"
                + "\"revision\":14,\"raft_term\":2},\"prev_kv\":{\"key\":\"Zm9vMg==\",\"create_revision\":3,"
                + "\"mod_revision\":5,\"version\":2,\"value\":\"b2xk\"}}\n");
  }

  // ---- get ----

  @Test
  void getPrefixSetsRangeEndToPrefixPlusOne() {
    run("get", "foo", "--prefix");

    RangeRequest range = etcd.last(RangeRequest.class);
    assertThat(range.getKey()).isEqualTo(bytes("foo"));
    assertThat(range.getRangeEnd()).isEqualTo(bytes("fop"));
  }

  @Test
  void prefixEndCarriesPastTrailingFfBytes() {
    assertThat(KeyRange.prefixEnd(ByteString.copyFrom(new byte[] {'a', (byte) 0xff})))
        .isEqualTo(bytes("b"));
    assertThat(KeyRange.prefixEnd(ByteString.copyFrom(new byte[] {(byte) 0xff, (byte) 0xff})))
        .isEqualTo(ByteString.copyFrom(new byte[] {0}));
  }

  @Test
  void getWithEmptyPrefixAsksForEveryKey() {
    run("get", "", "--prefix");

    RangeRequest range = etcd.last(RangeRequest.class);
    assertThat(range.getKey()).isEqualTo(ByteString.copyFrom(new byte[] {0}));
    assertThat(range.getRangeEnd()).isEqualTo(ByteString.copyFrom(new byte[] {0}));
  }

  @Test
  void getFromKeySetsRangeEndToNul() {
    run("get", "b", "--from-key");

    RangeRequest range = etcd.last(RangeRequest.class);
    assertThat(range.getKey()).isEqualTo(bytes("b"));
    assertThat(range.getRangeEnd()).isEqualTo(ByteString.copyFrom(new byte[] {0}));
  }

  @Test
  void getPassesRangeEndLimitRevisionSortAndConsistency() {
    Result r =
        run(
            "get",
            "a",
            "z",
            "--limit",
            "5",
            "--rev=7",
            "--sort-by=MODIFY",
            "--order=DESCEND",
            "--consistency=s",
            "--keys-only");

    assertThat(r.code()).isZero();
    RangeRequest range = etcd.last(RangeRequest.class);
    assertThat(range.getRangeEnd()).isEqualTo(bytes("z"));
    assertThat(range.getLimit()).isEqualTo(5);
    assertThat(range.getRevision()).isEqualTo(7);
    assertThat(range.getSortTarget()).isEqualTo(RangeRequest.SortTarget.MOD);
    assertThat(range.getSortOrder()).isEqualTo(RangeRequest.SortOrder.DESCEND);
    assertThat(range.getSerializable()).isTrue();
    assertThat(range.getKeysOnly()).isTrue();
  }

  @Test
  void getSortsAsClientv3Does() {
    run("get", "a", "--order=ASCEND"); // KEY ascending is the natural order: sent as NONE
    assertThat(etcd.last(RangeRequest.class).getSortOrder()).isEqualTo(RangeRequest.SortOrder.NONE);

    run("get", "a", "--sort-by=version");
    RangeRequest range = etcd.last(RangeRequest.class);
    assertThat(range.getSortTarget()).isEqualTo(RangeRequest.SortTarget.VERSION);
    assertThat(range.getSortOrder()).isEqualTo(RangeRequest.SortOrder.NONE);
    assertThat(range.getSerializable()).isFalse();
  }

  @Test
  void getRefusesBadSortTargetAndConflictingFlags() {
    assertThat(run("get", "a", "--sort-by=SIZE").err()).isEqualTo("Error: bad sort target SIZE\n");
    Result both = run("get", "a", "--prefix", "--from-key");
    assertThat(both.code()).isEqualTo(128);
    assertThat(both.err()).contains("`--prefix` and `--from-key` cannot be set at the same time");
    assertThat(etcd.requests).isEmpty();
  }

  @Test
  void getPrintsKeyAndValueLines() {
    etcd.rangeResponse =
        RangeResponse.newBuilder()
            .setHeader(FakeEtcd.HEADER)
            .addKvs(kv("foo", "bar", 2, 12, 2))
            .addKvs(kv("foo2", "baz", 13, 14, 2))
            .setCount(2)
            .build();

    assertThat(run("get", "foo", "--prefix").out()).isEqualTo("foo\nbar\nfoo2\nbaz\n");
    assertThat(run("get", "foo", "--prefix", "--print-value-only").out()).isEqualTo("bar\nbaz\n");
    assertThat(run("get", "foo", "--hex").out())
        .isEqualTo("\\x66\\x6f\\x6f\n\\x62\\x61\\x72\n\\x66\\x6f\\x6f\\x32\n\\x62\\x61\\x7a\n");
    assertThat(run("get", "foo", "--prefix", "--count-only").out()).isEqualTo("2\n");
  }

  @Test
  void getJsonMatchesEtcdctl() {
    etcd.rangeResponse =
        RangeResponse.newBuilder()
            .setHeader(FakeEtcd.HEADER)
            .addKvs(kv("foo", "bar", 2, 12, 2))
            .setCount(1)
            .build();

    Result r = run("-w", "json", "get", "foo");

    // etcdctl 3.4's bytes for the same response (zero fields such as lease and more left out).
    assertThat(r.out())
        .isEqualTo(
            "{\"header\":{\"cluster_id\":14928724800226088327,\"member_id\":3319814642761637952,"
                + "\"revision\":14,\"raft_term\":2},\"kvs\":[{\"key\":\"Zm9v\",\"create_revision\":2,"
                + "\"mod_revision\":12,\"version\":2,\"value\":\"YmFy\"}],\"count\":1}\n");
  }

  @Test
  void getTableIsRefusedAsByEtcdctl() {
    Result r = run("get", "foo", "-w", "table");

    assertThat(r.code()).isEqualTo(CliException.BAD_FEATURE);
    assertThat(r.err()).isEqualTo("Error: table not supported as output format\n");
  }

  @Test
  void grpcErrorsPrintTheirDescription() {
    etcd.failure = Status.INVALID_ARGUMENT.withDescription("etcdserver: key is not provided");

    Result r = run("get", "");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).isEqualTo("Error: etcdserver: key is not provided\n");
  }

  // ---- del, compaction ----

  @Test
  void delPrintsCountThenPreviousPairs() {
    etcd.deleteResponse =
        DeleteRangeResponse.newBuilder()
            .setHeader(FakeEtcd.HEADER)
            .setDeleted(2)
            .addPrevKvs(kv("a1", "x", 2, 2, 1))
            .addPrevKvs(kv("a2", "y", 3, 3, 1))
            .build();

    Result r = run("del", "a", "--prefix", "--prev-kv");

    assertThat(r.out()).isEqualTo("2\na1\nx\na2\ny\n");
    DeleteRangeRequest del = etcd.last(DeleteRangeRequest.class);
    assertThat(del.getRangeEnd()).isEqualTo(bytes("b"));
    assertThat(del.getPrevKv()).isTrue();
    assertThat(run("del", "a", "-w", "json").out())
        .startsWith("{\"header\":{")
        .contains("\"deleted\":2,\"prev_kvs\":[");
  }

  @Test
  void compactionSendsRevisionAndPhysical() {
    Result r = run("compaction", "42", "--physical");

    assertThat(r.out()).isEqualTo("compacted revision 42\n");
    CompactionRequest compact = etcd.last(CompactionRequest.class);
    assertThat(compact.getRevision()).isEqualTo(42);
    assertThat(compact.getPhysical()).isTrue();
  }

  // ---- lease ----

  @Test
  void leaseGrantPrintsHexIdAndTtl() {
    Result r = run("lease", "grant", "10");

    assertThat(r.out()).isEqualTo("lease 694d77aa9e38260f granted with TTL(10s)\n");
    assertThat(etcd.last(LeaseGrantRequest.class).getTTL()).isEqualTo(10);
    // clientv3's LeaseGrantResponse: the header embedded, so flattened, and no omitempty.
    assertThat(run("lease", "grant", "10", "-w", "json").out())
        .isEqualTo(
            "{\"cluster_id\":14928724800226088327,\"member_id\":3319814642761637952,\"revision\":14,"
                + "\"raft_term\":2,\"ID\":7587852521871779343,\"TTL\":10,\"Error\":\"\"}\n");
  }

  @Test
  void leaseRevokeParsesHexAndReportsNotFoundAsEtcdctl() {
    assertThat(run("lease", "revoke", "694d77aa9e38260f").out())
        .isEqualTo("lease 694d77aa9e38260f revoked\n");
    assertThat(etcd.last(LeaseRevokeRequest.class).getID()).isEqualTo(0x694d77aa9e38260fL);

    Result missing = run("lease", "revoke", "1234");
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err())
        .isEqualTo("Error: failed to revoke lease (etcdserver: requested lease not found)\n");

    Result bad = run("lease", "revoke", "xyz");
    assertThat(bad.code()).isEqualTo(128);
    assertThat(bad.err()).startsWith("Error: bad lease ID arg");
  }

  @Test
  void leaseTimeToLiveWithKeys() {
    etcd.timeToLive =
        LeaseTimeToLiveResponse.newBuilder()
            .setHeader(FakeEtcd.HEADER)
            .setID(0x694d77aa9e38260fL)
            .setTTL(59)
            .setGrantedTTL(60)
            .addKeys(bytes("k1"))
            .addKeys(bytes("k2"))
            .build();

    Result r = run("lease", "timetolive", "694d77aa9e38260f", "--keys");

    assertThat(r.out())
        .isEqualTo(
            "lease 694d77aa9e38260f granted with TTL(60s), remaining(59s), attached keys([k1 k2])\n");
    assertThat(etcd.last(LeaseTimeToLiveRequest.class).getKeys()).isTrue();
    assertThat(run("lease", "timetolive", "694d77aa9e38260f", "-w", "json").out())
        .endsWith(
            "\"id\":7587852521871779343,\"ttl\":59,\"granted-ttl\":60,\"keys\":[\"azE=\",\"azI=\"]}\n");
  }

  @Test
  void leaseTimeToLiveOfAnExpiredLease() {
    etcd.timeToLive = LeaseTimeToLiveResponse.newBuilder().setID(0x1234).setTTL(-1).build();

    assertThat(run("lease", "timetolive", "1234").out())
        .isEqualTo("lease 0000000000001234 already expired\n");
  }

  @Test
  void leaseListAndKeepAliveOnce() {
    assertThat(run("lease", "list").out()).isEqualTo("found 1 leases\n694d77aa9e38260f\n");

    Result once = run("lease", "keep-alive", "--once", "694d77aa9e38260f");
    assertThat(once.out()).isEqualTo("lease 694d77aa9e38260f keepalived with TTL(60)\n");
    assertThat(etcd.last(LeaseKeepAliveRequest.class).getID()).isEqualTo(0x694d77aa9e38260fL);

    Result gone = run("lease", "keep-alive", "--once", "1");
    assertThat(gone.code()).isEqualTo(CliException.BAD_CONNECTION);
    assertThat(gone.err()).isEqualTo("Error: etcdserver: requested lease not found\n");
  }

  @Test
  void leaseKeepAliveStopsWhenTheLeaseIsGone() {
    Result r = run("lease", "keep-alive", "1");

    assertThat(r.code()).isZero();
    assertThat(r.out()).isEqualTo("lease 0000000000000001 expired or revoked.\n");
  }

  // ---- watch ----

  @Test
  void watchPrintsEventsAsEtcdctl() {
    etcd.watchResponses =
        List.of(
            WatchResponse.newBuilder()
                .setHeader(FakeEtcd.HEADER)
                .addEvents(Event.newBuilder().setKv(kv("w1", "x", 8, 8, 1)))
                .addEvents(
                    Event.newBuilder()
                        .setKv(kv("w1", "y", 8, 9, 2))
                        .setPrevKv(kv("w1", "x", 8, 8, 1)))
                .build(),
            WatchResponse.newBuilder()
                .setHeader(FakeEtcd.HEADER)
                .addEvents(
                    Event.newBuilder()
                        .setType(Event.EventType.DELETE)
                        .setKv(KeyValue.newBuilder().setKey(bytes("w1")).setModRevision(10))
                        .setPrevKv(kv("w1", "y", 8, 9, 2)))
                .build(),
            WatchResponse.newBuilder().setHeader(FakeEtcd.HEADER).build());

    Result r = run("watch", "w", "--prefix", "--prev-kv", "--rev", "3", "--progress-notify");

    assertThat(r.out())
        .isEqualTo("PUT\nw1\nx\nPUT\nw1\nx\nw1\ny\nDELETE\nw1\ny\nw1\n\nprogress notify: 14\n");
    // The server ended the stream: etcdctl's message and exit code.
    assertThat(r.err()).isEqualTo("Error: watch is canceled by the server\n");
    assertThat(r.code()).isEqualTo(CliException.INTERRUPTED);
    WatchCreateRequest create = etcd.last(WatchCreateRequest.class);
    assertThat(create.getKey()).isEqualTo(bytes("w"));
    assertThat(create.getRangeEnd()).isEqualTo(bytes("x"));
    assertThat(create.getStartRevision()).isEqualTo(3);
    assertThat(create.getPrevKv()).isTrue();
    assertThat(create.getProgressNotify()).isTrue();
  }

  @Test
  void watchJsonAndCompactedCancellation() {
    etcd.watchResponses =
        List.of(
            WatchResponse.newBuilder()
                .setHeader(FakeEtcd.HEADER)
                .addEvents(Event.newBuilder().setKv(kv("w1", "x", 8, 8, 1)))
                .build(),
            WatchResponse.newBuilder()
                .setHeader(FakeEtcd.HEADER)
                .setCanceled(true)
                .setCompactRevision(5)
                .build());

    Result r = run("watch", "w1", "-w", "json");

    assertThat(r.out().lines().findFirst().orElseThrow())
        .isEqualTo(
            "{\"Header\":{\"cluster_id\":14928724800226088327,\"member_id\":3319814642761637952,"
                + "\"revision\":14,\"raft_term\":2},\"Events\":[{\"kv\":{\"key\":\"dzE=\",\"create_revision\":8,"
                + "\"mod_revision\":8,\"version\":1,\"value\":\"eA==\"}}],\"CompactRevision\":0,"
                + "\"Canceled\":false,\"Created\":false}");
    assertThat(r.err())
        .startsWith(
            "watch was canceled (etcdserver: mvcc: required revision has been compacted)\n");
    assertThat(etcd.last(WatchCreateRequest.class).getRangeEnd()).isEmpty();
  }

  // ---- member, endpoint ----

  @Test
  void memberListSimpleTableAndJson() {
    etcd.members =
        MemberListResponse.newBuilder()
            .setHeader(FakeEtcd.HEADER.toBuilder().setRevision(0))
            .addMembers(
                Member.newBuilder()
                    .setID(0x2e1259d415f2a040L)
                    .setName("m1")
                    .addPeerURLs("http://127.0.0.1:23800")
                    .addClientURLs("http://127.0.0.1:23790"))
            .addMembers(
                Member.newBuilder()
                    .setID(0xabcL)
                    .addPeerURLs("http://10.0.0.2:2380")
                    .setIsLearner(true))
            .build();

    assertThat(run("member", "list").out())
        .isEqualTo(
            "2e1259d415f2a040, started, m1, http://127.0.0.1:23800, http://127.0.0.1:23790, false\n"
                + "abc, unstarted, , http://10.0.0.2:2380, , true\n");
    assertThat(run("member", "list", "-w", "table").out())
        .isEqualTo(
            """
            +------------------+-----------+------+------------------------+------------------------+------------+
            |        ID        |  STATUS   | NAME |       PEER ADDRS       |      CLIENT ADDRS      | IS LEARNER |
            +------------------+-----------+------+------------------------+------------------------+------------+
            | 2e1259d415f2a040 |   started |   m1 | http://127.0.0.1:23800 | http://127.0.0.1:23790 |      false |
            |              abc | unstarted |      |   http://10.0.0.2:2380 |                        |       true |
            +------------------+-----------+------+------------------------+------------------------+------------+
            """);
    assertThat(run("member", "list", "-w", "json").out())
        .isEqualTo(
            "{\"header\":{\"cluster_id\":14928724800226088327,\"member_id\":3319814642761637952,\"raft_term\":2},"
                + "\"members\":[{\"ID\":3319814642761637952,\"name\":\"m1\",\"peerURLs\":[\"http://127.0.0.1:23800\"],"
                + "\"clientURLs\":[\"http://127.0.0.1:23790\"]},{\"ID\":2748,\"peerURLs\":[\"http://10.0.0.2:2380\"],"
                + "\"isLearner\":true}]}\n");
  }

  @Test
  void endpointStatusPerEndpoint() {
    etcd.status =
        StatusResponse.newBuilder()
            .setHeader(FakeEtcd.HEADER)
            .setVersion("3.5.17")
            .setDbSize(20480)
            .setLeader(FakeEtcd.HEADER.getMemberId())
            .setRaftIndex(50)
            .setRaftTerm(2)
            .setRaftAppliedIndex(50)
            .setDbSizeInUse(16384)
            .build();

    Result r = run("endpoint", "status", "--endpoints", "127.0.0.1:1,127.0.0.1:2");

    assertThat(r.out())
        .isEqualTo(
            "127.0.0.1:1, 2e1259d415f2a040, 3.5.17, 20 kB, true, false, 2, 50, 50, \n"
                + "127.0.0.1:2, 2e1259d415f2a040, 3.5.17, 20 kB, true, false, 2, 50, 50, \n");
    assertThat(dialed).containsExactly(List.of("127.0.0.1:1"), List.of("127.0.0.1:2"));
    assertThat(run("endpoint", "status", "-w", "json", "--endpoints=e:1").out())
        .startsWith("[{\"Endpoint\":\"e:1\",\"Status\":{\"header\":{")
        .contains(
            "\"version\":\"3.5.17\",\"dbSize\":20480,\"leader\":3319814642761637952,\"raftIndex\":50");
  }

  @Test
  void endpointHealthReadsAndChecksAlarms() {
    Result healthy = run("endpoint", "health", "--endpoints", "e:1");
    assertThat(healthy.code()).isZero();
    assertThat(healthy.err())
        .matches("e:1 is healthy: successfully committed proposal: took = [0-9.]+(ns|µs|ms|s)\n");
    assertThat(etcd.last(RangeRequest.class).getKey()).isEqualTo(bytes("health"));

    etcd.alarms =
        etcd.alarms.toBuilder()
            .addAlarms(
                io.ketch.pb.etcdserver.AlarmMember.newBuilder()
                    .setMemberID(1)
                    .setAlarm(io.ketch.pb.etcdserver.AlarmType.NOSPACE))
            .build();
    Result alarmed = run("endpoint", "health", "--endpoints", "e:1", "-w", "json");
    assertThat(alarmed.code()).isEqualTo(1);
    assertThat(alarmed.out())
        .matches(
            "\\[\\{\"endpoint\":\"e:1\",\"health\":false,\"took\":\"[^\"]+\",\"error\":\"Active Alarm\\(s\\): NOSPACE\"}]\n");
    assertThat(alarmed.err()).isEqualTo("Error: unhealthy cluster\n");
  }

  // ---- global flags ----

  @Test
  void endpointsComeFromTheEnvironmentUnlessGiven() {
    runWith(Map.of("ETCDCTL_ENDPOINTS", "10.0.0.1:2379,10.0.0.2:2379"), "", "get", "k");
    runWith(Map.of("ETCDCTL_ENDPOINTS", "10.0.0.1:2379"), "", "get", "k", "--endpoints=e:9");
    run("get", "k");

    assertThat(dialed)
        .containsExactly(
            List.of("10.0.0.1:2379", "10.0.0.2:2379"), List.of("e:9"), List.of("127.0.0.1:2379"));
  }

  @Test
  void commandTimeoutIsParsedAsAGoDuration() {
    Result r = run("get", "k", "--command-timeout=soon");

    assertThat(r.code()).isEqualTo(128);
    assertThat(r.err()).isEqualTo("Error: --command-timeout: invalid duration \"soon\"\n");
  }

  @Test
  void unknownFlagsAndMissingArgumentsExitWithBadArgs() {
    assertThat(run("get").code()).isEqualTo(128);
    assertThat(run("lease").code()).isEqualTo(128);
    assertThat(run("put", "k", "v", "--nope").code()).isEqualTo(128);
  }
}
