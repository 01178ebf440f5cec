package io.ketch.operator.backup;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.ketch.operator.model.BackupSource;
import io.ketch.operator.model.EtcdCluster;
import io.ketch.operator.model.PvcDestination;
import io.ketch.operator.model.S3Destination;
import io.ketch.operator.resources.MemberImage;
import io.ketch.operator.resources.MemberStatefulSet;
import io.ketch.operator.resources.MemberTopology;
import io.ketch.operator.resources.PodAdditions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The init containers that start a new cluster from a backup (spec.bootstrap.fromBackup). The
 * operator bootstraps every cluster from one seed member and adds the others as learners, which
 * catch up from the seed through Raft; so only the seed restores: the member whose ConfigMap state
 * is still "new" and whose data dir is empty. A restarted pod (data present) or a member added
 * later (state "existing") passes through both containers untouched, so a restore can never
 * overwrite live data.
 *
 * <ol>
 *   <li>{@value #FETCH}, on the operator's image: {@link FetchSnapshot} downloads the snapshot into
 *       an emptyDir (or copies it from the backup's claim, mounted read-only) and checks its
 *       SHA-256, when the conditions above hold;
 *   <li>{@value #RESTORE}, on the member's image: when a snapshot was fetched and the data dir is
 *       still empty, {@code ketchctl snapshot restore} (or etcd's {@code etcdutl snapshot restore},
 *       which takes the same flags) writes the data dir for the member's name, initial cluster and
 *       token.
 * </ol>
 */
public final class RestoreStep implements Function<EtcdCluster, PodAdditions> {
  static final String FETCH = "fetch-snapshot";
  static final String RESTORE = "restore-snapshot";
  static final String VOLUME = "restore";
  static final String MOUNT = "/restore";
  static final String SNAPSHOT = MOUNT + "/snapshot.db";
  static final String SOURCE_VOLUME = "backup-source";
  static final String SOURCE_MOUNT = "/backup";

  private final String operatorImage;
  private final List<String> fetchCommand;
  private final MemberImage memberImage;
  private final List<String> restoreCommand;

  /**
   * @param javaCommand runs a main class of the operator's jar in the operator's image
   * @param restoreCommand the member image's restore command, e.g. {@code [ketchctl, snapshot,
   *     restore]}
   */
  public RestoreStep(
      String operatorImage,
      List<String> javaCommand,
      MemberImage memberImage,
      List<String> restoreCommand) {
    this.operatorImage = operatorImage;
    List<String> fetch = new ArrayList<>(javaCommand);
    fetch.add(FetchSnapshot.class.getName());
    this.fetchCommand = List.copyOf(fetch);
    this.memberImage = memberImage;
    this.restoreCommand = List.copyOf(restoreCommand);
  }

  public RestoreStep(BackupSettings settings, MemberImage memberImage) {
    this(settings.operatorImage(), settings.javaCommand(), memberImage, settings.restoreCommand());
  }

  @Override
  public PodAdditions apply(EtcdCluster cluster) {
    BackupSource source =
        cluster.getSpec().getBootstrap() == null
            ? null
            : cluster.getSpec().getBootstrap().getFromBackup();
    if (source == null) {
      return PodAdditions.NONE;
    }
    List<Volume> volumes = new ArrayList<>();
    volumes.add(new VolumeBuilder().withName(VOLUME).withNewEmptyDir().endEmptyDir().build());
    PvcDestination pvc = source.getDestination().getPvc();
    if (pvc != null) {
      volumes.add(
          new VolumeBuilder()
              .withName(SOURCE_VOLUME)
              .withNewPersistentVolumeClaim()
              .withClaimName(pvc.getClaimName())
              .withReadOnly(true)
              .endPersistentVolumeClaim()
              .build());
    }
    return new PodAdditions(
        List.of(
            pvc == null ? fetchFromS3(cluster, source) : fetchFromClaim(cluster, source, pvc),
            restore(cluster)),
        volumes);
  }

  /**
   * From the backup claim, mounted read-only: the file the location names, or the newest under the
   * destination's path.
   */
  private Container fetchFromClaim(EtcdCluster cluster, BackupSource source, PvcDestination pvc) {
    List<String> args = new ArrayList<>(fetchArgs());
    if (source.getLocation() != null) {
      PvcLocation location = PvcLocation.parse(source.getLocation());
      if (!location.claim().equals(pvc.getClaimName())) {
        throw new IllegalArgumentException(
            "location " + location + " is not on the destination's claim " + pvc.getClaimName());
      }
      args.add("--file=" + SOURCE_MOUNT + "/" + location.path());
    } else {
      String path = SnapshotJob.path(pvc);
      args.add("--newest-in=" + SOURCE_MOUNT + (path.isEmpty() ? "" : "/" + path));
    }
    List<VolumeMount> mounts = new ArrayList<>(mounts());
    mounts.add(
        new VolumeMountBuilder()
            .withName(SOURCE_VOLUME)
            .withMountPath(SOURCE_MOUNT)
            .withReadOnly(true)
            .build());
    return new ContainerBuilder()
        .withName(FETCH)
        .withImage(operatorImage)
        .withCommand(fetchCommand)
        .withArgs(args)
        .withEnv(MemberStatefulSet.memberEnv(cluster))
        .withVolumeMounts(mounts)
        .build();
  }

  private static List<String> fetchArgs() {
    return List.of("--data-dir=" + MemberStatefulSet.DATA_DIR, "--output=" + SNAPSHOT);
  }

  private Container fetchFromS3(EtcdCluster cluster, BackupSource source) {
    S3Destination s3 = source.getDestination().getS3();
    List<String> args = new ArrayList<>(fetchArgs());
    if (source.getLocation() != null) {
      args.add("--location=" + source.getLocation());
    } else {
      args.add(
          "--newest-under=s3://"
              + s3.getBucket()
              + "/"
              + Objects.requireNonNullElse(s3.getKeyPrefix(), ""));
    }
    if (s3.getEndpoint() != null) {
      args.add("--endpoint=" + s3.getEndpoint());
    }
    args.add(
        "--region=" + (s3.getRegion() == null ? S3Destination.DEFAULT_REGION : s3.getRegion()));
    args.add("--path-style=" + Boolean.TRUE.equals(s3.getPathStyle()));
    List<EnvVar> env = new ArrayList<>(MemberStatefulSet.memberEnv(cluster));
    env.add(
        fromSecret(
            FetchSnapshot.ACCESS_KEY_ENV, s3.getCredentialsSecret(), S3Destination.ACCESS_KEY_ID));
    env.add(
        fromSecret(
            FetchSnapshot.SECRET_KEY_ENV,
            s3.getCredentialsSecret(),
            S3Destination.SECRET_ACCESS_KEY));
    return new ContainerBuilder()
        .withName(FETCH)
        .withImage(operatorImage)
        .withCommand(fetchCommand)
        .withArgs(args)
        .withEnv(env)
        .withVolumeMounts(mounts())
        .build();
  }

  private Container restore(EtcdCluster cluster) {
    return new ContainerBuilder()
        .withName(RESTORE)
        .withImage(memberImage.imageFor(cluster.getSpec()))
        .withCommand("sh", "-c", restoreScript(cluster))
        .withEnv(MemberStatefulSet.memberEnv(cluster))
        .withVolumeMounts(mounts())
        .build();
  }

  /**
   * The restore container's script. The data dir must be empty at the moment of restoring, whatever
   * the fetch step saw: a pod whose init containers run again after the member wrote data keeps its
   * emptyDir, and with it a snapshot fetched the first time.
   */
  String restoreScript(EtcdCluster cluster) {
    MemberTopology topology = MemberTopology.of(cluster);
    String peerUrl =
        "http://${POD_NAME}."
            + topology.peerService()
            + "."
            + topology.namespace()
            + ".svc:"
            + MemberTopology.PEER_PORT;
    String dataDir = MemberStatefulSet.DATA_DIR;
    return String.join(
        "\n",
        "set -e",
        "[ -f " + SNAPSHOT + " ] || exit 0",
        "if [ -n \"$(ls -A "
            + dataDir
            + " 2>/dev/null)\" ]; then rm -f "
            + SNAPSHOT
            + "; exit 0; fi",
        "rmdir " + dataDir + " 2>/dev/null || true",
        String.join(" ", restoreCommand)
            + " "
            + SNAPSHOT
            + " --data-dir="
            + dataDir
            + " --name=\"${POD_NAME}\""
            + " --initial-cluster=\"${ETCD_INITIAL_CLUSTER}\""
            + " --initial-cluster-token="
            + MemberTopology.token(cluster)
            + " --initial-advertise-peer-urls="
            + peerUrl,
        "rm -f " + SNAPSHOT);
  }

  private static List<VolumeMount> mounts() {
    return List.of(
        new VolumeMountBuilder()
            .withName(MemberStatefulSet.DATA_VOLUME)
            .withMountPath(MemberStatefulSet.DATA_MOUNT)
            .build(),
        new VolumeMountBuilder().withName(VOLUME).withMountPath(MOUNT).build());
  }

  private static EnvVar fromSecret(String name, String secret, String key) {
    return new EnvVarBuilder()
        .withName(name)
        .withNewValueFrom()
        .withNewSecretKeyRef()
        .withName(secret)
        .withKey(key)
        .endSecretKeyRef()
        .endValueFrom()
        .build();
  }
}
