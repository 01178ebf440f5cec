package io.ketch.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.ketch.lease.Lessor;
import io.ketch.lease.LessorConfig;
import io.ketch.pb.etcdserver.ResponseHeader;
import io.ketch.server.pb.StateSnapshot;
import java.io.IOException;

/** Test fixtures: member states restored from a snapshot, and what a captured one writes. */
final class MemberStates {
  private MemberStates() {}

  static MemberState fresh(StateSnapshot snapshot) {
    return MemberState.restore(
        snapshot,
        new Lessor(LessorConfig.DEFAULT, Lessor.systemClock()),
        revision -> ResponseHeader.newBuilder().setRevision(revision).build());
  }

  /** The StateSnapshot a captured snapshot writes into its file, checked against its size. */
  static StateSnapshot written(MemberState.PendingSnapshot pending) throws IOException {
    ByteString.Output out = ByteString.newOutput();
    pending.writeTo(out);
    assertThat(out.size()).as("bytes written against size()").isEqualTo(pending.size());
    return StateSnapshot.parseFrom(out.toByteString());
  }
}
