package io.ketch.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.ketch.operator.model.EtcdBackupStatus;
import io.ketch.operator.model.EtcdBackupStatus.Phase;
import io.ketch.operator.model.EtcdCluster;
import java.nio.file.Files;
import java.util.HexFormat;
import org.jclouds.blobstore.domain.Blob;
import org.junit.jupiter.api.Test;

class EtcdBackupReconcilerTest extends BackupFixture {
  @Test
  void streamsTheSnapshotToS3AndRecordsWhatItStored() throws Exception {
    backup("nightly");
    EtcdBackupStatus status = reconcile("nightly");

    byte[] file = member.snapshot;
    String sha256 = HexFormat.of().formatHex(SnapshotDigest.sha256().digest(file));
    assertThat(status.getMessage()).isEqualTo("stored a snapshot of revision 42");
    assertThat(status.getPhase()).isEqualTo(Phase.Succeeded);
    assertThat(status.getLocation()).isEqualTo("s3://snapshots/prod/db/main/nightly.db");
    assertThat(status.getSize()).isEqualTo(file.length);
    assertThat(status.getSha256()).isEqualTo(sha256);
    assertThat(status.getRevision()).isEqualTo(FakeMember.REVISION);
    assertThat(status.getStartTime()).isEqualTo("2026-12-01T10:00:00Z");
    assertThat(status.getCompletionTime()).isEqualTo("2026-12-01T10:00:00Z");
    Blob blob = s3.blobs.getBlob(S3Server.BUCKET, "prod/db/main/nightly.db");
    try (var in = blob.getPayload().openStream()) {
      assertThat(in.readAllBytes()).isEqualTo(file);
    }
    assertThat(blob.getMetadata().getUserMetadata()).containsEntry("sha256", sha256);
    try (var spooled = Files.list(spool)) {
      assertThat(spooled).as("spool files are removed").isEmpty();
    }

    assertThat(reconcile("nightly").getPhase())
        .as("a finished backup stays finished")
        .isEqualTo(Phase.Succeeded);
  }

  @Test
  void aCorruptStreamFailsTheBackupAndUploadsNothing() {
    byte[] corrupt = member.snapshot.clone();
    corrupt[5000] ^= 1;
    member.snapshot = corrupt;
    backup("bad");
    EtcdBackupStatus status = reconcile("bad");

    assertThat(status.getPhase()).isEqualTo(Phase.Failed);
    assertThat(status.getMessage())
        .isEqualTo(
            "snapshot from "
                + member.url()
                + " is corrupt: its SHA-256 trailer does not match the 100000 bytes before it");
    assertThat(s3.blobs.blobExists(S3Server.BUCKET, "prod/db/main/bad.db")).isFalse();
  }

  @Test
  void waitsWhileNoMemberIsHealthy() {
    EtcdCluster cluster =
        client.resources(EtcdCluster.class).inNamespace(NAMESPACE).withName(CLUSTER).get();
    cluster.getStatus().getMembers().get(0).setHealthy(false);
    client.resource(cluster).updateStatus();
    backup("early");

    EtcdBackupStatus status = reconcile("early");
    assertThat(status.getPhase()).isEqualTo(Phase.Pending);
    assertThat(status.getMessage()).isEqualTo("waiting for a healthy member of main");
  }
}
