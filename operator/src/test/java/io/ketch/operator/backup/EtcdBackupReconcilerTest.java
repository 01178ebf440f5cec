package io.ketch.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.ketch.operator.model.EtcdBackup;
import io.ketch.operator.model.EtcdBackupStatus;
import io.ketch.operator.model.EtcdBackupStatus.Phase;
import io.ketch.operator.model.EtcdCluster;
import io.ketch.operator.model.ScheduledBackupSpec;
import java.nio.file.Files;
import java.util.HexFormat;
import java.util.Map;
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

  EtcdBackup pvcBackup(String name) {
    EtcdBackup backup = VolumeBackupTest.backup(name);
    backup.getMetadata().setUid(null);
    backup.getSpec().getClusterRef().setName(CLUSTER);
    return client.resource(backup).create();
  }

  /** What the Job controller and the kubelet do when the Job's pod ends. */
  void finish(String job, String condition, String terminationMessage) {
    client
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(job + "-x1")
                .withNamespace(NAMESPACE)
                .withLabels(Map.of("job-name", job))
                .endMetadata()
                .withNewStatus()
                .addNewContainerStatus()
                .withName(SnapshotJob.CONTAINER)
                .withNewState()
                .withNewTerminated()
                .withExitCode("Complete".equals(condition) ? 0 : 1)
                .withMessage(terminationMessage)
                .endTerminated()
                .endState()
                .endContainerStatus()
                .endStatus()
                .build())
        .create();
    client
        .batch()
        .v1()
        .jobs()
        .inNamespace(NAMESPACE)
        .withName(job)
        .editStatus(
            j -> {
              j.setStatus(
                  new JobStatusBuilder()
                      .addNewCondition()
                      .withType(condition)
                      .withStatus("True")
                      .withMessage("Job has reached the specified backoff limit")
                      .endCondition()
                      .build());
              return j;
            });
  }

  @Test
  void aBackupToAClaimRunsAJobAndRecordsWhatItsPodReported() {
    pvcBackup("to-volume");
    EtcdBackupStatus status = reconcile("to-volume");

    assertThat(status.getPhase()).isEqualTo(Phase.Running);
    assertThat(status.getMessage())
        .isEqualTo("Job to-volume-snapshot streams the snapshot to claim etcd-backups");
    Job job =
        client.batch().v1().jobs().inNamespace(NAMESPACE).withName("to-volume-snapshot").get();
    assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
        .contains("--endpoints=http://main-0.main.db.svc:2379", "--name=to-volume")
        .noneMatch(a -> a.startsWith("--keep"));
    assertThat(job.getMetadata().getOwnerReferences().get(0).getName()).isEqualTo("to-volume");
    assertThat(reconcile("to-volume").getPhase())
        .as("still running while the Job runs")
        .isEqualTo(Phase.Running);

    VolumeBackupResult stored =
        new VolumeBackupResult(
            42, 100_032, "ab".repeat(32), "pvc://etcd-backups/snapshots/db/main/to-volume.db");
    finish("to-volume-snapshot", "Complete", stored.format());
    status = reconcile("to-volume");

    assertThat(status.getPhase()).isEqualTo(Phase.Succeeded);
    assertThat(status.getRevision()).isEqualTo(42);
    assertThat(status.getSize()).isEqualTo(100_032);
    assertThat(status.getSha256()).isEqualTo("ab".repeat(32));
    assertThat(status.getLocation()).isEqualTo("pvc://etcd-backups/snapshots/db/main/to-volume.db");
    assertThat(status.getMessage()).isEqualTo("stored a snapshot of revision 42");
    assertThat(
            client.batch().v1().jobs().inNamespace(NAMESPACE).withName("to-volume-snapshot").get())
        .as("the Job is deleted once its outcome is recorded")
        .isNull();
  }

  @Test
  void aFailedJobFailsTheBackupWithItsPodsError() {
    pvcBackup("broken");
    reconcile("broken");
    finish(
        "broken-snapshot",
        "Failed",
        "snapshot from http://main-0.main.db.svc:2379 failed: UNAVAILABLE\n");

    EtcdBackupStatus status = reconcile("broken");
    assertThat(status.getPhase()).isEqualTo(Phase.Failed);
    assertThat(status.getMessage())
        .isEqualTo(
            "Job broken-snapshot failed: snapshot from http://main-0.main.db.svc:2379 failed: UNAVAILABLE");
  }

  @Test
  void aScheduledBackupToAClaimCarriesTheRetention() {
    EtcdCluster cluster =
        client.resources(EtcdCluster.class).inNamespace(NAMESPACE).withName(CLUSTER).get();
    ScheduledBackupSpec schedule = new ScheduledBackupSpec();
    schedule.setSchedule("@daily");
    schedule.setRetention(3);
    schedule.setDestination(VolumeBackupTest.pvcDestination("/"));
    cluster.getSpec().setBackup(schedule);
    client.resource(cluster).update();
    EtcdBackup backup = VolumeBackupTest.backup("main-20261201-0000");
    backup.getMetadata().setUid(null);
    backup.getMetadata().setLabels(Map.of(BackupScheduler.SCHEDULED_LABEL, "true"));
    client.resource(backup).create();

    reconcile("main-20261201-0000");
    Job job =
        client
            .batch()
            .v1()
            .jobs()
            .inNamespace(NAMESPACE)
            .withName("main-20261201-0000-snapshot")
            .get();
    assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
        .contains("--keep=3", "--keep-scheduled-of=main");
  }
}
