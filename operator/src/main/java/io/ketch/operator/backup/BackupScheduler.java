package io.ketch.operator.backup;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.ketch.operator.model.ClusterReference;
import io.ketch.operator.model.EtcdBackup;
import io.ketch.operator.model.EtcdBackupSpec;
import io.ketch.operator.model.EtcdBackupStatus.Phase;
import io.ketch.operator.model.EtcdCluster;
import io.ketch.operator.model.ScheduledBackupSpec;
import io.ketch.operator.resources.Labels;
import io.ketch.operator.resources.Owned;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scheduled backups of an EtcdCluster (spec.backup), timed by the operator itself rather than a
 * CronJob: each run is an EtcdBackup owned by the cluster, labelled as scheduled and annotated with
 * the minute it was due, so the schedule survives operator restarts (the next run follows the
 * newest one). Runs missed while the operator was down are caught up by one backup, not one per
 * missed slot. Retention keeps the newest {@code retention} Succeeded backups and deletes the older
 * ones, their snapshots first (in S3 here; on a volume claim the backup Job of each run deletes the
 * older scheduled files, as only a pod can); Failed runs older than the oldest kept are deleted
 * too.
 *
 * <p>A second controller of EtcdCluster: it never writes the cluster's status (the cluster
 * reconciler copies the newest backup into status.lastBackup).
 */
@ControllerConfiguration(name = "etcdcluster-backups")
public final class BackupScheduler implements Reconciler<EtcdCluster> {
  static final String SCHEDULED_LABEL = EtcdCluster.GROUP + "/scheduled-backup";
  static final String DUE_ANNOTATION = EtcdCluster.GROUP + "/due";

  /** While a run is in flight, look again soon to apply retention once it ends. */
  static final Duration IN_FLIGHT_RECHECK = Duration.ofSeconds(20);

  private static final DateTimeFormatter NAME_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmm").withZone(ZoneOffset.UTC);
  private static final Logger log = LoggerFactory.getLogger(BackupScheduler.class);

  private final KubernetesClient client;
  private final S3Stores stores;
  private final Clock clock;

  public BackupScheduler(KubernetesClient client, Clock clock) {
    this.client = client;
    this.stores = new S3Stores(client);
    this.clock = clock;
  }

  @Override
  public UpdateControl<EtcdCluster> reconcile(EtcdCluster cluster, Context<EtcdCluster> context) {
    ScheduledBackupSpec spec = cluster.getSpec().getBackup();
    if (spec == null) {
      return UpdateControl.noUpdate();
    }
    CronSchedule schedule;
    try {
      schedule = CronSchedule.parse(spec.getSchedule());
    } catch (IllegalArgumentException e) {
      log.warn(
          "{}/{}: {}",
          cluster.getMetadata().getNamespace(),
          cluster.getMetadata().getName(),
          e.getMessage());
      return UpdateControl.noUpdate();
    }
    Instant now = clock.instant();
    List<EtcdBackup> runs = scheduled(cluster);
    Instant last = runs.isEmpty() ? created(cluster, now) : due(runs.get(runs.size() - 1));
    Instant next = schedule.next(last);
    if (!next.isAfter(now)) {
      runs = append(runs, start(cluster, spec, now.truncatedTo(ChronoUnit.MINUTES)));
      next = schedule.next(now);
    }
    applyRetention(runs, retention(spec));
    Duration wait = Duration.between(now, next);
    if (runs.stream().anyMatch(BackupScheduler::inFlight)
        && wait.compareTo(IN_FLIGHT_RECHECK) > 0) {
      wait = IN_FLIGHT_RECHECK;
    }
    return UpdateControl.<EtcdCluster>noUpdate().rescheduleAfter(wait.plusSeconds(1));
  }

  /** How many Succeeded scheduled backups to keep. */
  static int retention(ScheduledBackupSpec spec) {
    return spec.getRetention() == null ? 7 : spec.getRetention();
  }

  /** The cluster's scheduled backups, oldest first. */
  List<EtcdBackup> scheduled(EtcdCluster cluster) {
    return client
        .resources(EtcdBackup.class)
        .inNamespace(cluster.getMetadata().getNamespace())
        .withLabel(Labels.INSTANCE, cluster.getMetadata().getName())
        .withLabel(SCHEDULED_LABEL, "true")
        .list()
        .getItems()
        .stream()
        .sorted(Comparator.comparing(BackupScheduler::due))
        .toList();
  }

  private EtcdBackup start(EtcdCluster cluster, ScheduledBackupSpec spec, Instant due) {
    EtcdBackup backup = new EtcdBackup();
    backup.setMetadata(
        Owned.metadata(
            cluster, cluster.getMetadata().getName() + "-" + NAME_TIME.format(due), "backup"));
    backup.getMetadata().getLabels().put(SCHEDULED_LABEL, "true");
    backup.getMetadata().getAnnotations().put(DUE_ANNOTATION, due.toString());
    EtcdBackupSpec backupSpec = new EtcdBackupSpec();
    backupSpec.setClusterRef(new ClusterReference(cluster.getMetadata().getName()));
    backupSpec.setDestination(spec.getDestination());
    backup.setSpec(backupSpec);
    try {
      return client.resource(backup).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return backup; // this minute's run exists already
      }
      throw e;
    }
  }

  private void applyRetention(List<EtcdBackup> runs, int retention) {
    List<EtcdBackup> succeeded = runs.stream().filter(b -> phase(b) == Phase.Succeeded).toList();
    if (succeeded.size() <= retention) {
      return;
    }
    Instant oldestKept = due(succeeded.get(succeeded.size() - retention));
    for (EtcdBackup run : runs) {
      if (due(run).isBefore(oldestKept) && !inFlight(run)) {
        delete(run);
      }
    }
  }

  private void delete(EtcdBackup run) {
    String namespace = run.getMetadata().getNamespace();
    if (phase(run) == Phase.Succeeded && run.getSpec().getDestination().getS3() != null) {
      try (S3Store store = stores.open(namespace, run.getSpec().getDestination().getS3())) {
        store.delete(S3Location.parse(run.getStatus().getLocation()));
      }
    }
    client.resource(run).delete();
    log.info("retention: deleted backup {}/{}", namespace, run.getMetadata().getName());
  }

  private static List<EtcdBackup> append(List<EtcdBackup> runs, EtcdBackup run) {
    return Stream.concat(runs.stream(), Stream.of(run)).toList();
  }

  private static boolean inFlight(EtcdBackup backup) {
    Phase phase = phase(backup);
    return phase != Phase.Succeeded && phase != Phase.Failed;
  }

  private static Phase phase(EtcdBackup backup) {
    return backup.getStatus() == null ? null : backup.getStatus().getPhase();
  }

  private static Instant due(EtcdBackup backup) {
    var annotations = backup.getMetadata().getAnnotations();
    String due = annotations == null ? null : annotations.get(DUE_ANNOTATION);
    return due == null ? Instant.EPOCH : Instant.parse(due);
  }

  private static Instant created(EtcdCluster cluster, Instant now) {
    String created = cluster.getMetadata().getCreationTimestamp();
    return created == null ? now : Instant.parse(created);
  }
}
