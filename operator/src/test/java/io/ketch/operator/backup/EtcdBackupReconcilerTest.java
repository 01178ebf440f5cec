package io.ketch.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.ketch.operator.model.BackupDestination;
import io.ketch.operator.model.ClusterReference;
import io.ketch.operator.model.EtcdBackup;
import io.ketch.operator.model.EtcdBackupSpec;
import io.ketch.operator.model.EtcdBackupStatus;
import io.ketch.operator.model.EtcdBackupStatus.Phase;
import io.ketch.operator.model.EtcdCluster;
import io.ketch.operator.model.EtcdClusterSpec;
import io.ketch.operator.model.EtcdClusterStatus;
import io.ketch.operator.model.MemberStatus;
import io.ketch.operator.model.S3Destination;
import io.ketch.operator.resources.MemberTopology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jclouds.blobstore.domain.Blob;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@EnableKubernetesMockClient(crud = true)
class EtcdBackupReconcilerTest {
  static final String NAMESPACE = "db";
  static final String CLUSTER = "main";

  KubernetesClient client;
  @TempDir Path spool;
  S3Server s3;
  FakeMember member;
  MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
  EtcdBackupReconciler reconciler;

  @BeforeEach
  void start() throws Exception {
    Crds.register(client);
    s3 = new S3Server();
    member = new FakeMember(SnapshotDigestTest.snapshot(100_000, 1));
    MemberTopology topology = new MemberTopology(CLUSTER, NAMESPACE);
    reconciler =
        new EtcdBackupReconciler(
            client,
            Duration.ofSeconds(20),
            spool,
            url -> url.startsWith("http://" + CLUSTER + "-") ? member.url() : url,
            clock);
    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("s3-credentials")
                .withNamespace(NAMESPACE)
                .endMetadata()
                .withStringData(
                    Map.of(
                        S3Destination.ACCESS_KEY_ID, S3Server.ACCESS_KEY,
                        S3Destination.SECRET_ACCESS_KEY, S3Server.SECRET_KEY))
                .build())
        .create();
    createCluster(client, topology, true);
  }

  @AfterEach
  void stop() throws Exception {
    member.close();
    s3.close();
  }

  static EtcdCluster createCluster(
      KubernetesClient client, MemberTopology topology, boolean healthy) {
    EtcdCluster cluster = new EtcdCluster();
    cluster.setMetadata(
        new ObjectMetaBuilder()
            .withName(topology.cluster())
            .withNamespace(topology.namespace())
            .withUid(UUID.randomUUID().toString())
            .withCreationTimestamp("2026-12-01T09:00:00Z")
            .build());
    EtcdClusterSpec spec = new EtcdClusterSpec();
    spec.setReplicas(1);
    cluster.setSpec(spec);
    cluster = client.resource(cluster).create();
    EtcdClusterStatus status = new EtcdClusterStatus();
    MemberStatus member = new MemberStatus();
    member.setName(topology.memberName(0));
    member.setHealthy(healthy);
    member.setLeader(true);
    status.setMembers(List.of(member));
    cluster.setStatus(status);
    return client.resource(cluster).updateStatus();
  }

  static BackupDestination s3Destination(S3Server s3) {
    S3Destination dest = new S3Destination();
    dest.setEndpoint(s3.endpoint());
    dest.setBucket(S3Server.BUCKET);
    dest.setKeyPrefix("prod/");
    dest.setCredentialsSecret("s3-credentials");
    dest.setPathStyle(true);
    BackupDestination destination = new BackupDestination();
    destination.setS3(dest);
    return destination;
  }

  private EtcdBackup backup(String name) {
    EtcdBackup backup = new EtcdBackup();
    backup.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE).build());
    EtcdBackupSpec spec = new EtcdBackupSpec();
    spec.setClusterRef(new ClusterReference(CLUSTER));
    spec.setDestination(s3Destination(s3));
    backup.setSpec(spec);
    return client.resource(backup).create();
  }

  private EtcdBackupStatus reconcile(String name) {
    reconciler.reconcile(
        client.resources(EtcdBackup.class).inNamespace(NAMESPACE).withName(name).get(), null);
    return client
        .resources(EtcdBackup.class)
        .inNamespace(NAMESPACE)
        .withName(name)
        .get()
        .getStatus();
  }

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

  /** A clock the test moves. */
  static final class MutableClock extends Clock {
    volatile Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
