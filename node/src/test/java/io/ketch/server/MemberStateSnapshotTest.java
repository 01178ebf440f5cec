package io.ketch.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.ketch.Allocations;
import io.ketch.pb.etcdserver.LeaseGrantRequest;
import io.ketch.pb.etcdserver.PutRequest;
import io.ketch.pb.etcdserver.RangeRequest;
import io.ketch.server.pb.InternalRequest;
import io.ketch.server.pb.StateSnapshot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import org.junit.jupiter.api.Test;

class MemberStateSnapshotTest {
  private long index;

  @Test
  void theStreamedSnapshotIsTheStateWithItsStoreAndRestoresIt() throws IOException {
    MemberState state = MemberStates.fresh(StateSnapshot.getDefaultInstance());
    state.apply(
        InternalRequest.newBuilder()
            .setLeaseGrant(LeaseGrantRequest.newBuilder().setID(7).setTTL(60))
            .build(),
        ++index);
    // Values on both sides of a varint's one-byte and two-byte lengths, and a large one.
    for (int size : new int[] {0, 127, 128, 300, 20_000}) {
      state.apply(
          InternalRequest.newBuilder()
              .setPut(
                  PutRequest.newBuilder()
                      .setKey(ByteString.copyFromUtf8("k" + size))
                      .setValue(ByteString.copyFrom(new byte[size]))
                      .setLease(size == 300 ? 7 : 0))
              .build(),
          ++index);
    }
    MemberState.PendingSnapshot pending = state.captureSnapshot(index, 2);

    StateSnapshot written = MemberStates.written(pending);

    ByteArrayOutputStream store = new ByteArrayOutputStream();
    state.store().writeSnapshot(store);
    assertThat(written)
        .isEqualTo(
            pending.withoutMvcc().toBuilder()
                .setMvcc(ByteString.copyFrom(store.toByteArray()))
                .build());
    MemberState restored = MemberStates.fresh(written);
    assertThat(restored.store().hash()).isEqualTo(state.store().hash());
    assertThat(restored.store().range(RangeRequest.newBuilder().setKey(k("k300")).build()))
        .isEqualTo(state.store().range(RangeRequest.newBuilder().setKey(k("k300")).build()));
    assertThat(restored.lessor().leases()).hasSize(1);
  }

  @Test
  void aLargeStateIsWrittenWithoutACopyOfIt() throws IOException {
    MemberState.PendingSnapshot pending = largeState().captureSnapshot(index, 2);
    long before = Allocations.onThisThread();
    pending.writeTo(OutputStream.nullOutputStream());
    long allocated = Allocations.onThisThread() - before;
    assertThat(pending.size()).isGreaterThan(32 << 20);
    assertThat(allocated).isLessThan(1 << 20);
  }

  /**
   * Read from a snapshot file (one array) or received from the leader (a rope of 1 MiB pieces), the
   * state's revisions are copied once, into their own arrays, and the rest of it not at all.
   */
  @Test
  void aLargeStateIsRestoredWithOneCopyOfItsRevisions() throws IOException {
    MemberState state = largeState();
    ByteString.Output out = ByteString.newOutput();
    state.captureSnapshot(index, 2).writeTo(out);
    ByteString file = ByteString.copyFrom(out.toByteString().toByteArray());
    ByteString received = ByteString.EMPTY;
    for (int at = 0; at < file.size(); at += 1 << 20) {
      received = received.concat(file.substring(at, Math.min(at + (1 << 20), file.size())));
    }
    long[] allocated = new long[2];
    MemberState[] restored = new MemberState[2];
    for (int i = 0; i < 2; i++) {
      long before = Allocations.onThisThread();
      restored[i] = MemberStates.fresh(MemberState.parseSnapshot(i == 0 ? file : received));
      allocated[i] = Allocations.onThisThread() - before;
    }
    for (int i = 0; i < 2; i++) {
      assertThat(allocated[i]).isBetween((long) file.size(), file.size() + (4L << 20));
      assertThat(restored[i].store().hash()).isEqualTo(state.store().hash());
    }
  }

  /** 1024 keys of 32 KiB values: a 32 MiB state. */
  private MemberState largeState() {
    MemberState state = MemberStates.fresh(StateSnapshot.getDefaultInstance());
    ByteString value = ByteString.copyFrom(new byte[32 << 10]);
    for (int i = 0; i < 1024; i++) {
      state.apply(
          InternalRequest.newBuilder()
              .setPut(PutRequest.newBuilder().setKey(k("k" + i)).setValue(value))
              .build(),
          ++index);
    }
    return state;
  }

  private static ByteString k(String key) {
    return ByteString.copyFromUtf8(key);
  }
}
