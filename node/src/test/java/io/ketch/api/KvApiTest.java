package io.ketch.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The KV API through jetcd, a real etcd client, against an in-process member. */
class KvApiTest {
  @TempDir Path dir;
  private RunningMember member;
  private Client client;
  private KV kv;

  @BeforeEach
  void start() throws Exception {
    member = new RunningMember(dir);
    client = member.client();
    kv = client.getKVClient();
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    member.close();
  }

  private static ByteSequence b(String s) {
    return ByteSequence.from(s, UTF_8);
  }

  @Test
  void revisionsStartAtOneAndEveryPutBumpsThem() throws Exception {
    assertThat(kv.get(b("a")).get().getHeader().getRevision()).isEqualTo(1);

    var first = kv.put(b("a"), b("1")).get();
    var second = kv.put(b("a"), b("1"), PutOption.builder().withPrevKV().build()).get();

    assertThat(first.getHeader().getRevision()).isEqualTo(2);
    assertThat(second.getHeader().getRevision()).isEqualTo(3);
    assertThat(second.getPrevKv().getValue()).isEqualTo(b("1"));
    KeyValue a = kv.get(b("a")).get().getKvs().get(0);
    assertThat(a.getCreateRevision()).isEqualTo(2);
    assertThat(a.getModRevision()).isEqualTo(3);
    assertThat(a.getVersion()).isEqualTo(2);
  }

  @Test
  void prefixRangesCountAndLimit() throws Exception {
    for (String k : new String[] {"p/1", "p/2", "p/3", "q"}) {
      kv.put(b(k), b(k)).get();
    }

    GetResponse page =
        kv.get(b("p/"), GetOption.builder().isPrefix(true).withLimit(2).build()).get();

    assertThat(page.getKvs())
        .extracting(kv -> kv.getKey().toString(UTF_8))
        .containsExactly("p/1", "p/2");
    assertThat(page.getCount()).isEqualTo(3);
    assertThat(page.isMore()).isTrue();
  }

  @Test
  void deletingNothingLeavesTheRevisionAlone() throws Exception {
    kv.put(b("x"), b("1")).get();
    var nothing = kv.delete(b("nope")).get();
    var something = kv.delete(b("x"), DeleteOption.builder().withPrevKV(true).build()).get();

    assertThat(nothing.getDeleted()).isZero();
    assertThat(nothing.getHeader().getRevision()).isEqualTo(2);
    assertThat(something.getDeleted()).isEqualTo(1);
    assertThat(something.getHeader().getRevision()).isEqualTo(3);
    assertThat(something.getPrevKvs().get(0).getValue()).isEqualTo(b("1"));
  }

  @Test
  void aTxnCreatesOnlyWhenAbsentAsKubernetesDoes() throws Exception {
    Cmp absent = new Cmp(b("/registry/pods/a"), Cmp.Op.EQUAL, CmpTarget.modRevision(0));
    TxnResponse created =
        kv.txn()
            .If(absent)
            .Then(Op.put(b("/registry/pods/a"), b("v1"), PutOption.DEFAULT))
            .commit()
            .get();
    TxnResponse again =
        kv.txn()
            .If(absent)
            .Then(Op.put(b("/registry/pods/a"), b("v2"), PutOption.DEFAULT))
            .Else(Op.get(b("/registry/pods/a"), GetOption.DEFAULT))
            .commit()
            .get();

    assertThat(created.isSucceeded()).isTrue();
    assertThat(created.getHeader().getRevision()).isEqualTo(2);
    assertThat(again.isSucceeded()).isFalse();
    assertThat(again.getHeader().getRevision()).isEqualTo(2);
    assertThat(again.getGetResponses().get(0).getKvs().get(0).getValue()).isEqualTo(b("v1"));
  }

  @Test
  void aFutureRevisionIsRefusedWithEtcdsError() {
    assertThatThrownBy(() -> kv.get(b("a"), GetOption.builder().withRevision(100).build()).get())
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("etcdserver: mvcc: required revision is a future revision");
  }

  @Test
  void acknowledgedWritesSurviveARestart() throws Exception {
    for (int i = 0; i < 50; i++) {
      kv.put(b("k" + i), b("v" + i)).get();
    }
    client.close();
    member.restart();
    client = member.client();
    kv = client.getKVClient();

    GetResponse all = kv.get(b("k"), GetOption.builder().isPrefix(true).build()).get();
    assertThat(all.getCount()).isEqualTo(50);
    assertThat(all.getHeader().getRevision()).isEqualTo(51);
  }
}
