package io.ketch.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ketch.operator.model.EtcdCluster;
import io.ketch.operator.model.EtcdClusterSpec;
import io.ketch.operator.model.StorageSpec;
import io.ketch.operator.resources.MemberImage;
import io.ketch.operator.resources.MemberTopology;
import io.ketch.operator.resources.PodAdditions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * One EtcdCluster on fabric8's mock API server (CRUD mode), a fake StatefulSet controller and a
 * fake etcd.
 */
final class Harness {
  static final String NAME = "main";
  static final MemberImage IMAGE = new MemberImage("ketch/node", "3.5.0", List.of());

  final KubernetesClient client;
  final String namespace;
  final MemberTopology topology;
  final FakeCluster etcd;
  final FakeStatefulSetController statefulSets;
  final ClusterReconcile reconcile;

  /** The StatefulSet's replicas and the member count after every round. */
  final List<String> history = new ArrayList<>();

  /** The Degraded condition's reason after every round. */
  final List<String> degraded = new ArrayList<>();

  /** A harness of its own namespace, so tests can share one mock API server. */
  Harness(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
    this.topology = new MemberTopology(NAME, namespace);
    this.etcd = new FakeCluster(topology);
    this.statefulSets = new FakeStatefulSetController(client, topology);
    this.reconcile =
        new ClusterReconcile(
            new KubeObjects(client),
            etcd,
            new ClusterEvents(client),
            IMAGE,
            c -> PodAdditions.NONE,
            Clock.systemUTC());
    registerCrds(client);
  }

  static void registerCrds(KubernetesClient client) {
    Path crds = Path.of(System.getProperty("ketch.repo.root", "..")).resolve("crds");
    for (String file : List.of("etcdclusters.ketch.io-v1.yml", "etcdbackups.ketch.io-v1.yml")) {
      try (InputStream in = Files.newInputStream(crds.resolve(file))) {
        var crd = client.apiextensions().v1().customResourceDefinitions().load(in).item();
        if (client
                .apiextensions()
                .v1()
                .customResourceDefinitions()
                .withName(crd.getMetadata().getName())
                .get()
            == null) {
          client.resource(crd).create();
        }
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  EtcdCluster create(int replicas, Consumer<EtcdClusterSpec> spec) {
    EtcdCluster cluster = new EtcdCluster();
    cluster.setMetadata(
        new ObjectMetaBuilder()
            .withName(NAME)
            .withNamespace(namespace)
            .withUid(UUID.randomUUID().toString())
            .withGeneration(1L)
            .build());
    EtcdClusterSpec s = new EtcdClusterSpec();
    s.setReplicas(replicas);
    s.setStorage(new StorageSpec());
    spec.accept(s);
    cluster.setSpec(s);
    return client.resource(cluster).create();
  }

  EtcdCluster cluster() {
    return client.resources(EtcdCluster.class).inNamespace(namespace).withName(NAME).get();
  }

  StatefulSet statefulSet() {
    return client.apps().statefulSets().inNamespace(namespace).withName(NAME).get();
  }

  void edit(Consumer<EtcdCluster> change) {
    EtcdCluster cluster = cluster();
    change.accept(cluster);
    cluster.getMetadata().setGeneration(cluster.getMetadata().getGeneration() + 1);
    client.resource(cluster).update();
  }

  /**
   * One round: the StatefulSet controller and the members react, then one reconcile, whose status
   * is written.
   */
  Outcome round() {
    statefulSets.sync();
    etcd.sync(
        statefulSets.pods(),
        client.configMaps().inNamespace(namespace).withName(topology.configMap()).get(),
        statefulSets.volumeUids(emptyDir()));
    EtcdCluster cluster = cluster();
    Outcome outcome = reconcile.reconcile(cluster);
    cluster.setStatus(outcome.status());
    client.resource(cluster).updateStatus();
    var condition = Conditions.find(outcome.status().getConditions(), Conditions.DEGRADED);
    degraded.add("True".equals(condition.getStatus()) ? condition.getReason() : "False");
    StatefulSet sts = statefulSet();
    history.add((sts == null ? 0 : sts.getSpec().getReplicas()) + "/" + etcd.members.size());
    return outcome;
  }

  private boolean emptyDir() {
    EtcdCluster cluster = cluster();
    return cluster.getSpec().getStorage() != null
        && Boolean.TRUE.equals(cluster.getSpec().getStorage().getEmptyDir());
  }

  /** Rounds until a round changes nothing and the cluster is Available and not Progressing. */
  EtcdCluster converge() {
    for (int i = 0; i < 60; i++) {
      int calls = etcd.calls.size();
      round();
      var status = cluster().getStatus();
      if (etcd.calls.size() == calls
          && Conditions.isTrue(status.getConditions(), Conditions.AVAILABLE)
          && !Conditions.isTrue(status.getConditions(), Conditions.PROGRESSING)) {
        return cluster();
      }
    }
    throw new AssertionError(
        "did not converge: " + cluster().getStatus().getConditions() + " " + etcd.calls);
  }

  List<String> eventReasons() {
    return client.v1().events().inNamespace(namespace).list().getItems().stream()
        .map(e -> e.getReason())
        .toList();
  }

  static void assertCondition(EtcdCluster cluster, String type, boolean status, String reason) {
    var condition = Conditions.find(cluster.getStatus().getConditions(), type);
    assertThat(condition).as(type).isNotNull();
    assertThat(condition.getStatus())
        .as(type + " " + condition.getMessage())
        .isEqualTo(status ? "True" : "False");
    assertThat(condition.getReason()).as(type + " reason").isEqualTo(reason);
  }
}
