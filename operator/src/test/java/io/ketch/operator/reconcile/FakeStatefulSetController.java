package io.ketch.operator.reconcile;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ketch.operator.resources.MemberTopology;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * What the StatefulSet controller and the kubelet would do, against the mock API server: pods
 * 0..replicas-1 made from the template (with a claim each from the claim template), ready at once;
 * pods beyond replicas deleted. OnDelete: existing pods are never changed.
 */
final class FakeStatefulSetController {
  private final KubernetesClient client;
  private final MemberTopology topology;

  /** Whether a new pod is Ready at once; otherwise it waits for {@link #markReady}. */
  boolean newPodsReady = true;

  FakeStatefulSetController(KubernetesClient client, MemberTopology topology) {
    this.client = client;
    this.topology = topology;
  }

  void sync() {
    StatefulSet sts =
        client
            .apps()
            .statefulSets()
            .inNamespace(topology.namespace())
            .withName(topology.statefulSet())
            .get();
    if (sts == null) {
      return;
    }
    int replicas = sts.getSpec().getReplicas();
    Map<Integer, Pod> pods = pods();
    for (var pod : pods.entrySet()) {
      if (pod.getKey() >= replicas) {
        client.resource(pod.getValue()).delete();
      }
    }
    for (int i = 0; i < replicas; i++) {
      String name = topology.memberName(i);
      for (PersistentVolumeClaim template : sts.getSpec().getVolumeClaimTemplates()) {
        String claim = template.getMetadata().getName() + "-" + name;
        if (client.persistentVolumeClaims().inNamespace(topology.namespace()).withName(claim).get()
            == null) {
          client
              .resource(
                  new PersistentVolumeClaimBuilder(template)
                      .editMetadata()
                      .withName(claim)
                      .withNamespace(topology.namespace())
                      .withUid(UUID.randomUUID().toString())
                      .endMetadata()
                      .build())
              .create();
        }
      }
      if (!pods.containsKey(i)) {
        var template = sts.getSpec().getTemplate();
        client
            .resource(
                new PodBuilder()
                    .withNewMetadata()
                    .withName(name)
                    .withNamespace(topology.namespace())
                    .withUid(UUID.randomUUID().toString())
                    .withLabels(template.getMetadata().getLabels())
                    .withAnnotations(template.getMetadata().getAnnotations())
                    .endMetadata()
                    .withSpec(template.getSpec())
                    .withNewStatus()
                    .withPhase("Running")
                    .addNewCondition()
                    .withType("Ready")
                    .withStatus(newPodsReady ? "True" : "False")
                    .endCondition()
                    .endStatus()
                    .build())
            .create();
      }
    }
  }

  void markReady(int ordinal) {
    client
        .pods()
        .inNamespace(topology.namespace())
        .withName(topology.memberName(ordinal))
        .editStatus(
            pod -> {
              pod.getStatus().getConditions().get(0).setStatus("True");
              return pod;
            });
  }

  Map<Integer, Pod> pods() {
    Map<Integer, Pod> pods = new TreeMap<>();
    for (Pod pod : client.pods().inNamespace(topology.namespace()).list().getItems()) {
      topology.ordinalOf(pod.getMetadata().getName()).ifPresent(i -> pods.put(i, pod));
    }
    return pods;
  }

  /** The uid of each member's data volume: its claim, or its pod for an emptyDir. */
  Map<Integer, String> volumeUids(boolean emptyDir) {
    Map<Integer, String> uids = new TreeMap<>();
    if (emptyDir) {
      pods().forEach((i, pod) -> uids.put(i, pod.getMetadata().getUid()));
      return uids;
    }
    for (PersistentVolumeClaim claim :
        client.persistentVolumeClaims().inNamespace(topology.namespace()).list().getItems()) {
      String name = claim.getMetadata().getName();
      if (name.startsWith("data-")) {
        topology
            .ordinalOf(name.substring(5))
            .ifPresent(i -> uids.put(i, claim.getMetadata().getUid()));
      }
    }
    return uids;
  }
}
