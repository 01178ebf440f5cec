package io.ketch.operator.backup;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.ketch.operator.model.EtcdBackup;
import io.ketch.operator.model.EtcdBackupStatus;
import io.ketch.operator.model.EtcdBackupStatus.Phase;
import io.ketch.operator.model.EtcdCluster;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Backups to a volume claim. The operator cannot mount a claim, so a Job does the streaming ({@link
 * SnapshotJob}, {@link SnapshotToVolume}): Running while the Job runs, then Succeeded with what its
 * pod reported in its termination message, or Failed with the pod's error, and the Job deleted. A
 * backup found Running with its Job still there (an operator restart) keeps waiting for that Job.
 */
final class VolumeBackups {
  static final Duration POLL = Duration.ofSeconds(5);

  private final KubernetesClient client;
  private final BackupSettings settings;
  private final Clock clock;

  VolumeBackups(KubernetesClient client, BackupSettings settings, Clock clock) {
    this.client = client;
    this.settings = settings;
    this.clock = clock;
  }

  UpdateControl<EtcdBackup> reconcile(
      EtcdBackup backup, EtcdCluster cluster, EtcdBackupStatus status) {
    String namespace = backup.getMetadata().getNamespace();
    String jobName = SnapshotJob.name(backup);
    Job job = client.batch().v1().jobs().inNamespace(namespace).withName(jobName).get();
    if (job == null) {
      List<String> sources = cluster == null ? List.of() : EtcdBackupReconciler.sources(cluster);
      String clusterName = backup.getSpec().getClusterRef().getName();
      if (sources.isEmpty()) {
        return write(backup, EtcdBackupReconciler.waiting(status, cluster, clusterName))
            .rescheduleAfter(EtcdBackupReconciler.RETRY);
      }
      client.resource(SnapshotJob.of(backup, sources, keep(backup, cluster), settings)).create();
      status.setPhase(Phase.Running);
      status.setStartTime(clock.instant().toString());
      status.setMessage(
          "Job "
              + jobName
              + " streams the snapshot to claim "
              + backup.getSpec().getDestination().getPvc().getClaimName());
      return write(backup, status).rescheduleAfter(POLL);
    }
    if (isFinished(job, "Complete")) {
      Optional<VolumeBackupResult> result =
          terminationMessage(namespace, jobName).flatMap(VolumeBackupResult::parse);
      if (result.isEmpty()) {
        EtcdBackupReconciler.failed(
            status, "Job " + jobName + " completed without reporting what it stored", clock);
      } else {
        status.setPhase(Phase.Succeeded);
        status.setRevision(result.get().revision());
        status.setSize(result.get().size());
        status.setSha256(result.get().sha256());
        status.setLocation(result.get().location());
        status.setCompletionTime(clock.instant().toString());
        status.setMessage("stored a snapshot of revision " + result.get().revision());
      }
    } else if (isFinished(job, "Failed")) {
      String why =
          terminationMessage(namespace, jobName)
              .or(() -> condition(job, "Failed").map(JobCondition::getMessage))
              .orElse("no message");
      EtcdBackupReconciler.failed(status, "Job " + jobName + " failed: " + why.strip(), clock);
    } else {
      return UpdateControl.<EtcdBackup>noUpdate().rescheduleAfter(POLL);
    }
    UpdateControl<EtcdBackup> done = write(backup, status);
    // Its outcome is in the status now; the pods go with it.
    client
        .resource(job)
        .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND)
        .delete();
    return done;
  }

  /**
   * A scheduled backup applies the schedule's retention to the scheduled files of its directory.
   */
  private static OptionalInt keep(EtcdBackup backup, EtcdCluster cluster) {
    var labels = backup.getMetadata().getLabels();
    boolean scheduled =
        labels != null && "true".equals(labels.get(BackupScheduler.SCHEDULED_LABEL));
    if (!scheduled || cluster == null || cluster.getSpec().getBackup() == null) {
      return OptionalInt.empty();
    }
    return OptionalInt.of(BackupScheduler.retention(cluster.getSpec().getBackup()));
  }

  private static boolean isFinished(Job job, String type) {
    return condition(job, type).isPresent();
  }

  private static Optional<JobCondition> condition(Job job, String type) {
    if (job.getStatus() == null || job.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return job.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus()))
        .findFirst();
  }

  /** The termination message of the Job's newest pod that ended. */
  private Optional<String> terminationMessage(String namespace, String jobName) {
    return client
        .pods()
        .inNamespace(namespace)
        .withLabel("job-name", jobName)
        .list()
        .getItems()
        .stream()
        .sorted(
            Comparator.comparing(
                    (Pod p) -> Objects.toString(p.getMetadata().getCreationTimestamp(), ""))
                .reversed())
        .map(VolumeBackups::terminated)
        .flatMap(Optional::stream)
        .map(ContainerStateTerminated::getMessage)
        .filter(m -> m != null && !m.isBlank())
        .findFirst();
  }

  private static Optional<ContainerStateTerminated> terminated(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
      return Optional.empty();
    }
    return pod.getStatus().getContainerStatuses().stream()
        .filter(s -> SnapshotJob.CONTAINER.equals(s.getName()))
        .map(ContainerStatus::getState)
        .filter(s -> s != null && s.getTerminated() != null)
        .map(s -> s.getTerminated())
        .findFirst();
  }

  private UpdateControl<EtcdBackup> write(EtcdBackup backup, EtcdBackupStatus status) {
    EtcdBackupReconciler.write(client, backup, status);
    return UpdateControl.noUpdate();
  }
}
