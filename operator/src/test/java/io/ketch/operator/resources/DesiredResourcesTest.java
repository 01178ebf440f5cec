package io.ketch.operator.resources;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.ketch.operator.model.ClaimRetentionSpec;
import io.ketch.operator.model.DisruptionBudgetSpec;
import io.ketch.operator.model.EtcdCluster;
import io.ketch.operator.model.EtcdClusterSpec;
import io.ketch.operator.model.PodOverrides;
import io.ketch.operator.model.StorageSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The desired objects as pure functions of an EtcdCluster: no API server. */
class DesiredResourcesTest {
  static final MemberImage IMAGE = new MemberImage("ghcr.io/ketch/node", "0.1.0", List.of());

  static EtcdCluster cluster(int replicas) {
    EtcdCluster cluster = new EtcdCluster();
    cluster.setMetadata(
        new ObjectMetaBuilder()
            .withName("main")
            .withNamespace("db")
            .withUid("0123456789abcdef")
            .build());
    EtcdClusterSpec spec = new EtcdClusterSpec();
    spec.setReplicas(replicas);
    cluster.setSpec(spec);
    return cluster;
  }

  static Container member(StatefulSet sts) {
    return sts.getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  @Test
  void peerServiceIsHeadlessAndPublishesNotReadyMembers() {
    var service = MemberServices.peerService(cluster(3));
    assertThat(service.getMetadata().getName()).isEqualTo("main");
    assertThat(service.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(service.getSpec().getPublishNotReadyAddresses()).isTrue();
    assertThat(service.getSpec().getPorts())
        .extracting(p -> p.getPort())
        .containsExactly(2380, 2379);
    assertThat(service.getSpec().getSelector())
        .isEqualTo(Map.of("app.kubernetes.io/name", "etcd", "app.kubernetes.io/instance", "main"));
    var owner = service.getMetadata().getOwnerReferences().get(0);
    assertThat(owner.getKind()).isEqualTo("EtcdCluster");
    assertThat(owner.getController()).isTrue();
    assertThat(service.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/managed-by", "ketch-operator")
        .containsEntry("app.kubernetes.io/instance", "main");
  }

  @Test
  void clientServiceServesOnlyReadyMembersOnTheClientPort() {
    var service = MemberServices.clientService(cluster(3));
    assertThat(service.getMetadata().getName()).isEqualTo("main-client");
    assertThat(service.getSpec().getPublishNotReadyAddresses()).isNull();
    assertThat(service.getSpec().getPorts()).extracting(p -> p.getPort()).containsExactly(2379);
  }

  @Test
  void memberFlagsComeFromThePodNameTheHeadlessServiceAndTheConfigMap() {
    EtcdCluster cluster = cluster(3);
    cluster
        .getSpec()
        .setMemberFlags(Map.of("snapshot-count", "10000", "auto-compaction-retention", "1h"));
    Container member = member(MemberStatefulSet.of(cluster, IMAGE, 1, PodAdditions.NONE));
    assertThat(member.getArgs())
        .containsExactly(
            "--name=$(POD_NAME)",
            "--data-dir=/var/lib/etcd/data",
            "--listen-peer-urls=http://0.0.0.0:2380",
            "--listen-client-urls=http://0.0.0.0:2379",
            "--initial-advertise-peer-urls=http://$(POD_NAME).main.db.svc:2380",
            "--advertise-client-urls=http://$(POD_NAME).main.db.svc:2379",
            "--initial-cluster-token=main-01234567",
            "--auto-compaction-retention=1h",
            "--snapshot-count=10000");
    assertThat(member.getEnv())
        .extracting(e -> e.getName())
        .containsExactly("POD_NAME", "ETCD_INITIAL_CLUSTER_STATE", "ETCD_INITIAL_CLUSTER");
    assertThat(member.getEnv().get(0).getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("metadata.name");
    assertThat(member.getEnv().get(1).getValueFrom().getConfigMapKeyRef().getName())
        .isEqualTo("main-members");
    assertThat(member.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/livez");
    assertThat(member.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(member.getStartupProbe().getHttpGet().getPath()).isEqualTo("/livez");
  }

  @Test
  void statefulSetHasStableIdentitiesAClaimTemplateAndOnDeleteUpdates() {
    EtcdCluster cluster = cluster(3);
    StorageSpec storage = new StorageSpec();
    storage.setSize("8Gi");
    storage.setStorageClassName("fast");
    ClaimRetentionSpec retention = new ClaimRetentionSpec();
    retention.setWhenDeleted(ClaimRetentionSpec.Policy.Delete);
    storage.setClaimRetention(retention);
    cluster.getSpec().setStorage(storage);
    StatefulSet sts = MemberStatefulSet.of(cluster, IMAGE, 2, PodAdditions.NONE);
    assertThat(sts.getSpec().getReplicas())
        .as("the size the reconciler asks, not spec.replicas")
        .isEqualTo(2);
    assertThat(sts.getSpec().getServiceName()).isEqualTo("main");
    assertThat(sts.getSpec().getUpdateStrategy().getType()).isEqualTo("OnDelete");
    assertThat(sts.getSpec().getPodManagementPolicy()).isEqualTo("Parallel");
    var claim = sts.getSpec().getVolumeClaimTemplates().get(0);
    assertThat(claim.getMetadata().getName()).isEqualTo("data");
    assertThat(claim.getSpec().getStorageClassName()).isEqualTo("fast");
    assertThat(claim.getSpec().getResources().getRequests().get("storage"))
        .isEqualTo(new Quantity("8Gi"));
    assertThat(sts.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenDeleted())
        .isEqualTo("Delete");
    assertThat(sts.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenScaled())
        .isEqualTo("Delete");
    assertThat(sts.getSpec().getTemplate().getSpec().getVolumes()).isEmpty();
    assertThat(member(sts).getImage()).isEqualTo("ghcr.io/ketch/node:0.1.0");
    assertThat(sts.getSpec().getTemplate().getSpec().getEnableServiceLinks()).isFalse();
  }

  @Test
  void emptyDirStorageHasNoClaims() {
    EtcdCluster cluster = cluster(3);
    StorageSpec storage = new StorageSpec();
    storage.setEmptyDir(true);
    cluster.getSpec().setStorage(storage);
    StatefulSet sts = MemberStatefulSet.of(cluster, IMAGE, 3, PodAdditions.NONE);
    assertThat(sts.getSpec().getVolumeClaimTemplates()).isEmpty();
    assertThat(sts.getSpec().getTemplate().getSpec().getVolumes())
        .singleElement()
        .satisfies(v -> assertThat(v.getEmptyDir()).isNotNull());
  }

  @Test
  void imageFromVersionOrImage() {
    EtcdCluster cluster = cluster(3);
    cluster.getSpec().setVersion("3.5.17");
    assertThat(member(MemberStatefulSet.of(cluster, IMAGE, 3, PodAdditions.NONE)).getImage())
        .isEqualTo("ghcr.io/ketch/node:3.5.17");
    cluster.getSpec().setVersion(null);
    cluster.getSpec().setImage("gcr.io/etcd-development/etcd:v3.5.17");
    StatefulSet sts =
        MemberStatefulSet.of(
            cluster, new MemberImage("x", "1", List.of("etcd")), 3, PodAdditions.NONE);
    assertThat(member(sts).getImage()).isEqualTo("gcr.io/etcd-development/etcd:v3.5.17");
    assertThat(member(sts).getCommand()).containsExactly("etcd");
    assertThat(sts.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/version", "v3.5.17");
    assertThat(MemberImage.tagOf("registry:5000/etcd")).isEqualTo("latest");
    assertThat(MemberImage.tagOf("etcd@sha256:abc")).isEqualTo("sha256:abc");
  }

  @Test
  void podOverridesAreAppliedAndTheOperatorsLabelsWin() {
    EtcdCluster cluster = cluster(3);
    PodOverrides pod = new PodOverrides();
    pod.setLabels(Map.of("team", "db", "app.kubernetes.io/instance", "spoofed"));
    pod.setAnnotations(Map.of("prometheus.io/scrape", "true"));
    pod.setTolerations(
        List.of(new TolerationBuilder().withKey("dedicated").withValue("etcd").build()));
    pod.setNodeSelector(Map.of("disk", "ssd"));
    pod.setTopologySpreadConstraints(
        List.of(
            new TopologySpreadConstraintBuilder().withTopologyKey("zone").withMaxSkew(1).build()));
    pod.setPriorityClassName("system-cluster-critical");
    cluster.getSpec().setPod(pod);
    cluster
        .getSpec()
        .setResources(
            new ResourceRequirementsBuilder().addToRequests("cpu", new Quantity("500m")).build());
    StatefulSet sts = MemberStatefulSet.of(cluster, IMAGE, 3, PodAdditions.NONE);
    var template = sts.getSpec().getTemplate();
    assertThat(template.getMetadata().getLabels())
        .containsEntry("team", "db")
        .containsEntry("app.kubernetes.io/instance", "main");
    assertThat(template.getMetadata().getAnnotations())
        .containsEntry("prometheus.io/scrape", "true")
        .containsKey(MemberStatefulSet.TEMPLATE_HASH);
    assertThat(template.getSpec().getTolerations())
        .extracting(t -> t.getKey())
        .containsExactly("dedicated");
    assertThat(template.getSpec().getNodeSelector()).containsEntry("disk", "ssd");
    assertThat(template.getSpec().getTopologySpreadConstraints()).hasSize(1);
    assertThat(template.getSpec().getPriorityClassName()).isEqualTo("system-cluster-critical");
    assertThat(member(sts).getResources().getRequests().get("cpu")).isEqualTo(new Quantity("500m"));
  }

  @Test
  void defaultAntiAffinitySpreadsMembersAcrossNodesUnlessTheUserSetsOne() {
    PodOverrides pod = new PodOverrides();
    var preferred = MemberStatefulSet.affinity("main", pod).getPodAntiAffinity();
    assertThat(preferred.getPreferredDuringSchedulingIgnoredDuringExecution())
        .singleElement()
        .satisfies(
            t ->
                assertThat(t.getPodAffinityTerm().getTopologyKey())
                    .isEqualTo("kubernetes.io/hostname"));
    pod.setAntiAffinity(PodOverrides.AntiAffinity.Required);
    assertThat(
            MemberStatefulSet.affinity("main", pod)
                .getPodAntiAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution())
        .hasSize(1);
    pod.setAntiAffinity(PodOverrides.AntiAffinity.None);
    assertThat(MemberStatefulSet.affinity("main", pod)).isNull();
    pod.setAntiAffinity(PodOverrides.AntiAffinity.Required);
    pod.setAffinity(new AffinityBuilder().withNewPodAntiAffinity().endPodAntiAffinity().build());
    assertThat(
            MemberStatefulSet.affinity("main", pod)
                .getPodAntiAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution())
        .as("the user's anti-affinity replaces the default")
        .isEmpty();
  }

  @Test
  void templateHashChangesWithTheTemplateOnly() {
    EtcdCluster cluster = cluster(3);
    String hash = hash(MemberStatefulSet.of(cluster, IMAGE, 1, PodAdditions.NONE));
    assertThat(hash(MemberStatefulSet.of(cluster, IMAGE, 5, PodAdditions.NONE))).isEqualTo(hash);
    cluster.getSpec().setVersion("3.6.0");
    assertThat(hash(MemberStatefulSet.of(cluster, IMAGE, 1, PodAdditions.NONE))).isNotEqualTo(hash);
  }

  @Test
  void restoreAdditionsBecomeInitContainersAndVolumes() {
    var init = new ContainerBuilder().withName("restore").withImage("ketch/operator").build();
    var additions =
        new PodAdditions(
            List.of(init),
            List.of(
                new io.fabric8.kubernetes.api.model.VolumeBuilder()
                    .withName("snapshot")
                    .withNewEmptyDir()
                    .endEmptyDir()
                    .build()));
    var spec =
        MemberStatefulSet.of(cluster(3), IMAGE, 1, additions).getSpec().getTemplate().getSpec();
    assertThat(spec.getInitContainers()).extracting(Container::getName).containsExactly("restore");
    assertThat(spec.getVolumes()).extracting(v -> v.getName()).containsExactly("snapshot");
  }

  @Test
  void disruptionBudgetKeepsQuorumByDefault() {
    assertThat(
            MemberDisruptionBudget.of(cluster(3))
                .orElseThrow()
                .getSpec()
                .getMinAvailable()
                .getIntVal())
        .isEqualTo(2);
    assertThat(
            MemberDisruptionBudget.of(cluster(5))
                .orElseThrow()
                .getSpec()
                .getMinAvailable()
                .getIntVal())
        .isEqualTo(3);
    assertThat(
            MemberDisruptionBudget.of(cluster(1))
                .orElseThrow()
                .getSpec()
                .getMinAvailable()
                .getIntVal())
        .isEqualTo(1);
    EtcdCluster custom = cluster(5);
    DisruptionBudgetSpec budget = new DisruptionBudgetSpec();
    budget.setMinAvailable(4);
    custom.getSpec().setPodDisruptionBudget(budget);
    assertThat(
            MemberDisruptionBudget.of(custom).orElseThrow().getSpec().getMinAvailable().getIntVal())
        .isEqualTo(4);
    budget.setEnabled(false);
    assertThat(MemberDisruptionBudget.of(custom)).isEmpty();
  }

  @Test
  void seedConfigMapBootstrapsOneMember() {
    var config = MemberConfigMap.seed(cluster(3));
    assertThat(config.getMetadata().getName()).isEqualTo("main-members");
    assertThat(config.getData())
        .containsEntry("initial-cluster-state", "new")
        .containsEntry("initial-cluster", "main-0=http://main-0.main.db.svc:2380");
  }

  @Test
  void topologyParsesOnlyItsOwnNames() {
    MemberTopology topology = new MemberTopology("main", "db");
    assertThat(topology.ordinalOf("main-12")).hasValue(12);
    assertThat(topology.ordinalOf("main-x")).isEmpty();
    assertThat(topology.ordinalOf("mainline-1")).isEmpty();
    assertThat(topology.ordinalOfPeerUrl("http://main-2.main.db.svc:2380")).hasValue(2);
    assertThat(topology.ordinalOfPeerUrl("http://main-2.main.other.svc:2380")).isEmpty();
    assertThat(topology.initialCluster(2))
        .isEqualTo("main-0=http://main-0.main.db.svc:2380,main-1=http://main-1.main.db.svc:2380");
  }

  private static String hash(StatefulSet sts) {
    return sts.getSpec()
        .getTemplate()
        .getMetadata()
        .getAnnotations()
        .get(MemberStatefulSet.TEMPLATE_HASH);
  }
}
