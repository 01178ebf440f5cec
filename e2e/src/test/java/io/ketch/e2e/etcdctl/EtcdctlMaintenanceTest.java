package io.ketch.e2e.etcdctl;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.ketch.e2e.harness.EachTarget;
import io.ketch.e2e.harness.Etcdctl;
import io.ketch.e2e.harness.Member;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * endpoint status / health / hashkv, member list and snapshot save: values differ between
 * implementations (IDs, sizes, hashes, versions), so these check the shapes and the values that
 * must agree.
 */
class EtcdctlMaintenanceTest {

  @EachTarget
  void endpointStatus(Member member) {
    Etcdctl etcdctl = new Etcdctl(member);
    etcdctl.run("put", "a", "1").assertOk();
    JsonArray all =
        JsonParser.parseString(etcdctl.run("endpoint", "status", "-w", "json").assertOk().out())
            .getAsJsonArray();
    assertThat(all).hasSize(1);
    JsonObject entry = all.get(0).getAsJsonObject();
    assertThat(entry.get("Endpoint").getAsString()).isEqualTo(member.endpoint());
    JsonObject status = entry.getAsJsonObject("Status");
    JsonObject header = status.getAsJsonObject("header");
    assertThat(header.get("revision").getAsLong()).isEqualTo(2);
    assertThat(header.get("member_id").getAsLong()).isNotZero();
    assertThat(header.get("cluster_id").getAsLong()).isNotZero();
    // a lone member leads; Kubernetes parses the version as semver (>= 3.4.31 / 3.5.13 enables
    // RequestProgress)
    assertThat(status.get("leader").getAsLong()).isEqualTo(header.get("member_id").getAsLong());
    assertThat(status.get("version").getAsString()).matches("3\\.[4-9]\\.\\d+");
    assertThat(status.get("dbSize").getAsLong()).isPositive();
    assertThat(status.get("dbSizeInUse").getAsLong())
        .isPositive()
        .isLessThanOrEqualTo(status.get("dbSize").getAsLong());
    assertThat(status.get("raftTerm").getAsLong())
        .isPositive()
        .isEqualTo(header.get("raft_term").getAsLong());
    assertThat(status.get("raftIndex").getAsLong()).isPositive();
    assertThat(status.get("raftAppliedIndex").getAsLong()).isPositive();
    assertThat(status.has("errors")).isFalse();
    assertThat(status.has("isLearner")).isFalse();

    // simple format: endpoint, member ID (hex), version, db size, is leader, is learner, term,
    // index, applied, errors
    String[] fields = etcdctl.run("endpoint", "status").assertOk().out().split(", ", -1);
    assertThat(fields).hasSize(10);
    assertThat(fields[0]).isEqualTo(member.endpoint());
    assertThat(Long.parseUnsignedLong(fields[1], 16))
        .isEqualTo(header.get("member_id").getAsLong());
    assertThat(fields[3]).matches("\\d+(\\.\\d+)? [kMG]?B");
    assertThat(fields[4]).isEqualTo("true");
    assertThat(fields[5]).isEqualTo("false");
    assertThat(fields[9]).isEqualTo("\n");
  }

  @EachTarget
  void endpointHealth(Member member) {
    Etcdctl etcdctl = new Etcdctl(member);
    JsonArray all =
        JsonParser.parseString(etcdctl.run("endpoint", "health", "-w", "json").assertOk().out())
            .getAsJsonArray();
    assertThat(all).hasSize(1);
    JsonObject health = all.get(0).getAsJsonObject();
    assertThat(health.get("endpoint").getAsString()).isEqualTo(member.endpoint());
    assertThat(health.get("health").getAsBoolean()).isTrue();
    assertThat(health.get("took").getAsString()).matches("[0-9.]+(ns|µs|ms|s)");
    assertThat(health.has("error")).isFalse();
    assertThat(etcdctl.run("endpoint", "health").assertOk().err())
        .matches(
            member.endpoint()
                + " is healthy: successfully committed proposal: took = [0-9.]+(ns|µs|ms|s)\n");
  }

  @EachTarget
  void hashKvIsStableForARevisionAndReportsTheCompactionRevision(Member member) {
    Etcdctl etcdctl = new Etcdctl(member);
    etcdctl.run("put", "a", "1").assertOk(); // 2
    etcdctl.run("put", "b", "2").assertOk(); // 3
    JsonObject atThree = hashKv(etcdctl, 3);
    assertThat(atThree.getAsJsonObject("header").get("revision").getAsLong()).isEqualTo(3);
    assertThat(atThree.get("hash").getAsLong()).isNotZero();
    // never compacted: etcd reports -1
    assertThat(atThree.get("compact_revision").getAsLong()).isEqualTo(-1);

    etcdctl.run("put", "a", "changed").assertOk(); // 4
    assertThat(hashKv(etcdctl, 3).get("hash")).isEqualTo(atThree.get("hash"));
    assertThat(hashKv(etcdctl, 4).get("hash")).isNotEqualTo(atThree.get("hash"));

    etcdctl.run("compaction", "2").assertOk();
    JsonObject afterCompaction = hashKv(etcdctl, 0);
    assertThat(afterCompaction.get("compact_revision").getAsLong()).isEqualTo(2);
    assertThat(afterCompaction.getAsJsonObject("header").get("revision").getAsLong()).isEqualTo(4);
  }

  @EachTarget
  void memberList(Member member) {
    Etcdctl etcdctl = new Etcdctl(member);
    JsonObject list =
        JsonParser.parseString(etcdctl.run("member", "list", "-w", "json").assertOk().out())
            .getAsJsonObject();
    long self = list.getAsJsonObject("header").get("member_id").getAsLong();
    JsonArray members = list.getAsJsonArray("members");
    assertThat(members).hasSize(1);
    JsonObject only = members.get(0).getAsJsonObject();
    assertThat(only.get("ID").getAsLong()).isEqualTo(self);
    assertThat(only.get("name").getAsString()).isEqualTo(member.name());
    assertThat(only.get("peerURLs").toString()).isEqualTo("[\"" + member.peerUrl() + "\"]");
    assertThat(only.get("clientURLs").toString()).isEqualTo("[\"" + member.clientUrl() + "\"]");
    assertThat(only.has("isLearner")).isFalse();

    assertThat(etcdctl.run("member", "list").assertOk().out())
        .isEqualTo(
            "%x, started, %s, %s, %s, false\n"
                .formatted(self, member.name(), member.peerUrl(), member.clientUrl()));
  }

  @EachTarget
  void snapshotSave(Member member, @TempDir Path dir) throws IOException {
    Etcdctl etcdctl = new Etcdctl(member);
    etcdctl.run("put", "a", "1").assertOk();
    Path file = dir.resolve("snapshot.db");
    assertThat(etcdctl.run("snapshot", "save", file.toString()).assertOk().out())
        .isEqualTo("Snapshot saved at " + file + "\n");
    assertThat(Files.size(file)).isPositive();
    assertThat(dir.resolve("snapshot.db.part")).doesNotExist();
  }

  private static JsonObject hashKv(Etcdctl etcdctl, long revision) {
    JsonArray all =
        JsonParser.parseString(
                etcdctl
                    .run("endpoint", "hashkv", "--rev=" + revision, "-w", "json")
                    .assertOk()
                    .out())
            .getAsJsonArray();
    assertThat(all).hasSize(1);
    return all.get(0).getAsJsonObject().getAsJsonObject("HashKV");
  }
}
