package io.ketch.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.ketch.operator.model.BackupDestination;
import io.ketch.operator.model.BackupSource;
import io.ketch.operator.model.BootstrapSpec;
import io.ketch.operator.model.ClusterReference;
import io.ketch.operator.model.EtcdBackup;
import io.ketch.operator.model.EtcdBackupSpec;
import io.ketch.operator.model.EtcdCluster;
import io.ketch.operator.model.EtcdClusterSpec;
import io.ketch.operator.model.PvcDestination;
import io.ketch.operator.resources.MemberImage;
import io.ketch.operator.resources.PodAdditions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backups to a volume claim: the Job as a pure function, its container's work, the restore. */
class VolumeBackupTest {
  static final BackupSettings SETTINGS =
      new BackupSettings(
          "ketch/operator:0.1.0",
          BackupSettings.DEFAULT_JAVA_COMMAND,
          List.of("ketchctl", "snapshot", "restore"),
          Path.of("/tmp"),
          Duration.ofSeconds(120));

  @TempDir Path dir;
  FakeMember member;

  @BeforeEach
  void startMember() throws Exception {
    member = new FakeMember(SnapshotDigestTest.snapshot(100_000, 4));
  }

  @AfterEach
  void stopMember() {
    member.close();
  }

  static BackupDestination pvcDestination(String path) {
    PvcDestination pvc = new PvcDestination();
    pvc.setClaimName("etcd-backups");
    pvc.setPath(path);
    BackupDestination destination = new BackupDestination();
    destination.setPvc(pvc);
    return destination;
  }

  static EtcdBackup backup(String name) {
    EtcdBackup backup = new EtcdBackup();
    backup.setMetadata(
        new ObjectMetaBuilder().withName(name).withNamespace("db").withUid("b-uid").build());
    EtcdBackupSpec spec = new EtcdBackupSpec();
    spec.setClusterRef(new ClusterReference("main"));
    spec.setDestination(pvcDestination("/snapshots/"));
    backup.setSpec(spec);
    return backup;
  }

  @Test
  void theJobMountsTheClaimAndStreamsFromTheMembersOnTheOperatorImage() {
    Job job =
        SnapshotJob.of(
            backup("nightly"),
            List.of("http://main-1.main.db.svc:2379", "http://main-0.main.db.svc:2379"),
            OptionalInt.of(5),
            SETTINGS);

    assertThat(job.getMetadata().getName()).isEqualTo("nightly-snapshot");
    assertThat(job.getMetadata().getNamespace()).isEqualTo("db");
    assertThat(job.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            owner -> {
              assertThat(owner.getKind()).isEqualTo("EtcdBackup");
              assertThat(owner.getName()).isEqualTo("nightly");
              assertThat(owner.getController()).isTrue();
            });
    assertThat(job.getSpec().getTemplate().getMetadata().getLabels())
        .as("not selected by the client Service or the PodDisruptionBudget")
        .containsEntry("app.kubernetes.io/name", "etcd-backup");
    assertThat(job.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/instance", "main")
        .containsEntry("app.kubernetes.io/managed-by", "ketch-operator");
    assertThat(job.getSpec().getBackoffLimit()).isEqualTo(SnapshotJob.BACKOFF_LIMIT);
    var pod = job.getSpec().getTemplate().getSpec();
    assertThat(pod.getRestartPolicy()).isEqualTo("Never");
    assertThat(pod.getVolumes())
        .singleElement()
        .satisfies(
            v -> assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("etcd-backups"));
    Container container = pod.getContainers().get(0);
    assertThat(container.getImage()).isEqualTo("ketch/operator:0.1.0");
    assertThat(container.getCommand())
        .containsExactly(
            "java", "-cp", "/opt/ketch/ketch-operator.jar", SnapshotToVolume.class.getName());
    assertThat(container.getArgs())
        .containsExactly(
            "--endpoints=http://main-1.main.db.svc:2379,http://main-0.main.db.svc:2379",
            "--directory=/backup/snapshots/db/main",
            "--name=nightly",
            "--location=pvc://etcd-backups/snapshots/db/main/nightly.db",
            "--timeout-seconds=120",
            "--result=/dev/termination-log",
            "--keep=5",
            "--keep-scheduled-of=main");
    assertThat(container.getVolumeMounts())
        .singleElement()
        .satisfies(m -> assertThat(m.getMountPath()).isEqualTo("/backup"));
    assertThat(container.getTerminationMessagePolicy()).isEqualTo("FallbackToLogsOnError");
  }

  @Test
  void aLongBackupNameGetsAShortenedUniqueJobName() {
    String longName = "a".repeat(70);
    String name = SnapshotJob.name(backup(longName));
    assertThat(name).hasSizeLessThanOrEqualTo(63).endsWith("-snapshot");
    assertThat(name).isNotEqualTo(SnapshotJob.name(backup("a".repeat(69) + "b")));
  }

  private Map<String, String> jobFlags(String name) {
    Map<String, String> flags = new HashMap<>();
    flags.put("endpoints", "http://127.0.0.1:1," + member.url());
    flags.put("directory", dir.resolve("db/main").toString());
    flags.put("name", name);
    flags.put("location", "pvc://etcd-backups/db/main/" + name + ".db");
    flags.put("timeout-seconds", "20");
    return flags;
  }

  @Test
  void theJobStoresTheVerifiedSnapshotBesideItsDigest() throws Exception {
    VolumeBackupResult result = SnapshotToVolume.run(jobFlags("nightly"));

    String sha256 = HexFormat.of().formatHex(SnapshotDigest.sha256().digest(member.snapshot));
    Path file = dir.resolve("db/main/nightly.db");
    assertThat(Files.readAllBytes(file)).isEqualTo(member.snapshot);
    assertThat(Files.readString(dir.resolve("db/main/nightly.db.sha256")))
        .isEqualTo(sha256 + "  nightly.db\n");
    assertThat(result)
        .isEqualTo(
            new VolumeBackupResult(
                FakeMember.REVISION,
                member.snapshot.length,
                sha256,
                "pvc://etcd-backups/db/main/nightly.db"));
    assertThat(VolumeBackupResult.parse(result.format())).contains(result);
    try (var files = Files.list(dir.resolve("db/main"))) {
      assertThat(files).as("no spool file is left").hasSize(2);
    }
  }

  @Test
  void aCorruptStreamLeavesNoFile() throws Exception {
    member.snapshot[100] ^= 1;
    assertThatThrownBy(() -> SnapshotToVolume.run(jobFlags("bad")))
        .isInstanceOf(CorruptSnapshotException.class)
        .hasMessageContaining("its SHA-256 trailer does not match");
    try (var files = Files.list(dir.resolve("db/main"))) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void retentionDeletesTheOldestScheduledFilesOnly() throws Exception {
    Path cluster = Files.createDirectories(dir.resolve("db/main"));
    for (String name :
        List.of("main-20261201-0000", "main-20261201-0600", "main-20261201-1200", "main-manual")) {
      Files.writeString(cluster.resolve(name + ".db"), name);
      Files.writeString(cluster.resolve(name + ".db.sha256"), name);
    }
    Map<String, String> flags = jobFlags("main-20261201-1800");
    flags.put("keep", "2");
    flags.put("keep-scheduled-of", "main");
    SnapshotToVolume.run(flags);

    try (var files = Files.list(cluster)) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .containsExactlyInAnyOrder(
              "main-20261201-1200.db",
              "main-20261201-1200.db.sha256",
              "main-20261201-1800.db",
              "main-20261201-1800.db.sha256",
              "main-manual.db",
              "main-manual.db.sha256");
    }
  }

  private static final Map<String, String> SEED = Map.of("ETCD_INITIAL_CLUSTER_STATE", "new");

  @Test
  void theRestoreCopiesFromTheClaimAndChecksTheRecordedDigest() throws Exception {
    SnapshotToVolume.run(jobFlags("older"));
    Files.setLastModifiedTime(
        dir.resolve("db/main/older.db"), java.nio.file.attribute.FileTime.fromMillis(1000));
    member.snapshot = SnapshotDigestTest.snapshot(5_000, 9);
    SnapshotToVolume.run(jobFlags("newer"));

    Map<String, String> flags = new HashMap<>();
    flags.put("data-dir", dir.resolve("data").toString());
    flags.put("output", dir.resolve("snapshot.db").toString());
    flags.put("newest-in", dir.toString());
    assertThat(FetchSnapshot.run(flags, SEED))
        .isEqualTo(
            "copied " + dir.resolve("db/main/newer.db") + " to " + dir.resolve("snapshot.db"));
    assertThat(Files.readAllBytes(dir.resolve("snapshot.db"))).isEqualTo(member.snapshot);

    // A file changed on the volume after it was written (its trailer recomputed) is refused.
    Files.delete(dir.resolve("snapshot.db"));
    Path file = dir.resolve("db/main/older.db");
    byte[] other = SnapshotDigestTest.snapshot(100_000, 5);
    Files.write(file, other);
    flags.remove("newest-in");
    flags.put("file", file.toString());
    assertThatThrownBy(() -> FetchSnapshot.run(flags, SEED))
        .isInstanceOf(CorruptSnapshotException.class)
        .hasMessageContaining("not the")
        .hasMessageContaining("recorded with it");
    assertThat(dir.resolve("snapshot.db")).doesNotExist();
  }

  @Test
  void aClusterRestoredFromAClaimMountsItReadOnlyInTheFetchStep() {
    EtcdCluster cluster = new EtcdCluster();
    cluster.setMetadata(
        new ObjectMetaBuilder().withName("copy").withNamespace("db").withUid("0123456789").build());
    EtcdClusterSpec spec = new EtcdClusterSpec();
    spec.setReplicas(3);
    BackupSource source = new BackupSource();
    source.setDestination(pvcDestination("/snapshots"));
    source.setLocation("pvc://etcd-backups/snapshots/db/main/nightly.db");
    BootstrapSpec bootstrap = new BootstrapSpec();
    bootstrap.setFromBackup(source);
    spec.setBootstrap(bootstrap);
    cluster.setSpec(spec);

    PodAdditions additions =
        new RestoreStep(SETTINGS, new MemberImage("ketch/node", "0.1.0", List.of())).apply(cluster);

    assertThat(additions.volumes())
        .filteredOn(v -> v.getName().equals(RestoreStep.SOURCE_VOLUME))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("etcd-backups");
              assertThat(v.getPersistentVolumeClaim().getReadOnly()).isTrue();
            });
    Container fetch = additions.initContainers().get(0);
    assertThat(fetch.getArgs())
        .containsExactly(
            "--data-dir=/var/lib/etcd/data",
            "--output=/restore/snapshot.db",
            "--file=/backup/snapshots/db/main/nightly.db");
    assertThat(fetch.getEnv()).noneMatch(e -> e.getName().startsWith("AWS_"));
    assertThat(fetch.getVolumeMounts())
        .filteredOn(m -> m.getName().equals(RestoreStep.SOURCE_VOLUME))
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.getMountPath()).isEqualTo("/backup");
              assertThat(m.getReadOnly()).isTrue();
            });

    source.setLocation("pvc://other-claim/x.db");
    assertThatThrownBy(
            () ->
                new RestoreStep(SETTINGS, new MemberImage("ketch/node", "0.1.0", List.of()))
                    .apply(cluster))
        .hasMessage(
            "location pvc://other-claim/x.db is not on the destination's claim etcd-backups");
  }
}
