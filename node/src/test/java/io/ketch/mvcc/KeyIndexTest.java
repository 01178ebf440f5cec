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
  private final List<Revision> dropped = new ArrayList<>();

  @Test
  void theWorkedExampleOfTheClassComment() {
    put(2, 1);
    put(3, 2);
    assertThat(ki.get(1)).isNull();
    assertThat(ki.get(2).getVersion()).isEqualTo(1);
    assertThat(ki.get(3).getVersion()).isEqualTo(2);

    delete(4);
    assertThat(ki.generationCount()).isEqualTo(2);
    assertThat(ki.get(3).getModRevision()).isEqualTo(3);
    assertThat(ki.get(4)).isNull();
    assertThat(ki.latest()).isNull();

    put(6, 1);
    assertThat(ki.get(5)).isNull();
    assertThat(ki.get(6).getCreateRevision()).isEqualTo(6);

    assertThat(compact(3)).isFalse();
    assertThat(dropped).containsExactly(new Revision(2, 0));
    assertThat(ki.revisions(0)).containsExactly(new Revision(3, 0), new Revision(4, 0));
    assertThat(ki.get(3).getModRevision()).isEqualTo(3);

    dropped.clear();
    assertThat(compact(5)).isFalse();
    assertThat(dropped).containsExactly(new Revision(3, 0), new Revision(4, 0));
    assertThat(ki.generationCount()).isEqualTo(1);
    assertThat(ki.revisions(0)).containsExactly(new Revision(6, 0));
    assertThat(ki.get(6).getValue().toStringUtf8()).isEqualTo("v6");

    delete(7);
    dropped.clear();
    assertThat(compact(7)).isTrue();
    assertThat(dropped).containsExactly(new Revision(6, 0), new Revision(7, 0));
  }

  @Test
  void compactKeepsTheLastRevisionAtOrBeforeTheCompactionPoint() {
    put(2, 1);
    put(5, 2);
    put(9, 3);
    assertThat(compact(7)).isFalse();
    assertThat(ki.revisions(0)).containsExactly(new Revision(5, 0), new Revision(9, 0));
    assertThat(ki.get(7).getModRevision()).isEqualTo(5);
    assertThat(ki.get(8).getModRevision()).isEqualTo(5);
  }

  @Test
  void invariantViolationsFailLoudly() {
    put(3, 1);
    assertThatThrownBy(() -> put(3, 2)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> put(2, 2)).isInstanceOf(IllegalStateException.class);
    delete(4);
    assertThatThrownBy(() -> delete(5)).isInstanceOf(IllegalStateException.class);
  }

  private long created;

  private void put(long rev, long version) {
    created = version == 1 ? rev : created;
    ki.put(
        new Revision(rev, 0),
        KeyValue.newBuilder()
            .setKey(K)
            .setValue(ByteString.copyFromUtf8("v" + rev))
            .setCreateRevision(created)
            .setModRevision(rev)
            .setVersion(version)
            .build());
  }

  private void delete(long rev) {
    ki.tombstone(new Revision(rev, 0), KeyValue.newBuilder().setKey(K).setModRevision(rev).build());
  }

  private boolean compact(long rev) {
    return ki.compact(rev, e -> dropped.add(e.rev()));
  }
}
