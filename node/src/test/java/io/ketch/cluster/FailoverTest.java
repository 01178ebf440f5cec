package io.ketch.cluster;

import static io.ketch.cluster.ReplicationTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.KV;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.ketch.pb.etcdserver.PutRequest;
import io.ketch.pb.etcdserver.RangeRequest;
import io.ketch.pb.etcdserver.StatusRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A leader lost and a new one elected; members restarted from their data; quorum lost. */
class FailoverTest {
  @TempDir Path dir;

  @Test
  void writesGoOnUnderANewLeaderAndNothingAcknowledgedIsLost() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 3)) {
      TestCluster.Member old = cluster.awaitLeader();
      List<String> acknowledged = new ArrayList<>();
      KV kv = cluster.followers().get(0).client().getKVClient();
      for (int i = 0; i < 20; i++) {
        kv.put(bytes("k" + i), bytes("v" + i)).get();
        acknowledged.add("k" + i);
      }
      long oldId = old.id();
      old.stop();

      TestCluster.Member next = cluster.awaitLeader();
      assertThat(next.id()).isNotEqualTo(oldId);
      for (int i = 20; i < 40; i++) {
        next.client().getKVClient().put(bytes("k" + i), bytes("v" + i)).get();
        acknowledged.add("k" + i);
      }

      // The old leader comes back from its data dir as itself and catches up.
      old.start();
      old.awaitReady();
      assertThat(old.id()).isEqualTo(oldId);
      for (String key : acknowledged) {
        var got = old.client().getKVClient().get(bytes(key)).get();
        assertThat(got.getKvs()).as(key).hasSize(1);
      }
      assertThat(old.server().memberList().getMembersCount()).isEqualTo(3);
    }
  }

  @Test
  void aFollowerFarBehindCatchesUpBySnapshot() throws Exception {
    try (TestCluster cluster =
        TestCluster.start(
            dir, 3, "--snapshot-count=20", "--experimental-snapshot-catchup-entries=5")) {
      TestCluster.Member behind = cluster.followers().get(0);
      behind.stop();
      TestCluster.Member leader = cluster.awaitLeader();
      for (int i = 0; i < 100; i++) {
        leader.kv().put(put("s" + i, "v" + i));
      }
      long revision = leader.kv().range(range("s0")).getHeader().getRevision();
      behind.start();
      behind.awaitReady();
      await()
          .atMost(Duration.ofSeconds(15))
          .untilAsserted(
              () -> {
                var r = behind.kv().range(range("s99").toBuilder().setSerializable(true).build());
                assertThat(r.getHeader().getRevision()).isGreaterThanOrEqualTo(revision);
                assertThat(r.getKvsList()).hasSize(1);
              });
      assertThat(behind.kv().range(range("s0")).getKvs(0).getValue().toStringUtf8())
          .isEqualTo("v0");
    }
  }

  @Test
  void withoutAQuorumRequestsFailFastWithNoLeader() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 3)) {
      List<TestCluster.Member> followers = cluster.followers();
      TestCluster.Member survivor = followers.get(0);
      cluster.awaitLeader().stop();
      followers.get(1).stop();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> survivor.server().status().getLeader() == 0);

      long start = System.nanoTime();
      assertThatThrownBy(() -> survivor.kv().put(put("x", "y")))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                assertThat(e.getStatus().getDescription()).isEqualTo("etcdserver: no leader");
              });
      assertThatThrownBy(() -> survivor.kv().range(range("x")))
          .hasMessageContaining("etcdserver: no leader");
      // Fast: well inside etcd's 7 s request timeout.
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
      assertThat(survivor.maintenance().status(StatusRequest.getDefaultInstance()).getErrorsList())
          .contains("etcdserver: no leader");
      // Serializable reads still answer locally.
      assertThat(
              survivor
                  .kv()
                  .range(range("x").toBuilder().setSerializable(true).build())
                  .getHeader()
                  .getMemberId())
          .isEqualTo(survivor.id());
    }
  }

  static PutRequest put(String key, String value) {
    return PutRequest.newBuilder()
        .setKey(ByteString.copyFromUtf8(key))
        .setValue(ByteString.copyFromUtf8(value))
        .build();
  }

  static RangeRequest range(String key) {
    return RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).build();
  }
}
