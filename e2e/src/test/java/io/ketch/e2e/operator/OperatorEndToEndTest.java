package io.ketch.e2e.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.ketch.testing.Ports;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator end to end, through the operator alone: it runs as its own process (the shipped jar)
 * against fabric8's mock API server, while {@link StandInNodes} plays the StatefulSet controller
 * and the kubelet, turning each pod into a real Ketch member on its own loopback address. Backups
 * go to s3proxy in this JVM. The steps run in order and share the cluster: create 3 members, write,
 * scale to 5 and back to 3, heal a member whose volume was lost, upgrade, back up to a volume claim
 * (a Job) and to S3, restore into a new cluster (about 2.5 minutes on two cores).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorEndToEndTest {
  static final String NAMESPACE = "e2e";
  static final ResourceDefinitionContext CLUSTERS =
      new ResourceDefinitionContext.Builder()
          .withGroup("ketch.io")
          .withVersion("v1alpha1")
          .withKind("EtcdCluster")
          .withPlural("etcdclusters")
          .withNamespaced(true)
          .build();
  static final ResourceDefinitionContext BACKUPS =
      new ResourceDefinitionContext.Builder()
          .withGroup("ketch.io")
          .withVersion("v1alpha1")
          .withKind("EtcdBackup")
          .withPlural("etcdbackups")
          .withNamespaced(true)
          .build();
  static final Duration CONVERGE = Duration.ofSeconds(180);

  /** The mock server logs every request at INFO; held here so the level sticks. */
  static final java.util.logging.Logger MOCK_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  @TempDir static Path dir;
  static KubernetesMockServer api;
  static KubernetesClient client;
  static BlobStoreContext blobs;
  static S3Proxy s3;
  static Process operator;
  static StandInNodes nodes;
  static LoopbackAddresses addresses;
  static final Map<String, String> written = new LinkedHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    Path jar =
        Path.of(
            System.getProperty("ketch.e2e.operator.jar", "../operator/target/ketch-operator.jar"));
    Assumptions.assumeTrue(
        Files.exists(jar), "the operator's jar is built (./mvnw -pl e2e -am verify)");
    Processes.clearLogs();
    MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    api =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(),
            false);
    api.init(InetAddress.getByName("127.0.0.1"), 0);
    client = api.createClient();
    Path crds = Path.of(System.getProperty("ketch.repo.root", "..")).resolve("crds");
    for (String file : List.of("etcdclusters.ketch.io-v1.yml", "etcdbackups.ketch.io-v1.yml")) {
      try (InputStream in = Files.newInputStream(crds.resolve(file))) {
        client
            .resource(client.apiextensions().v1().customResourceDefinitions().load(in).item())
            .create();
      }
    }
    client
        .namespaces()
        .resource(
            new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                .withNewMetadata()
                .withName(NAMESPACE)
                .endMetadata()
                .build())
        .create();

    blobs =
        ContextBuilder.newBuilder("transient")
            .credentials("id", "secret")
            .build(BlobStoreContext.class);
    blobs.getBlobStore().createContainerInLocation(null, "backups");
    s3 =
        S3Proxy.builder()
            .blobStore(blobs.getBlobStore())
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, "e2e-access", "e2e-secret")
            .build();
    s3.start();
    await().until(() -> "STARTED".equals(s3.getState()));
    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("backup-credentials")
                .withNamespace(NAMESPACE)
                .endMetadata()
                .withData(
                    Map.of(
                        "accessKeyId", base64("e2e-access"),
                        "secretAccessKey", base64("e2e-secret")))
                .build())
        .create();

    addresses = new LoopbackAddresses(NAMESPACE, List.of("main", "restored"), dir);
    nodes = new StandInNodes(client, NAMESPACE, addresses, dir, jar.toAbsolutePath());
    nodes.start();
    Map<String, String> env = new HashMap<>();
    env.put("KUBERNETES_MASTER", client.getMasterUrl().toString());
    env.put("KUBERNETES_NAMESPACE", NAMESPACE);
    env.put("KUBERNETES_TRUST_CERTIFICATES", "true");
    env.put("KUBERNETES_AUTH_TRYKUBECONFIG", "false");
    env.put("KETCH_LEADER_ELECTION", "false");
    env.put("KETCH_HTTP_PORT", Integer.toString(Ports.free()));
    env.put("KETCH_OPERATOR_IMAGE", "ketch/ketch-operator:e2e");
    env.put("KETCH_BACKUP_SPOOL_DIR", Files.createDirectories(dir.resolve("spool")).toString());
    env.put("KETCH_LOG_LEVEL", "INFO");
    operator =
        Processes.start(
            List.of(
                Processes.java(),
                "-Xmx384m",
                "-Djdk.net.hosts.file=" + addresses.hostsFile(),
                "-jar",
                jar.toString()),
            env,
            "operator");
  }

  @AfterAll
  static void stop() throws Exception {
    if (operator != null) {
      Processes.stop(operator);
    }
    if (nodes != null) {
      nodes.close();
    }
    if (s3 != null) {
      s3.stop();
      blobs.close();
    }
    if (api != null) {
      client.close();
      api.destroy();
    }
  }

  @Test
  @Order(1)
  void createsThreeMembers() {
    apply(
        """
        apiVersion: ketch.io/v1alpha1
        kind: EtcdCluster
        metadata: {name: main, namespace: e2e}
        spec:
          replicas: 3
        """);
    awaitHealthy("main", 3);
  }

  @Test
  @Order(2)
  void takesWrites() throws Exception {
    try (Client etcd = etcd("main", 3)) {
      for (int i = 0; i < 100; i++) {
        String key = "/registry/item/" + i;
        String value = "value-" + i;
        etcd.getKVClient().put(bytes(key), bytes(value)).get(10, TimeUnit.SECONDS);
        written.put(key, value);
      }
    }
  }

  @Test
  @Order(3)
  void scalesToFive() {
    setSpec("main", "replicas", 5);
    awaitHealthy("main", 5);
  }

  @Test
  @Order(4)
  void scalesBackToThree() {
    setSpec("main", "replicas", 3);
    awaitHealthy("main", 3);
    await()
        .atMost(CONVERGE)
        .until(
            () ->
                !nodes.runningPods().containsKey("main-3")
                    && !nodes.runningPods().containsKey("main-4"));
  }

  @Test
  @Order(5)
  void healsAMemberThatLostItsData() {
    String before = memberId("main", "main-1");
    // The fault: main-1's volume is gone (a node lost with its local disk): claim and pod deleted.
    client.persistentVolumeClaims().inNamespace(NAMESPACE).withName("data-main-1").delete();
    client.pods().inNamespace(NAMESPACE).withName("main-1").delete();
    await()
        .atMost(CONVERGE)
        .untilAsserted(
            () -> assertThat(memberId("main", "main-1")).isNotNull().isNotEqualTo(before));
    awaitHealthy("main", 3);
  }

  @Test
  @Order(6)
  void upgradesOneMemberAtATime() {
    setSpec("main", "version", "0.1.1");
    await()
        .atMost(CONVERGE)
        .untilAsserted(
            () ->
                assertThat(
                        client
                            .pods()
                            .inNamespace(NAMESPACE)
                            .withLabel("app.kubernetes.io/instance", "main")
                            .list()
                            .getItems())
                    .hasSize(3)
                    .allMatch(
                        p ->
                            "0.1.1"
                                .equals(
                                    p.getMetadata().getLabels().get("app.kubernetes.io/version"))));
    awaitHealthy("main", 3);
  }

  /** The backup Job's pod runs on the stand-in kubelet, with the claim as a directory. */
  @Test
  @Order(7)
  void backsUpToAVolumeClaim() throws Exception {
    var claim =
        client
            .resource(
                new PersistentVolumeClaimBuilder()
                    .withNewMetadata()
                    .withName("etcd-backups")
                    .withNamespace(NAMESPACE)
                    .withUid(UUID.randomUUID().toString())
                    .endMetadata()
                    .withNewSpec()
                    .withAccessModes("ReadWriteMany")
                    .withNewResources()
                    .addToRequests("storage", new Quantity("1Gi"))
                    .endResources()
                    .endSpec()
                    .build())
            .create();
    String uid = claim.getMetadata().getUid();
    apply(
        """
        apiVersion: ketch.io/v1alpha1
        kind: EtcdBackup
        metadata: {name: main-volume, namespace: e2e}
        spec:
          clusterRef: {name: main}
          destination:
            pvc: {claimName: etcd-backups, path: /snapshots}
        """);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              Object phase = backupStatus("main-volume").get("phase");
              return "Succeeded".equals(phase) || "Failed".equals(phase);
            });
    Map<String, Object> status = backupStatus("main-volume");
    assertThat(status.get("phase")).as("backup status %s", status).isEqualTo("Succeeded");
    assertThat(status.get("location"))
        .isEqualTo("pvc://etcd-backups/snapshots/e2e/main/main-volume.db");
    Path file = dir.resolve("volumes").resolve(uid).resolve("snapshots/e2e/main/main-volume.db");
    byte[] bytes = Files.readAllBytes(file);
    String sha256 =
        java.util.HexFormat.of()
            .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    assertThat(((Number) status.get("size")).longValue()).isEqualTo(bytes.length);
    assertThat(status.get("sha256")).isEqualTo(sha256);
    assertThat(Files.readString(file.resolveSibling("main-volume.db.sha256")))
        .isEqualTo(sha256 + "  main-volume.db\n");
    assertThat(client.batch().v1().jobs().inNamespace(NAMESPACE).list().getItems())
        .as("the Job is deleted once its outcome is recorded")
        .isEmpty();
  }

  @Test
  @Order(10)
  void backsUpToS3AndRestoresIntoANewCluster() throws Exception {
    Assumptions.assumeFalse(written.isEmpty(), "the cluster took writes");
    apply(
        """
        apiVersion: ketch.io/v1alpha1
        kind: EtcdBackup
        metadata: {name: main-e2e, namespace: e2e}
        spec:
          clusterRef: {name: main}
          destination:
            s3: {endpoint: %s, bucket: backups, keyPrefix: e2e/, credentialsSecret: backup-credentials, pathStyle: true}
        """
            .formatted(s3Endpoint()));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                "Succeeded".equals(backupStatus("main-e2e").get("phase"))
                    || "Failed".equals(backupStatus("main-e2e").get("phase")));
    Map<String, Object> status = backupStatus("main-e2e");
    assertThat(status.get("phase")).as("backup status %s", status).isEqualTo("Succeeded");
    assertThat(status.get("location")).isEqualTo("s3://backups/e2e/e2e/main/main-e2e.db");
    assertThat(blobs.getBlobStore().blobExists("backups", "e2e/e2e/main/main-e2e.db")).isTrue();

    apply(
        """
        apiVersion: ketch.io/v1alpha1
        kind: EtcdCluster
        metadata: {name: restored, namespace: e2e}
        spec:
          replicas: 3
          bootstrap:
            fromBackup:
              destination:
                s3: {endpoint: %s, bucket: backups, keyPrefix: e2e/, credentialsSecret: backup-credentials, pathStyle: true}
              location: %s
        """
            .formatted(s3Endpoint(), status.get("location")));
    awaitHealthy("restored", 3);
    try (Client etcd = etcd("restored", 3)) {
      List<KeyValue> kvs =
          etcd.getKVClient()
              .get(bytes("/registry/item/"), GetOption.builder().isPrefix(true).build())
              .get(10, TimeUnit.SECONDS)
              .getKvs();
      Map<String, String> restored = new LinkedHashMap<>();
      kvs.forEach(kv -> restored.put(kv.getKey().toString(), kv.getValue().toString()));
      assertThat(restored).isEqualTo(written);
    }
    try (Client etcd = etcd("main", 3)) {
      assertThat(
              etcd.getKVClient()
                  .get(
                      bytes("/registry/item/"),
                      GetOption.builder().isPrefix(true).withCountOnly(true).build())
                  .get(10, TimeUnit.SECONDS)
                  .getCount())
          .as("the source cluster kept every key through the steps before")
          .isEqualTo(written.size());
    }
  }

  private static void setSpec(String cluster, String field, Object value) {
    client
        .genericKubernetesResources(CLUSTERS)
        .inNamespace(NAMESPACE)
        .withName(cluster)
        .edit(
            r -> {
              castMap(r.getAdditionalProperties().get("spec")).put(field, value);
              return r;
            });
  }

  private static String memberId(String cluster, String member) {
    GenericKubernetesResource resource =
        client.genericKubernetesResources(CLUSTERS).inNamespace(NAMESPACE).withName(cluster).get();
    Map<String, Object> status =
        castMap(resource.getAdditionalProperties().getOrDefault("status", Map.of()));
    return castList(status.getOrDefault("members", List.of())).stream()
        .filter(m -> member.equals(m.get("name")) && Boolean.TRUE.equals(m.get("healthy")))
        .map(m -> String.valueOf(m.get("id")))
        .findFirst()
        .orElse(null);
  }

  private static Map<String, Object> backupStatus(String name) {
    GenericKubernetesResource backup =
        client.genericKubernetesResources(BACKUPS).inNamespace(NAMESPACE).withName(name).get();
    Object status = backup == null ? null : backup.getAdditionalProperties().get("status");
    return status == null ? Map.of() : castMap(status);
  }

  /** Available=True with every member healthy and a voter, as the operator reports it. */
  static void awaitHealthy(String cluster, int members) {
    await()
        .atMost(CONVERGE)
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              GenericKubernetesResource resource =
                  client
                      .genericKubernetesResources(CLUSTERS)
                      .inNamespace(NAMESPACE)
                      .withName(cluster)
                      .get();
              Map<String, Object> status =
                  castMap(resource.getAdditionalProperties().getOrDefault("status", Map.of()));
              List<Map<String, Object>> listed =
                  castList(status.getOrDefault("members", List.of()));
              assertThat(listed)
                  .as("members of %s (status %s)", cluster, status)
                  .hasSize(members)
                  .allMatch(
                      m ->
                          Boolean.TRUE.equals(m.get("healthy"))
                              && !Boolean.TRUE.equals(m.get("learner")));
              List<Map<String, Object>> conditions =
                  castList(status.getOrDefault("conditions", List.of()));
              assertThat(conditions)
                  .anyMatch(
                      c -> "Available".equals(c.get("type")) && "True".equals(c.get("status")));
            });
  }

  static Client etcd(String cluster, int members) {
    String[] endpoints = new String[members];
    for (int i = 0; i < members; i++) {
      endpoints[i] = "http://" + addresses.ip(cluster + "-" + i) + ":2379";
    }
    return Client.builder().endpoints(endpoints).build();
  }

  private static void apply(String yaml) {
    client.resource(yaml).inNamespace(NAMESPACE).create();
  }

  private static String s3Endpoint() {
    return "http://127.0.0.1:" + s3.getPort();
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  private static String base64(String s) {
    return java.util.Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Object o) {
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> castList(Object o) {
    return (List<Map<String, Object>>) o;
  }
}
