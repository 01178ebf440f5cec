package io.ketch.operator.backup;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.ketch.operator.model.BackupDestination;
import io.ketch.operator.model.ClusterReference;
import io.ketch.operator.model.EtcdBackup;
import io.ketch.operator.model.EtcdBackupSpec;
import io.ketch.operator.model.EtcdBackupStatus;
import io.ketch.operator.model.EtcdCluster;
import io.ketch.operator.model.EtcdClusterSpec;
import io.ketch.operator.model.EtcdClusterStatus;
import io.ketch.operator.model.MemberStatus;
import io.ketch.operator.model.S3Destination;
import io.ketch.operator.resources.MemberTopology;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** One EtcdCluster on the mock API server, a fake member to snapshot, and an S3 server. */
@EnableKubernetesMockClient(crud = true)
abstract class BackupFixture {
  static final String NAMESPACE = "db";
  static final String CLUSTER = "main";

  KubernetesClient client;
  @TempDir Path spool;
  static S3Server s3;
  FakeMember member;
  MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
  EtcdBackupReconciler reconciler;

  @BeforeEach
  void start() throws Exception {
    Crds.register(client);
    member = new FakeMember(SnapshotDigestTest.snapshot(100_000, 1));
    MemberTopology topology = new MemberTopology(CLUSTER, NAMESPACE);
    reconciler =
        new EtcdBackupReconciler(
            client,
            new BackupSettings(
                "ketch/operator:0.1.0",
                BackupSettings.DEFAULT_JAVA_COMMAND,
                List.of("ketchctl", "snapshot", "restore"),
                spool,
                Duration.ofSeconds(20)),
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

  @BeforeAll
  static void startS3() throws Exception {
    s3 = new S3Server();
  }

  @AfterAll
  static void stopS3() throws Exception {
    s3.close();
  }

  @AfterEach
  void stop() throws Exception {
    member.close();
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

  EtcdBackup backup(String name) {
    EtcdBackup backup = new EtcdBackup();
    backup.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE).build());
    EtcdBackupSpec spec = new EtcdBackupSpec();
    spec.setClusterRef(new ClusterReference(CLUSTER));
    spec.setDestination(s3Destination(s3));
    backup.setSpec(spec);
    return client.resource(backup).create();
  }

  EtcdBackupStatus reconcile(String name) {
    reconciler.reconcile(
        client.resources(EtcdBackup.class).inNamespace(NAMESPACE).withName(name).get(), null);
    return client
        .resources(EtcdBackup.class)
        .inNamespace(NAMESPACE)
        .withName(name)
        .get()
        .getStatus();
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
