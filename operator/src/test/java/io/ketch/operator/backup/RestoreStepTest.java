package io.ketch.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.ketch.operator.model.BackupSource;
import io.ketch.operator.model.BootstrapSpec;
import io.ketch.operator.model.EtcdCluster;
import io.ketch.operator.model.EtcdClusterSpec;
import io.ketch.operator.resources.MemberImage;
import io.ketch.operator.resources.MemberStatefulSet;
import io.ketch.operator.resources.PodAdditions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestoreStepTest {
  static final MemberImage IMAGE = new MemberImage("ketch/node", "0.1.0", List.of());
  static final RestoreStep STEP =
      new RestoreStep(
          "ketch/operator:0.1.0",
          BackupSettings.DEFAULT_JAVA_COMMAND,
          IMAGE,
          List.of("ketchctl", "snapshot", "restore"));
  static S3Server s3;

  @TempDir Path dir;

  @BeforeAll
  static void startS3() throws Exception {
    s3 = new S3Server();
  }

  @AfterAll
  static void stopS3() throws Exception {
    s3.close();
  }

  static EtcdCluster cluster(String location) {
    EtcdCluster cluster = new EtcdCluster();
    cluster.setMetadata(
        new ObjectMetaBuilder()
            .withName("copy")
            .withNamespace("db")
            .withUid("0123456789abcdef")
            .build());
    EtcdClusterSpec spec = new EtcdClusterSpec();
    spec.setReplicas(3);
    BackupSource source = new BackupSource();
    source.setDestination(BackupFixture.s3Destination(s3));
    source.setLocation(location);
    BootstrapSpec bootstrap = new BootstrapSpec();
    bootstrap.setFromBackup(source);
    spec.setBootstrap(bootstrap);
    cluster.setSpec(spec);
    return cluster;
  }

  @Test
  void aClusterWithoutBootstrapGetsNothing() {
    EtcdCluster cluster = cluster(null);
    cluster.getSpec().setBootstrap(null);
    assertThat(STEP.apply(cluster)).isEqualTo(PodAdditions.NONE);
  }

  @Test
  void fetchesOnTheOperatorImageThenRestoresOnTheMemberImage() {
    PodAdditions additions = STEP.apply(cluster("s3://snapshots/prod/db/main/nightly.db"));
    assertThat(additions.volumes()).extracting(v -> v.getName()).containsExactly("restore");
    assertThat(additions.volumes().get(0).getEmptyDir()).isNotNull();
    List<Container> init = additions.initContainers();
    assertThat(init)
        .extracting(Container::getName)
        .containsExactly("fetch-snapshot", "restore-snapshot");

    Container fetch = init.get(0);
    assertThat(fetch.getImage()).isEqualTo("ketch/operator:0.1.0");
    assertThat(fetch.getCommand())
        .containsExactly(
            "java",
            "-cp",
            "/opt/ketch/ketch-operator.jar",
            "io.ketch.operator.backup.FetchSnapshot");
    assertThat(fetch.getArgs())
        .containsExactly(
            "--data-dir=/var/lib/etcd/data",
            "--output=/restore/snapshot.db",
            "--location=s3://snapshots/prod/db/main/nightly.db",
            "--endpoint=" + s3.endpoint(),
            "--region=us-east-1",
            "--path-style=true");
    assertThat(fetch.getEnv())
        .extracting(EnvVar::getName)
        .containsExactly(
            "POD_NAME",
            "ETCD_INITIAL_CLUSTER_STATE",
            "ETCD_INITIAL_CLUSTER",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY");
    assertThat(fetch.getEnv().get(3).getValueFrom().getSecretKeyRef().getName())
        .isEqualTo("s3-credentials");

    Container restore = init.get(1);
    assertThat(restore.getImage()).isEqualTo("ketch/node:0.1.0");
    assertThat(restore.getCommand()).hasSize(3).startsWith("sh", "-c");
    assertThat(restore.getCommand().get(2))
        .isEqualTo(
            String.join(
                "\n",
                "set -e",
                "[ -f /restore/snapshot.db ] || exit 0",
                "if [ -n \"$(ls -A /var/lib/etcd/data 2>/dev/null)\" ]; then rm -f /restore/snapshot.db; exit 0; fi",
                "rmdir /var/lib/etcd/data 2>/dev/null || true",
                "ketchctl snapshot restore /restore/snapshot.db --data-dir=/var/lib/etcd/data"
                    + " --name=\"${POD_NAME}\" --initial-cluster=\"${ETCD_INITIAL_CLUSTER}\""
                    + " --initial-cluster-token=copy-01234567"
                    + " --initial-advertise-peer-urls=http://${POD_NAME}.copy.db.svc:2380",
                "rm -f /restore/snapshot.db"));
    for (Container c : init) {
      assertThat(c.getVolumeMounts())
          .extracting(m -> m.getName() + ":" + m.getMountPath())
          .containsExactly("data:/var/lib/etcd", "restore:/restore");
    }
  }

  @Test
  void theStatefulSetCarriesTheInitContainers() {
    EtcdCluster cluster = cluster(null);
    var pod =
        MemberStatefulSet.of(cluster, IMAGE, 1, STEP.apply(cluster))
            .getSpec()
            .getTemplate()
            .getSpec();
    assertThat(pod.getInitContainers())
        .extracting(Container::getName)
        .containsExactly("fetch-snapshot", "restore-snapshot");
    assertThat(pod.getInitContainers().get(0).getArgs())
        .contains("--newest-under=s3://snapshots/prod/");
  }

  private Map<String, String> flags(Path dataDir, String where) {
    return Map.of(
        "data-dir",
        dataDir.toString(),
        "output",
        dir.resolve("snapshot.db").toString(),
        where.startsWith("s3://snapshots/prod/db/") && where.endsWith(".db")
            ? "location"
            : "newest-under",
        where,
        "endpoint",
        s3.endpoint(),
        "path-style",
        "true");
  }

  private static final Map<String, String> SEED =
      Map.of(
          "ETCD_INITIAL_CLUSTER_STATE", "new",
          "AWS_ACCESS_KEY_ID", S3Server.ACCESS_KEY,
          "AWS_SECRET_ACCESS_KEY", S3Server.SECRET_KEY);

  private byte[] upload(String key, byte[] file, long revision) throws Exception {
    Path local = dir.resolve("upload");
    Files.write(local, file);
    try (S3Store store = new S3Store(s3.settings())) {
      store.put(
          key,
          new Snapshot(
              local,
              file.length,
              HexFormat.of().formatHex(SnapshotDigest.sha256().digest(file)),
              revision));
    }
    return file;
  }

  @Test
  void fetchDownloadsTheNewestBackupForASeedWithAnEmptyDataDir() throws Exception {
    upload("prod/db/main/a.db", SnapshotDigestTest.snapshot(1000, 1), 5);
    byte[] newest = upload("prod/db/main/b.db", SnapshotDigestTest.snapshot(2000, 2), 9);

    String done =
        FetchSnapshot.run(flags(dir.resolve("data"), "s3://snapshots/prod/db/main/"), SEED);
    assertThat(done)
        .isEqualTo("fetched s3://snapshots/prod/db/main/b.db to " + dir.resolve("snapshot.db"));
    assertThat(Files.readAllBytes(dir.resolve("snapshot.db"))).isEqualTo(newest);
  }

  @Test
  void fetchLeavesLiveDataAndJoiningMembersAlone() throws Exception {
    upload("prod/db/main/a.db", SnapshotDigestTest.snapshot(1000, 1), 5);
    Path live = Files.createDirectories(dir.resolve("live"));
    Files.writeString(live.resolve("member"), "x");
    assertThat(FetchSnapshot.run(flags(live, "s3://snapshots/prod/db/main/a.db"), SEED))
        .isEqualTo("data dir " + live + " holds data: nothing to restore");
    Map<String, String> joining = new java.util.HashMap<>(SEED);
    joining.put("ETCD_INITIAL_CLUSTER_STATE", "existing");
    assertThat(
            FetchSnapshot.run(
                flags(dir.resolve("empty"), "s3://snapshots/prod/db/main/a.db"), joining))
        .isEqualTo("member joins an existing cluster: nothing to restore");
    assertThat(dir.resolve("snapshot.db")).doesNotExist();
  }

  @Test
  void fetchRefusesASnapshotThatChangedInStorage() throws Exception {
    // Its own prefix: the class shares one S3 server, and the newest-backup test lists
    // prod/db/main/.
    byte[] file = upload("prod/db/changed/c.db", SnapshotDigestTest.snapshot(1000, 3), 5);
    // Overwrite the object's bytes behind the store's back, keeping its recorded SHA-256.
    var blob = s3.blobs.getBlob(S3Server.BUCKET, "prod/db/changed/c.db");
    byte[] changed = file.clone();
    changed[10] ^= 1;
    s3.blobs.putBlob(
        S3Server.BUCKET,
        s3.blobs
            .blobBuilder("prod/db/changed/c.db")
            .payload(changed)
            .userMetadata(blob.getMetadata().getUserMetadata())
            .build());

    assertThatThrownBy(
            () ->
                FetchSnapshot.run(
                    flags(dir.resolve("data"), "s3://snapshots/prod/db/changed/c.db"), SEED))
        .isInstanceOf(CorruptSnapshotException.class)
        .hasMessage(
            "snapshot from s3://snapshots/prod/db/changed/c.db is corrupt: its SHA-256 trailer does not match the 1000"
                + " bytes before it");
    assertThat(dir.resolve("snapshot.db")).doesNotExist();
  }
}
