package io.ketch.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.ketch.Allocations;
import io.ketch.raft.pb.ConfState;
import io.ketch.raft.pb.Snapshot;
import io.ketch.raft.pb.SnapshotMetadata;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotStoreTest {

  @TempDir Path dir;

  static Snapshot snapshot(long term, long index) {
    return Snapshot.newBuilder()
        .setData(ByteString.copyFromUtf8("state as of " + index))
        .setMetadata(
            SnapshotMetadata.newBuilder()
                .setTerm(term)
                .setIndex(index)
                .setConfState(ConfState.newBuilder().addVoters(1).addVoters(2).addVoters(3)))
        .build();
  }

  @Test
  void savesUnderTermAndIndexAndLoadsTheNewestPruningOldOnes() throws IOException {
    SnapshotStore store = new SnapshotStore(dir, 2);
    assertThat(store.newestValid()).isEmpty();
    save(store, snapshot(1, 10));
    save(store, snapshot(2, 20));
    save(store, snapshot(2, 30));
    assertThat(names())
        .containsExactly(
            "0000000000000002-0000000000000014.snap", "0000000000000002-000000000000001e.snap");
    SnapshotStore reopened = new SnapshotStore(dir, 2);
    assertThat(reopened.newestValid()).contains(snapshot(2, 30));
    assertThat(reopened.load(snapshot(2, 30).getMetadata())).contains(snapshot(2, 30));
    assertThat(reopened.load(snapshot(1, 10).getMetadata())).isEmpty(); // pruned
    assertThat(store.oldestIndex()).isEqualTo(20);
  }

  @Test
  void aTornOrCorruptNewestSnapshotIsSetAsideForThePreviousOne() throws IOException {
    SnapshotStore store = new SnapshotStore(dir, 3);
    save(store, snapshot(1, 10));
    save(store, snapshot(1, 20));
    save(store, snapshot(2, 30));
    Path newest = dir.resolve("0000000000000002-000000000000001e.snap");
    Path middle = dir.resolve("0000000000000001-0000000000000014.snap");
    byte[] bytes = Files.readAllBytes(newest);
    Files.write(newest, Arrays.copyOf(bytes, bytes.length - 3)); // torn
    byte[] flipped = Files.readAllBytes(middle);
    flipped[flipped.length / 2] ^= 1; // one bit of corruption
    Files.write(middle, flipped);
    Files.writeString(dir.resolve("0000000000000003-0000000000000028.snap.tmp"), "half");

    SnapshotStore reopened = new SnapshotStore(dir, 3);
    assertThat(reopened.newestValid()).contains(snapshot(1, 10));
    assertThat(names())
        .containsExactly(
            "0000000000000001-000000000000000a.snap",
            "0000000000000001-0000000000000014.snap.broken",
            "0000000000000002-000000000000001e.snap.broken");
  }

  @Test
  void aSnapshotWhoseNameDisagreesWithItsContentIsRejected() throws IOException {
    SnapshotStore store = new SnapshotStore(dir, 2);
    save(store, snapshot(1, 10));
    Files.move(
        dir.resolve("0000000000000001-000000000000000a.snap"),
        dir.resolve("0000000000000001-000000000000000b.snap"));
    assertThat(store.newestValid()).isEmpty();
  }

  @Test
  void aLargeSnapshotIsStreamedWithoutACopyOfItOrADirectBufferLeftOnTheThread() throws IOException {
    SnapshotStore store = new SnapshotStore(dir, 2);
    Snapshot large =
        snapshot(1, 10).toBuilder().setData(ByteString.copyFrom(new byte[32 << 20])).build();
    long direct = directBytesUsed();
    long allocated = Allocations.onThisThread();
    save(store, large);
    assertThat(Allocations.onThisThread() - allocated).isLessThan(1 << 20);
    assertThat(store.load(large.getMetadata())).contains(large);
    assertThat(directBytesUsed() - direct).isLessThan(1 << 20);
  }

  @Test
  void dataThatWritesOtherThanItsDeclaredSizeSavesNothing() throws IOException {
    SnapshotStore store = new SnapshotStore(dir, 2);
    save(store, snapshot(1, 10));
    SnapshotData short1 =
        new SnapshotData() {
          @Override
          public int size() {
            return 100;
          }

          @Override
          public void writeTo(OutputStream out) throws IOException {
            out.write(new byte[99]);
          }
        };
    assertThatThrownBy(() -> store.save(snapshot(1, 20).getMetadata(), short1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("snapshot data wrote 99 bytes, not the 100 it declared");
    assertThat(new SnapshotStore(dir, 2).newestValid()).contains(snapshot(1, 10));
  }

  private static void save(SnapshotStore store, Snapshot snapshot) {
    store.save(snapshot.getMetadata(), SnapshotData.of(snapshot.getData()));
  }

  private static long directBytesUsed() {
    return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
        .filter(pool -> pool.getName().equals("direct"))
        .mapToLong(BufferPoolMXBean::getMemoryUsed)
        .sum();
  }

  private Stream<String> namesStream() throws IOException {
    return Files.list(dir).map(p -> p.getFileName().toString()).sorted();
  }

  private java.util.List<String> names() throws IOException {
    try (Stream<String> names = namesStream()) {
      return names.toList();
    }
  }
}
