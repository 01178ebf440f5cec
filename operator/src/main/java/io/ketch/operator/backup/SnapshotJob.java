package io.ketch.operator.backup;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.ketch.operator.model.EtcdBackup;
import io.ketch.operator.model.PvcDestination;
import io.ketch.operator.resources.Labels;
import io.ketch.operator.resources.Owned;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The Job that takes a backup to a volume claim: one pod on the operator's image that mounts the
 * claim at {@value #MOUNT} and runs {@link SnapshotToVolume}. The file is {@code
 * <path>/<namespace>/<cluster>/<backup>.db} in the claim, as an S3 key is {@code
 * <keyPrefix><namespace>/<cluster>/<backup>.db}. The Job is owned by its EtcdBackup.
 */
final class SnapshotJob {
  static final String CONTAINER = "snapshot";
  static final String VOLUME = "backup";
  static final String MOUNT = "/backup";
  static final String COMPONENT = "backup";
  static final String APP = "etcd-backup";

  /** Retries of the pod before the backup fails: a member restarting can cut one stream. */
  static final int BACKOFF_LIMIT = 2;

  private SnapshotJob() {}

  /**
   * @param sources the members' client URLs, in the order to try them
   * @param keep for a scheduled backup, how many scheduled backups to keep in the directory
   */
  static Job of(
      EtcdBackup backup, List<String> sources, OptionalInt keep, BackupSettings settings) {
    String namespace = backup.getMetadata().getNamespace();
    String cluster = backup.getSpec().getClusterRef().getName();
    PvcDestination pvc = backup.getSpec().getDestination().getPvc();
    String relative = directory(pvc, namespace, cluster);
    String name = backup.getMetadata().getName();
    List<String> args = new ArrayList<>();
    args.add("--endpoints=" + String.join(",", sources));
    args.add("--directory=" + MOUNT + "/" + relative);
    args.add("--name=" + name);
    args.add(
        "--location="
            + new PvcLocation(pvc.getClaimName(), relative + "/" + name + VolumeStore.SUFFIX));
    args.add("--timeout-seconds=" + settings.snapshotTimeout().toSeconds());
    args.add("--result=" + SnapshotToVolume.TERMINATION_LOG);
    if (keep.isPresent()) {
      args.add("--keep=" + keep.getAsInt());
      args.add("--keep-scheduled-of=" + cluster);
    }
    List<String> command = new ArrayList<>(settings.javaCommand());
    command.add(SnapshotToVolume.class.getName());
    // Not the members' labels: the client Service and the PodDisruptionBudget select by those.
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(Labels.NAME, APP);
    labels.put(Labels.INSTANCE, cluster);
    labels.put(Labels.COMPONENT, COMPONENT);
    labels.put(Labels.MANAGED_BY, Labels.OPERATOR);
    return new JobBuilder()
        .withNewMetadata()
        .withName(name(backup))
        .withNamespace(namespace)
        .withLabels(labels)
        .withOwnerReferences(Owned.ownerReference(backup))
        .endMetadata()
        .withNewSpec()
        .withBackoffLimit(BACKOFF_LIMIT)
        .withActiveDeadlineSeconds(
            (BACKOFF_LIMIT + 1)
                * settings.snapshotTimeout().plus(Duration.ofMinutes(1)).toSeconds())
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withRestartPolicy("Never")
        .addNewVolume()
        .withName(VOLUME)
        .withNewPersistentVolumeClaim()
        .withClaimName(pvc.getClaimName())
        .endPersistentVolumeClaim()
        .endVolume()
        .addToContainers(
            new ContainerBuilder()
                .withName(CONTAINER)
                .withImage(settings.operatorImage())
                .withCommand(command)
                .withArgs(args)
                // The outcome is the termination message; an error that wrote none shows the log.
                .withTerminationMessagePath(SnapshotToVolume.TERMINATION_LOG)
                .withTerminationMessagePolicy("FallbackToLogsOnError")
                .addNewVolumeMount()
                .withName(VOLUME)
                .withMountPath(MOUNT)
                .endVolumeMount()
                .withNewResources()
                .addToRequests("cpu", new Quantity("100m"))
                .addToRequests("memory", new Quantity("128Mi"))
                .addToLimits("memory", new Quantity("256Mi"))
                .endResources()
                .build())
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  /**
   * {@code <backup>-snapshot}, shortened with a hash of the whole name when too long: a Job's name
   * becomes its pods' job-name label, at most 63 characters.
   */
  static String name(EtcdBackup backup) {
    String name = backup.getMetadata().getName();
    String suffix = "-snapshot";
    if (name.length() + suffix.length() <= 63) {
      return name + suffix;
    }
    String hash =
        HexFormat.of()
            .formatHex(SnapshotDigest.sha256().digest(name.getBytes(StandardCharsets.UTF_8)))
            .substring(0, 8);
    return name.substring(0, 63 - suffix.length() - hash.length() - 1) + "-" + hash + suffix;
  }

  /**
   * The destination's path inside the claim without leading or trailing slashes; "" for its root.
   */
  static String path(PvcDestination pvc) {
    return pvc.getPath() == null ? "" : pvc.getPath().replaceAll("^/+|/+$", "");
  }

  /** The cluster's directory inside the claim, relative to its root. */
  static String directory(PvcDestination pvc, String namespace, String cluster) {
    String path = path(pvc);
    return (path.isEmpty() ? "" : path + "/") + namespace + "/" + cluster;
  }
}
