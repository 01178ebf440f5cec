package io.ketch.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.ketch.operator.model.EtcdBackup;
import io.ketch.operator.model.EtcdBackupStatus.Phase;
import io.ketch.operator.model.EtcdCluster;
import io.ketch.operator.model.ScheduledBackupSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The schedule and retention, with the EtcdBackup reconciler taking each run it creates. */
class BackupSchedulerTest extends BackupFixture {
  BackupScheduler scheduler;

  @BeforeEach
  void schedule() {
    clock.now = Instant.parse("2027-01-01T10:00:00Z");
    scheduler = new BackupScheduler(client, clock);
    EtcdCluster cluster = cluster();
    ScheduledBackupSpec backup = new ScheduledBackupSpec();
    backup.setSchedule("*/30 * * * *");
    backup.setRetention(2);
    backup.setDestination(s3Destination(s3));
    cluster.getSpec().setBackup(backup);
    client.resource(cluster).update();
  }

  private EtcdCluster cluster() {
    return client.resources(EtcdCluster.class).inNamespace(NAMESPACE).withName(CLUSTER).get();
  }

  private List<EtcdBackup> runs() {
    return scheduler.scheduled(cluster());
  }

  private Duration round() {
    Duration wait =
        scheduler
            .reconcile(cluster(), null)
            .getScheduleDelay()
            .map(Duration::ofMillis)
            .orElseThrow();
    for (EtcdBackup run : runs()) {
      if (run.getStatus() == null) {
        reconcile(run.getMetadata().getName());
      }
    }
    return wait;
  }

  @Test
  void runsOnScheduleAndKeepsTheNewestBackups() {
    // The cluster was created (by the mock server's clock) long before: one catch-up run, not one
    // per slot.
    assertThat(round())
        .as("a run in flight is looked at again soon")
        .isEqualTo(Duration.ofSeconds(21));
    assertThat(runs())
        .extracting(r -> r.getMetadata().getName())
        .containsExactly("main-20270101-1000");
    assertThat(runs().get(0).getStatus().getPhase()).isEqualTo(Phase.Succeeded);
    assertThat(runs().get(0).getMetadata().getOwnerReferences().get(0).getName())
        .isEqualTo(CLUSTER);

    clock.now = Instant.parse("2027-01-01T10:20:00Z");
    assertThat(round()).as("not due yet").isEqualTo(Duration.ofMinutes(10).plusSeconds(1));
    assertThat(runs()).hasSize(1);

    for (String at : List.of("10:30", "11:00", "11:30")) {
      clock.now = Instant.parse("2027-01-01T" + at + ":00Z");
      round();
    }
    round(); // retention sees the 11:30 run Succeeded
    assertThat(runs())
        .extracting(r -> r.getMetadata().getName())
        .containsExactly("main-20270101-1100", "main-20270101-1130");
    assertThat(
            s3.blobs.list(
                S3Server.BUCKET,
                org.jclouds.blobstore.options.ListContainerOptions.Builder.recursive()))
        .extracting(m -> m.getName())
        .containsExactlyInAnyOrder(
            "prod/db/main/main-20270101-1100.db", "prod/db/main/main-20270101-1130.db");
  }
}
