package io.ketch.server;

import io.ketch.raft.pb.ConfState;
import io.ketch.raft.pb.HardState;
import io.ketch.raft.pb.Snapshot;
import io.ketch.raft.pb.SnapshotMetadata;
import io.ketch.server.pb.StateSnapshot;
import io.ketch.storage.DiskStorage;
import java.util.List;

/**
 * The first durable state of a data dir a member has not run on yet (a new cluster's bootstrap, or
 * a restored snapshot): the state as a Raft snapshot at its applied index, and a HardState that has
 * it committed, so the Raft log starts right after it.
 */
final class StartingState {
  private StartingState() {}

  static void write(DiskStorage storage, StateSnapshot state, ConfState members) {
    storage.saveSnapshot(
        Snapshot.newBuilder()
            .setData(state.toByteString())
            .setMetadata(
                SnapshotMetadata.newBuilder()
                    .setIndex(state.getAppliedIndex())
                    .setTerm(state.getAppliedTerm())
                    .setConfState(members))
            .build());
    storage.save(
        HardState.newBuilder()
            .setTerm(state.getAppliedTerm())
            .setCommit(state.getAppliedIndex())
            .build(),
        List.of(),
        true);
  }
}
