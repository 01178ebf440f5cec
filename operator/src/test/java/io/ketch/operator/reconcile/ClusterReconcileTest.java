package io.ketch.operator.reconcile;

import static io.ketch.operator.reconcile.Harness.assertCondition;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.ketch.operator.model.EtcdCluster;
import io.ketch.operator.model.MemberStatus;
import io.ketch.operator.resources.MemberConfigMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

@EnableKubernetesMockClient(crud = true)
class ClusterReconcileTest {
  static KubernetesClient client;
  Harness harness;

  @BeforeEach
  void setUp(TestInfo test) {
    harness =
        new Harness(client, test.getTestMethod().orElseThrow().getName().toLowerCase(Locale.ROOT));
  }

  @Test
  void createBootstrapsOneSeedThenGrowsOneLearnerAtATime() {
    harness.create(3, spec -> {});
    harness.round();
    assertThat(harness.statefulSet().getSpec().getReplicas()).as("the seed alone").isEqualTo(1);
    assertThat(
            client
                .services()
                .inNamespace(harness.namespace)
                .withName("main")
                .get()
                .getSpec()
                .getPublishNotReadyAddresses())
        .isTrue();
    assertThat(client.services().inNamespace(harness.namespace).withName("main-client").get())
        .isNotNull();
    assertThat(
            client
                .policy()
                .v1()
                .podDisruptionBudget()
                .inNamespace(harness.namespace)
                .withName("main")
                .get()
                .getSpec()
                .getMinAvailable()
                .getIntVal())
        .isEqualTo(2);

    EtcdCluster cluster = harness.converge();

    assertThat(harness.etcd.membershipCalls())
        .containsExactly(
            "bootstrap main-0",
            "add learner main-1",
            "promote main-1",
            "add learner main-2",
            "promote main-2");
    assertThat(cluster.getStatus().getClusterID()).isEqualTo("c1c1");
    assertThat(cluster.getStatus().getMembers())
        .extracting(MemberStatus::getName, MemberStatus::getLearner, MemberStatus::getHealthy)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("main-0", false, true),
            org.assertj.core.groups.Tuple.tuple("main-1", false, true),
            org.assertj.core.groups.Tuple.tuple("main-2", false, true));
    assertThat(cluster.getStatus().getLeader()).isEqualTo("main-0");
    assertThat(cluster.getStatus().getReadyReplicas()).isEqualTo(3);
    assertThat(cluster.getStatus().getCurrentVersion()).isEqualTo("3.5.0");
    assertThat(cluster.getStatus().getObservedGeneration()).isEqualTo(1L);
    assertCondition(cluster, Conditions.AVAILABLE, true, "QuorumHealthy");
    assertCondition(cluster, Conditions.PROGRESSING, false, "Reconciled");
    assertCondition(cluster, Conditions.DEGRADED, false, "AllMembersHealthy");
    assertThat(harness.statefulSet().getSpec().getReplicas()).isEqualTo(3);
    var config =
        client.configMaps().inNamespace(harness.namespace).withName("main-members").get().getData();
    assertThat(config.get(MemberConfigMap.STATE_KEY)).isEqualTo("existing");
    assertThat(config.get(MemberConfigMap.INITIAL_CLUSTER_KEY))
        .isEqualTo(harness.topology.initialCluster(3));
    assertThat(harness.eventReasons()).contains("Bootstrapped", "MemberAdded", "MemberPromoted");
    assertThat(harness.degraded.subList(1, harness.degraded.size()))
        .as("a learner catching up is progress, not degradation")
        .containsOnly("False");
  }

  @Test
  void theClusterIdIsLatchedOnceAndTransitionTimesMoveOnlyOnChange() {
    harness.create(1, spec -> {});
    EtcdCluster first = harness.converge();
    String since =
        Conditions.find(first.getStatus().getConditions(), Conditions.AVAILABLE)
            .getLastTransitionTime();
    harness.etcd.clusterId = 0xbad;
    harness.round();
    EtcdCluster cluster = harness.cluster();
    assertThat(cluster.getStatus().getClusterID()).isEqualTo("c1c1");
    assertCondition(cluster, Conditions.AVAILABLE, false, "ClusterIDMismatch");
    harness.etcd.clusterId = 0xc1c1;
    harness.round();
    harness.round();
    cluster = harness.cluster();
    assertCondition(cluster, Conditions.AVAILABLE, true, "QuorumHealthy");
    String again =
        Conditions.find(cluster.getStatus().getConditions(), Conditions.DEGRADED)
            .getLastTransitionTime();
    harness.round();
    assertThat(
            Conditions.find(harness.cluster().getStatus().getConditions(), Conditions.DEGRADED)
                .getLastTransitionTime())
        .as("unchanged status keeps its transition time")
        .isEqualTo(again);
    assertThat(since).isNotNull();
  }

  @Test
  void scalesOutToFiveAndBackToThreeOneMemberAtATime() {
    harness.create(3, spec -> {});
    harness.converge();
    harness.etcd.calls.clear();
    harness.history.clear();

    harness.edit(c -> c.getSpec().setReplicas(5));
    EtcdCluster five = harness.converge();
    assertThat(harness.etcd.membershipCalls())
        .containsExactly(
            "add learner main-3", "promote main-3", "add learner main-4", "promote main-4");
    assertThat(five.getStatus().getMembers()).hasSize(5).allMatch(m -> !m.getLearner());
    assertThat(five.getStatus().getReplicas()).isEqualTo(5);
    // The StatefulSet only ever grows right after MemberAdd: never more pods than members.
    assertThat(harness.history)
        .allMatch(h -> Integer.parseInt(h.split("/")[0]) <= Integer.parseInt(h.split("/")[1]));

    harness.etcd.calls.clear();
    harness.etcd.leader =
        harness.etcd.members.values().stream()
            .filter(m -> m.name.equals("main-4"))
            .findFirst()
            .orElseThrow()
            .id;
    harness.edit(c -> c.getSpec().setReplicas(3));
    EtcdCluster three = harness.converge();
    assertThat(harness.etcd.calls)
        .containsExactly("move leader to main-0", "remove main-4", "remove main-3");
    assertThat(three.getStatus().getMembers())
        .extracting(MemberStatus::getName)
        .containsExactly("main-0", "main-1", "main-2");
    assertThat(harness.statefulSet().getSpec().getReplicas()).isEqualTo(3);
    assertThat(client.persistentVolumeClaims().inNamespace(harness.namespace).list().getItems())
        .extracting(c -> c.getMetadata().getName())
        .as("claims of removed members are deleted (whenScaled: Delete)")
        .containsExactlyInAnyOrder("data-main-0", "data-main-1", "data-main-2");
    assertThat(harness.eventReasons()).contains("LeaderMoved", "MemberRemoved", "ClaimDeleted");
  }

  @Test
  void aMemberBackOnAnEmptyVolumeIsRemovedAndAddedAgain() {
    harness.create(3, spec -> {});
    harness.converge();
    long oldId = idOf("main-1");
    harness.etcd.calls.clear();

    // The node of main-1 is gone with its local volume: the pod comes back on a new, empty claim.
    client.pods().inNamespace(harness.namespace).withName("main-1").delete();
    client.persistentVolumeClaims().inNamespace(harness.namespace).withName("data-main-1").delete();

    EtcdCluster healed = harness.converge();
    assertThat(harness.etcd.membershipCalls())
        .containsExactly("remove main-1", "add learner main-1", "promote main-1");
    assertThat(idOf("main-1")).isNotEqualTo(oldId);
    assertThat(healed.getStatus().getMembers()).hasSize(3).allMatch(MemberStatus::getHealthy);
    assertThat(harness.eventReasons()).contains("MemberDataLost");
  }

  @Test
  void anEmptyDirMemberWhosePodIsReplacedIsReAdded() {
    harness.create(3, spec -> spec.getStorage().setEmptyDir(true));
    harness.converge();
    harness.etcd.calls.clear();
    client.pods().inNamespace(harness.namespace).withName("main-2").delete();
    harness.converge();
    assertThat(harness.etcd.membershipCalls())
        .containsExactly("remove main-2", "add learner main-2", "promote main-2");
  }

  @Test
  void aMemberTheStatefulSetDoesNotHaveIsRemoved() {
    harness.create(3, spec -> {});
    harness.converge();
    harness.etcd.calls.clear();
    // A learner added for main-3 whose scale-out was called off, after the StatefulSet had shrunk
    // back.
    harness.etcd.members.put(
        0x9999L, new FakeCluster.FakeMember(0x9999L, harness.topology.peerUrl(7), true));
    harness.converge();
    assertThat(harness.etcd.calls).containsExactly("remove main-7");
    assertThat(harness.etcd.members).hasSize(3);
  }

  @Test
  void upgradesOneMemberAtATimeWithTheLeaderLast() {
    harness.create(3, spec -> spec.setVersion("3.5.0"));
    harness.converge();
    harness.etcd.calls.clear();
    harness.etcd.leader = idOf("main-2");
    List<String> deletions = new java.util.ArrayList<>();
    harness.edit(c -> c.getSpec().setVersion("3.5.1"));
    for (int i = 0; i < 40; i++) {
      var before = new HashMap<>(harness.statefulSets.pods());
      harness.round();
      var after = harness.statefulSets.pods();
      before.forEach(
          (ordinal, pod) -> {
            if (!after.containsKey(ordinal)
                || !after.get(ordinal).getMetadata().getUid().equals(pod.getMetadata().getUid())) {
              deletions.add("main-" + ordinal);
            }
          });
      if (harness.statefulSets.pods().values().stream()
              .allMatch(
                  p -> p.getSpec().getContainers().get(0).getImage().equals("ketch/node:3.5.1"))
          && !Conditions.isTrue(
              harness.cluster().getStatus().getConditions(), Conditions.PROGRESSING)) {
        break;
      }
    }
    assertThat(deletions).containsExactly("main-1", "main-0", "main-2");
    assertThat(harness.etcd.calls).containsExactly("move leader to main-0");
    EtcdCluster cluster = harness.cluster();
    assertThat(cluster.getStatus().getCurrentVersion()).isEqualTo("3.5.1");
    assertThat(cluster.getStatus().getMembers())
        .extracting(MemberStatus::getVersion)
        .containsOnly("3.5.1");
    assertThat(harness.eventReasons()).contains("MemberRestarted");
  }

  @Test
  void anUpgradeWaitsForTheReplacedPodToBeReadyBeforeTheNext() {
    harness.create(3, spec -> spec.setVersion("3.5.0"));
    harness.converge();
    harness.etcd.leader = idOf("main-0");
    harness.statefulSets.newPodsReady = false;
    harness.edit(c -> c.getSpec().setVersion("3.5.1"));
    String replaced = harness.statefulSets.pods().get(2).getMetadata().getUid();
    harness.round();
    assertThat(harness.statefulSets.pods()).doesNotContainKey(2);

    // The replacement runs but is not Ready yet, while every member still answers as healthy.
    for (int i = 0; i < 3; i++) {
      harness.round();
    }
    var pods = harness.statefulSets.pods();
    assertThat(pods.get(2).getMetadata().getUid()).isNotEqualTo(replaced);
    assertThat(pods.get(1).getSpec().getContainers().get(0).getImage())
        .as("main-1 waits for main-2's pod to be Ready")
        .isEqualTo("ketch/node:3.5.0");

    harness.statefulSets.markReady(2);
    harness.round();
    assertThat(harness.statefulSets.pods()).doesNotContainKey(1);
  }

  @Test
  void aPausedClusterIsLeftAlone() {
    harness.create(3, spec -> {});
    harness.converge();
    harness.etcd.calls.clear();
    harness.edit(
        c -> {
          c.getMetadata()
              .setAnnotations(
                  new HashMap<>(java.util.Map.of(EtcdCluster.PAUSED_ANNOTATION, "true")));
          c.getSpec().setReplicas(5);
        });
    for (int i = 0; i < 5; i++) {
      harness.round();
    }
    assertThat(harness.etcd.calls).isEmpty();
    assertThat(harness.statefulSet().getSpec().getReplicas()).isEqualTo(3);
    assertCondition(harness.cluster(), Conditions.PROGRESSING, false, "Paused");
    harness.edit(c -> c.getMetadata().getAnnotations().remove(EtcdCluster.PAUSED_ANNOTATION));
    harness.converge();
    assertThat(harness.etcd.membershipCalls()).contains("add learner main-3", "add learner main-4");
  }

  @Test
  void quorumLossIsReportedAndNothingIsChanged() {
    harness.create(3, spec -> {});
    harness.converge();
    harness.etcd.calls.clear();
    harness.etcd.down = true;
    harness.edit(c -> c.getSpec().setReplicas(5));
    harness.round();
    EtcdCluster cluster = harness.cluster();
    assertCondition(cluster, Conditions.AVAILABLE, false, "QuorumLost");
    assertCondition(cluster, Conditions.DEGRADED, true, "QuorumLost");
    assertThat(
            Conditions.find(cluster.getStatus().getConditions(), Conditions.AVAILABLE).getMessage())
        .contains("docs/operator.md#recover");
    assertThat(cluster.getStatus().getClusterID()).isEqualTo("c1c1");
    assertThat(cluster.getStatus().getMembers()).hasSize(3).noneMatch(MemberStatus::getHealthy);
    assertThat(cluster.getStatus().getLeader()).isNull();
    assertThat(harness.eventReasons()).contains("QuorumLost");
    assertThat(harness.statefulSet().getSpec().getReplicas()).isEqualTo(3);
  }

  @Test
  void stepsInterruptedBetweenTheMembershipChangeAndTheStatefulSetResume() {
    harness.create(3, spec -> {});
    harness.converge();
    harness.etcd.calls.clear();

    // Scale-out stopped after MemberAdd: the learner exists, the StatefulSet was not grown.
    harness.edit(c -> c.getSpec().setReplicas(4));
    harness.etcd.addLearner(harness.topology.peerUrl(3));
    harness.converge();
    assertThat(harness.etcd.calls).containsExactly("add learner main-3", "promote main-3");
    assertThat(harness.statefulSet().getSpec().getReplicas()).isEqualTo(4);

    // Scale-in stopped after MemberRemove: the StatefulSet still has the pod.
    harness.etcd.calls.clear();
    harness.edit(c -> c.getSpec().setReplicas(3));
    harness.etcd.remove(idOf("main-3"));
    harness.converge();
    assertThat(harness.etcd.calls).containsExactly("remove main-3");
    assertThat(harness.statefulSet().getSpec().getReplicas()).isEqualTo(3);

    // Heal stopped after MemberRemove: a pod of the StatefulSet has no member; it is added again on
    // an empty volume.
    harness.etcd.calls.clear();
    String claimUid = claimUid("data-main-1");
    harness.etcd.remove(idOf("main-1"));
    harness.converge();
    assertThat(harness.etcd.calls)
        .containsExactly("remove main-1", "add learner main-1", "promote main-1");
    assertThat(claimUid("data-main-1"))
        .as("the member starts on a new claim")
        .isNotEqualTo(claimUid);
  }

  private long idOf(String name) {
    return harness.etcd.members.values().stream()
        .filter(m -> m.name.equals(name))
        .findFirst()
        .orElseThrow()
        .id;
  }

  private String claimUid(String name) {
    return client
        .persistentVolumeClaims()
        .inNamespace(harness.namespace)
        .withName(name)
        .get()
        .getMetadata()
        .getUid();
  }
}
