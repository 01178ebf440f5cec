package io.ketch.operator.backup;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.ketch.operator.model.EtcdBackup;
import io.ketch.operator.model.EtcdBackupStatus;
import io.ketch.operator.model.EtcdBackupStatus.Phase;
import io.ketch.operator.model.EtcdCluster;
import io.ketch.operator.model.MemberStatus;
import io.ketch.operator.model.S3Destination;
import io.ketch.operator.resources.MemberTopology;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An EtcdBackup, taken once: Pending while its cluster has no healthy member to stream from,
 * Running while the snapshot streams from a member (a healthy follower when there is one, to spare
 * the leader) and is uploaded, then Succeeded or Failed for good. A backup to S3 streams through
 * the operator; a backup found Running when a round starts was cut off by an operator restart and
 * is simply taken again: its object key is its own, so the retake overwrites the partial upload. A
 * backup to a volume claim is taken by a Job that mounts the claim ({@link VolumeBackups}).
 */
@ControllerConfiguration(name = "etcdbackup")
public final class EtcdBackupReconciler implements Reconciler<EtcdBackup> {
  static final Duration RETRY = Duration.ofSeconds(15);
  private static final Logger log = LoggerFactory.getLogger(EtcdBackupReconciler.class);

  private final KubernetesClient client;
  private final S3Stores stores;
  private final SnapshotTaker taker;
  private final BackupSettings settings;
  private final VolumeBackups volumeBackups;
  private final UnaryOperator<String> resolve;
  private final Clock clock;

  /**
   * @param resolve maps a member's advertised client URL to the URL the operator dials
   */
  public EtcdBackupReconciler(
      KubernetesClient client,
      BackupSettings settings,
      UnaryOperator<String> resolve,
      Clock clock) {
    this.client = client;
    this.stores = new S3Stores(client);
    this.taker = new SnapshotTaker(settings.snapshotTimeout());
    this.settings = settings;
    this.volumeBackups = new VolumeBackups(client, settings, clock);
    this.resolve = resolve;
    this.clock = clock;
  }

  @Override
  public UpdateControl<EtcdBackup> reconcile(EtcdBackup backup, Context<EtcdBackup> context) {
    EtcdBackupStatus status =
        backup.getStatus() == null ? new EtcdBackupStatus() : backup.getStatus();
    if (status.getPhase() == Phase.Succeeded || status.getPhase() == Phase.Failed) {
      return UpdateControl.noUpdate();
    }
    String namespace = backup.getMetadata().getNamespace();
    String clusterName = backup.getSpec().getClusterRef().getName();
    EtcdCluster cluster =
        client.resources(EtcdCluster.class).inNamespace(namespace).withName(clusterName).get();
    if (backup.getSpec().getDestination().getPvc() != null) {
      return volumeBackups.reconcile(backup, cluster, status);
    }
    List<String> sources = cluster == null ? List.of() : sources(cluster);
    if (sources.isEmpty()) {
      return patch(backup, waiting(status, cluster, clusterName)).rescheduleAfter(RETRY);
    }
    S3Destination s3 = backup.getSpec().getDestination().getS3();
    status.setPhase(Phase.Running);
    status.setStartTime(clock.instant().toString());
    status.setMessage("streaming the snapshot from " + sources.get(0));
    write(client, backup, status);
    try {
      take(backup, s3, sources, status);
    } catch (BackupException | CorruptSnapshotException e) {
      log.warn(
          "backup {}/{} failed: {}", namespace, backup.getMetadata().getName(), e.getMessage());
      failed(status, e.getMessage(), clock);
    }
    return patch(backup, status);
  }

  private void take(
      EtcdBackup backup, S3Destination s3, List<String> sources, EtcdBackupStatus status) {
    String namespace = backup.getMetadata().getNamespace();
    String key =
        S3Stores.clusterPrefix(s3, namespace, backup.getSpec().getClusterRef().getName())
            + backup.getMetadata().getName()
            + S3Store.SUFFIX;
    Snapshot snapshot =
        taker.takeFromFirst(sources.stream().map(resolve).toList(), settings.spool());
    try (S3Store store = stores.open(namespace, s3)) {
      S3Location location = store.put(key, snapshot);
      status.setPhase(Phase.Succeeded);
      status.setRevision(snapshot.revision());
      status.setSize(snapshot.size());
      status.setSha256(snapshot.sha256());
      status.setLocation(location.toString());
      status.setCompletionTime(clock.instant().toString());
      status.setMessage("stored a snapshot of revision " + snapshot.revision());
    } finally {
      SnapshotTaker.deleteQuietly(snapshot.file());
    }
  }

  /** Client URLs of the healthy members: followers first, the leader last. */
  static List<String> sources(EtcdCluster cluster) {
    if (cluster.getStatus() == null || cluster.getStatus().getMembers() == null) {
      return List.of();
    }
    MemberTopology topology = MemberTopology.of(cluster);
    return cluster.getStatus().getMembers().stream()
        .filter(m -> Boolean.TRUE.equals(m.getHealthy()) && !Boolean.TRUE.equals(m.getLearner()))
        .sorted(Comparator.comparing((MemberStatus m) -> Boolean.TRUE.equals(m.getLeader())))
        .map(m -> topology.ordinalOf(m.getName()))
        .filter(OptionalInt::isPresent)
        .map(ordinal -> topology.clientUrl(ordinal.getAsInt()))
        .toList();
  }

  /** Pending: the cluster is missing or has no healthy member to stream from. */
  static EtcdBackupStatus waiting(EtcdBackupStatus status, EtcdCluster cluster, String name) {
    status.setPhase(Phase.Pending);
    status.setMessage(
        cluster == null
            ? "EtcdCluster " + name + " not found"
            : "waiting for a healthy member of " + name);
    return status;
  }

  static EtcdBackupStatus failed(EtcdBackupStatus status, String message, Clock clock) {
    status.setPhase(Phase.Failed);
    status.setMessage(message);
    status.setCompletionTime(clock.instant().toString());
    return status;
  }

  /**
   * The status is written here rather than returned to the SDK, as Running must be seen while the
   * snapshot streams, and a merge patch of the status needs no resourceVersion.
   */
  private UpdateControl<EtcdBackup> patch(EtcdBackup backup, EtcdBackupStatus status) {
    write(client, backup, status);
    return UpdateControl.noUpdate();
  }

  static void write(KubernetesClient client, EtcdBackup backup, EtcdBackupStatus status) {
    backup.setStatus(status);
    backup.getMetadata().setResourceVersion(null);
    client.resource(backup).patchStatus();
  }
}
