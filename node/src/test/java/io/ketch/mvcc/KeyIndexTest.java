package io.ketch.mvcc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.ketch.pb.mvcc.KeyValue;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyIndexTest {
  private static final ByteString K = ByteString.copyFromUtf8("k");

  private final KeyIndex ki = new KeyIndex(K);
  private final List<Long> dropped = new ArrayList<>();

  @Test
  void theWorkedExampleOfTheClassComment() {
    put(2, 1);
    put(3, 2);
    assertThat(ki.get(1)).isNull();
    assertThat(get(2).getVersion()).isEqualTo(1);
    assertThat(get(3).getVersion()).isEqualTo(2);

    delete(4);
    assertThat(ki.generationCount()).isEqualTo(2);
    assertThat(get(3).getModRevision()).isEqualTo(3);
    assertThat(ki.get(4)).isNull();
    assertThat(ki.latest()).isNull();

    put(6, 1);
    assertThat(ki.get(5)).isNull();
    assertThat(get(6).getCreateRevision()).isEqualTo(6);

    assertThat(compact(3)).isFalse();
    assertThat(dropped).containsExactly(2L);
    assertThat(ki.generationCount()).isEqualTo(2);
    assertThat(ki.revisions()).containsExactly(3L, 4L, 6L);
    assertThat(get(3).getModRevision()).isEqualTo(3);

    dropped.clear();
    assertThat(compact(5)).isFalse();
    assertThat(dropped).containsExactly(3L, 4L);
    assertThat(ki.generationCount()).isEqualTo(1);
    assertThat(ki.revisions()).containsExactly(6L);
    assertThat(get(6).getValue().toStringUtf8()).isEqualTo("v6");

    delete(7);
    dropped.clear();
    assertThat(compact(7)).isTrue();
    assertThat(dropped).containsExactly(6L, 7L);
  }

  @Test
  void compactKeepsTheLastRevisionAtOrBeforeTheCompactionPoint() {
    put(2, 1);
    put(5, 2);
    put(9, 3);
    assertThat(compact(7)).isFalse();
    assertThat(ki.revisions()).containsExactly(5L, 9L);
    assertThat(get(7).getModRevision()).isEqualTo(5);
    assertThat(get(8).getModRevision()).isEqualTo(5);
  }

  @Test
  void oneTxnWritingTheKeyTwiceAnswersWithItsLastWrite() {
    put(3, 1);
    delete(3);
    put(3, 1);
    assertThat(ki.generationCount()).isEqualTo(2);
    assertThat(get(3).getValue().toStringUtf8()).isEqualTo("v3");
    delete(4);
    assertThat(ki.get(4)).isNull();
    assertThat(compact(3)).isFalse();
    assertThat(dropped).containsExactly(3L, 3L);
    assertThat(ki.revisions()).containsExactly(3L, 4L);
  }

  @Test
  void invariantViolationsFailLoudly() {
    put(3, 1);
    assertThatThrownBy(() -> put(2, 2)).isInstanceOf(IllegalStateException.class);
    delete(4);
    assertThatThrownBy(() -> delete(5)).isInstanceOf(IllegalStateException.class);
  }

  private long created;

  private void put(long rev, long version) {
    created = version == 1 ? rev : created;
    ki.put(
        rev,
        KeyValue.newBuilder()
            .setKey(K)
            .setValue(ByteString.copyFromUtf8("v" + rev))
            .setCreateRevision(created)
            .setModRevision(rev)
            .setVersion(version)
            .build()
            .toByteArray());
  }

  private void delete(long rev) {
    ki.tombstone(rev, KeyValue.newBuilder().setKey(K).setModRevision(rev).build().toByteArray());
  }

  private KeyValue get(long rev) {
    return KvStore.parse(ki.get(rev));
  }

  private boolean compact(long rev) {
    return ki.compact(rev, kv -> dropped.add(KvStore.parse(kv).getModRevision()));
  }
}
