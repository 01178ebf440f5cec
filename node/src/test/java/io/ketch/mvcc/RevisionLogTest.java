package io.ketch.mvcc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RevisionLogTest {
  private final RevisionLog log = new RevisionLog();

  @Test
  void findsRevisionsByMainAndRemovesScatteredOnesKeepingTheOrder() {
    byte[][] kvs = new byte[100][];
    for (int i = 0; i < kvs.length; i++) {
      kvs[i] = new byte[] {(byte) i};
      log.append(2 + i / 2, i % 2, kvs[i]); // two changes per txn: 2.0, 2.1, 3.0, 3.1, ...
    }
    assertThat(log.firstAfter(1)).isZero();
    assertThat(log.firstAfter(2)).isEqualTo(2);
    assertThat(log.firstAfter(51)).isEqualTo(100);

    RevisionLog before = log.copy();
    Set<byte[]> gone = Collections.newSetFromMap(new IdentityHashMap<>());
    for (int i = 0; i < 90; i += 3) {
      gone.add(kvs[i]);
    }
    log.removeAll(gone);

    assertThat(log.size()).isEqualTo(70);
    for (int i = 0, at = 0; i < kvs.length; i++) {
      if (!gone.contains(kvs[i])) {
        assertThat(log.kv(at)).isSameAs(kvs[i]);
        assertThat(log.main(at)).isEqualTo(2 + i / 2);
        assertThat(log.sub(at)).isEqualTo(i % 2);
        at++;
      }
    }
    assertThat(log.firstAfter(2)).isEqualTo(1); // 2.0 went, 2.1 stays
    assertThat(before.size()).isEqualTo(100); // a copy does not see later changes
    assertThat(before.kv(0)).isSameAs(kvs[0]);
  }

  @Test
  void revisionsOnlyGrow() {
    log.append(3, 1, new byte[0]);
    assertThatThrownBy(() -> log.append(3, 1, new byte[0]))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> log.append(2, 5, new byte[0]))
        .isInstanceOf(IllegalStateException.class);
  }
}
