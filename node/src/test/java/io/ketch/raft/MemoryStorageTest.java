package io.ketch.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.ketch.raft.pb.ConfState;
import io.ketch.raft.pb.Entry;
import io.ketch.raft.pb.Snapshot;
import io.ketch.raft.pb.SnapshotMetadata;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class MemoryStorageTest {

  private static Entry e(long index, long term) {
    return Entry.newBuilder()
        .setIndex(index)
        .setTerm(term)
        .setData(ByteString.copyFromUtf8("d" + index))
        .build();
  }

  @Test
  @DisplayName("append: writing entry i discards every stored entry >= i")
  void appendTruncatesConflictingSuffix() {
    MemoryStorage s = new MemoryStorage();
    s.append(List.of(e(1, 1), e(2, 1), e(3, 1)));
    s.append(List.of(e(2, 2)));
    assertThat(s.lastIndex()).isEqualTo(2);
    assertThat(s.term(2)).isEqualTo(2);
    assertThatThrownBy(() -> s.append(List.of(e(5, 2))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName(
      "compact and snapshot: older entries become unavailable, the snapshot's term stays answerable")
  void compactAndSnapshot() {
    MemoryStorage s = new MemoryStorage();
    s.append(List.of(e(1, 1), e(2, 1), e(3, 2), e(4, 2)));
    Snapshot snap =
        s.createSnapshot(
            3, ConfState.newBuilder().addVoters(1).build(), ByteString.copyFromUtf8("x"));
    assertThat(snap.getMetadata().getTerm()).isEqualTo(2);
    s.compact(3);
    assertThat(s.firstIndex()).isEqualTo(4);
    assertThat(s.term(3)).isEqualTo(2);
    assertThatThrownBy(() -> s.term(2)).isInstanceOf(Storage.CompactedException.class);
    assertThatThrownBy(() -> s.entries(3, 5, Long.MAX_VALUE))
        .isInstanceOf(Storage.CompactedException.class);
    assertThatThrownBy(() -> s.entries(4, 6, Long.MAX_VALUE))
        .isInstanceOf(Storage.UnavailableException.class);
    assertThat(s.initialState().confState().getVotersList()).containsExactly(1L);
  }

  @Test
  @DisplayName("entries: limited by size, but always at least one")
  void entriesSizeLimit() {
    MemoryStorage s = new MemoryStorage();
    s.append(List.of(e(1, 1), e(2, 1), e(3, 1)));
    long one = e(1, 1).getSerializedSize();
    assertThat(s.entries(1, 4, 0)).hasSize(1);
    assertThat(s.entries(1, 4, one * 2)).hasSize(2);
    assertThat(s.entries(1, 4, Long.MAX_VALUE)).hasSize(3);
  }

  @Test
  @DisplayName("applySnapshot replaces the log; an older snapshot is refused")
  void applySnapshot() {
    MemoryStorage s = new MemoryStorage();
    s.append(List.of(e(1, 1), e(2, 1)));
    Snapshot snap =
        Snapshot.newBuilder()
            .setMetadata(SnapshotMetadata.newBuilder().setIndex(10).setTerm(3))
            .build();
    s.applySnapshot(snap);
    assertThat(s.firstIndex()).isEqualTo(11);
    assertThat(s.lastIndex()).isEqualTo(10);
    assertThat(s.term(10)).isEqualTo(3);
    assertThatThrownBy(() -> s.applySnapshot(snap)).isInstanceOf(IllegalArgumentException.class);
  }
}
