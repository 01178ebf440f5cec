package io.ketch.server;

import com.google.protobuf.ByteString;
import io.ketch.server.config.ServerConfig;
import io.ketch.server.pb.ClusterState;
import io.ketch.server.pb.StateSnapshot;
import io.ketch.storage.DiskStorage;
import java.io.IOException;
import java.nio.file.Files;

/**
 * Turns a snapshot taken with Maintenance.Snapshot into the data dir of a member of a NEW cluster,
 * as {@code etcdctl snapshot restore} does: the keys, leases and auth state are kept; the
 * membership is the one the restore flags name (new member and cluster ids), the alarms are
 * dropped, and the Raft log starts after the snapshot's applied index in term 1.
 */
public final class DataDirRestore {
  private DataDirRestore() {}

  /**
   * @param payload the snapshot's bytes without the SHA-256 trailer
   * @param config the restored member's flags: name, data dir, initial cluster and token
   */
  public static void restore(ByteString payload, ServerConfig config) throws IOException {
    if (Files.exists(config.dataDir())) {
      throw new IOException("data-dir \"" + config.dataDir() + "\" exists");
    }
    StateSnapshot saved = SnapshotFormat.decode(payload);
    MemberIdentity identity = MemberIdentity.of(config);
    long index = Math.max(saved.getAppliedIndex(), MemberIdentity.BOOTSTRAP_INDEX);
    StateSnapshot restored =
        saved.toBuilder()
            .setAppliedIndex(index)
            .setAppliedTerm(1)
            .clearAlarms()
            .setCluster(
                ClusterState.newBuilder()
                    .setClusterId(identity.clusterId())
                    .addAllMembers(identity.initialMembers()))
            .build();
    try (DiskStorage storage =
        DiskStorage.open(
            config.dataDir(),
            DiskStorage.Options.defaults(
                failure -> {
                  throw new IllegalStateException("writing the restored data dir failed", failure);
                }))) {
      StartingState.write(storage, restored, identity.bootstrapConfState());
    }
  }
}
