package io.ketch.cluster;

import static io.etcd.jetcd.options.GetOption.newBuilder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three members replicating: writes and reads on the leader and on followers. */
class ReplicationTest {
  @TempDir static Path dir;
  static TestCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    cluster = TestCluster.start(dir, 3);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  static String serializableValue(TestCluster.Member m, String key) throws Exception {
    GetResponse r =
        m.client().getKVClient().get(bytes(key), newBuilder().withSerializable(true).build()).get();
    return r.getKvs().isEmpty() ? null : r.getKvs().get(0).getValue().toString();
  }

  @Test
  void putsTxnsAndDeletesOnTheLeaderReachEveryMember() throws Exception {
    KV kv = cluster.awaitLeader().client().getKVClient();
    kv.put(bytes("r/a"), bytes("1")).get();
    kv.put(bytes("r/b"), bytes("2")).get();
    kv.txn()
        .If(new Cmp(bytes("r/a"), Cmp.Op.EQUAL, CmpTarget.value(bytes("1"))))
        .Then(Op.put(bytes("r/c"), bytes("3"), PutOption.DEFAULT))
        .commit()
        .get();
    kv.delete(bytes("r/b")).get();
    long revision = kv.get(bytes("r/a")).get().getHeader().getRevision();

    for (TestCluster.Member m : cluster.running()) {
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                GetResponse all =
                    m.client()
                        .getKVClient()
                        .get(
                            bytes("r/"),
                            GetOption.newBuilder().isPrefix(true).withSerializable(true).build())
                        .get();
                assertThat(all.getHeader().getRevision()).isEqualTo(revision);
                assertThat(all.getKvs())
                    .extracting(k -> k.getKey().toString() + "=" + k.getValue().toString())
                    .containsExactly("r/a=1", "r/c=3");
              });
      assertThat(m.client().getKVClient().get(bytes("r/a")).get().getHeader().getMemberId())
          .isEqualTo(m.id());
    }
  }

  @Test
  void aWriteOnAFollowerIsForwardedAndALinearizableReadOnAnotherSeesIt() throws Exception {
    var followers = cluster.followers();
    var put =
        followers.get(0).client().getKVClient().put(bytes("f/key"), bytes("from-follower")).get();
    assertThat(put.getHeader().getMemberId()).isEqualTo(followers.get(0).id());
    assertThat(put.getHeader().getRaftTerm()).isPositive();

    // Linearizable (the default): the other follower's ReadIndex round orders it after the write.
    GetResponse read = followers.get(1).client().getKVClient().get(bytes("f/key")).get();
    assertThat(read.getKvs()).hasSize(1);
    assertThat(read.getKvs().get(0).getValue().toString()).isEqualTo("from-follower");
    assertThat(read.getHeader().getRevision())
        .isGreaterThanOrEqualTo(put.getHeader().getRevision());

    // Serializable: local, so it may lag, but it converges.
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> "from-follower".equals(serializableValue(followers.get(1), "f/key")));

    followers
        .get(1)
        .client()
        .getKVClient()
        .delete(bytes("f/key"), DeleteOption.DEFAULT)
        .get(5, TimeUnit.SECONDS);
    assertThat(followers.get(0).client().getKVClient().get(bytes("f/key")).get().getKvs())
        .isEmpty();
  }
}
