package io.ketch.operator.reconcile;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ketch.operator.model.EtcdBackup;
import io.ketch.operator.model.EtcdBackupStatus;
import io.ketch.operator.model.EtcdCluster;
import io.ketch.operator.resources.Labels;
import io.ketch.operator.resources.MemberStatefulSet;
import io.ketch.operator.resources.MemberTopology;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * Reads and writes a cluster's Kubernetes objects. Writes are create, or an edit (a JSON patch) of
 * the fields the operator owns, and only when those differ: no server-side apply, so it runs on any
 * API server, fabric8's mock included, and leaves fields others default or own alone.
 */
final class KubeObjects {
  private final KubernetesClient client;

  KubeObjects(KubernetesClient client) {
    this.client = client;
  }

  KubernetesClient client() {
    return client;
  }

  StatefulSet statefulSet(MemberTopology topology) {
    return client
        .apps()
        .statefulSets()
        .inNamespace(topology.namespace())
        .withName(topology.statefulSet())
        .get();
  }

  ConfigMap configMap(MemberTopology topology) {
    return client
        .configMaps()
        .inNamespace(topology.namespace())
        .withName(topology.configMap())
        .get();
  }

  /** The cluster's member pods by ordinal. */
  Map<Integer, Pod> pods(MemberTopology topology) {
    Map<Integer, Pod> pods = new TreeMap<>();
    for (Pod pod :
        client
            .pods()
            .inNamespace(topology.namespace())
            .withLabels(Labels.selector(topology.cluster()))
            .list()
            .getItems()) {
      OptionalInt ordinal = topology.ordinalOf(pod.getMetadata().getName());
      if (ordinal.isPresent()) {
        pods.put(ordinal.getAsInt(), pod);
      }
    }
    return pods;
  }

  /** The members' data claims by ordinal (those the volume claim template made). */
  Map<Integer, PersistentVolumeClaim> claims(MemberTopology topology) {
    Map<Integer, PersistentVolumeClaim> claims = new TreeMap<>();
    String prefix = MemberStatefulSet.DATA_VOLUME + "-";
    for (PersistentVolumeClaim claim :
        client.persistentVolumeClaims().inNamespace(topology.namespace()).list().getItems()) {
      String name = claim.getMetadata().getName();
      if (name.startsWith(prefix)) {
        topology.ordinalOf(name.substring(prefix.length())).ifPresent(i -> claims.put(i, claim));
      }
    }
    return claims;
  }

  void applyService(Service desired) {
    Service existing =
        client
            .services()
            .inNamespace(desired.getMetadata().getNamespace())
            .withName(desired.getMetadata().getName())
            .get();
    if (existing == null) {
      client.resource(desired).create();
      return;
    }
    boolean same =
        Objects.equals(existing.getSpec().getPorts(), desired.getSpec().getPorts())
            && Objects.equals(existing.getSpec().getSelector(), desired.getSpec().getSelector())
            && Objects.equals(
                existing.getSpec().getPublishNotReadyAddresses(),
                desired.getSpec().getPublishNotReadyAddresses())
            && Objects.equals(
                existing.getMetadata().getLabels(), desired.getMetadata().getLabels());
    if (!same) {
      client
          .resource(existing)
          .edit(
              s -> {
                s.getMetadata().setLabels(desired.getMetadata().getLabels());
                s.getSpec().setPorts(desired.getSpec().getPorts());
                s.getSpec().setSelector(desired.getSpec().getSelector());
                s.getSpec()
                    .setPublishNotReadyAddresses(desired.getSpec().getPublishNotReadyAddresses());
                return s;
              });
    }
  }

  void applyDisruptionBudget(MemberTopology topology, Optional<PodDisruptionBudget> desired) {
    var budgets = client.policy().v1().podDisruptionBudget().inNamespace(topology.namespace());
    PodDisruptionBudget existing = budgets.withName(topology.disruptionBudget()).get();
    if (desired.isEmpty()) {
      if (existing != null) {
        budgets.withName(topology.disruptionBudget()).delete();
      }
      return;
    }
    if (existing == null) {
      client.resource(desired.get()).create();
    } else if (!Objects.equals(
        existing.getSpec().getMinAvailable(), desired.get().getSpec().getMinAvailable())) {
      client
          .resource(existing)
          .edit(
              b -> {
                b.getSpec().setMinAvailable(desired.get().getSpec().getMinAvailable());
                return b;
              });
    }
  }

  /** Creates the ConfigMap or replaces its data when it differs; returns it as it is now. */
  ConfigMap applyConfigMap(ConfigMap existing, ConfigMap desired) {
    if (existing == null) {
      return client.resource(desired).create();
    }
    if (Objects.equals(existing.getData(), desired.getData())) {
      return existing;
    }
    return client
        .resource(existing)
        .edit(
            c -> {
              c.setData(desired.getData());
              return c;
            });
  }

  StatefulSet createStatefulSet(StatefulSet desired) {
    return client.resource(desired).create();
  }

  /**
   * Brings the StatefulSet's mutable fields to the desired ones: replicas, pod template, update
   * strategy, claim retention, labels. Selector, service name, pod management and claim templates
   * are immutable and stay. Returns the StatefulSet as it is now.
   */
  StatefulSet updateStatefulSet(StatefulSet existing, StatefulSet desired) {
    boolean same =
        Objects.equals(existing.getSpec().getReplicas(), desired.getSpec().getReplicas())
            && Objects.equals(templateHash(existing), templateHash(desired))
            && Objects.equals(
                existing.getSpec().getPersistentVolumeClaimRetentionPolicy(),
                desired.getSpec().getPersistentVolumeClaimRetentionPolicy())
            && Objects.equals(
                existing.getMetadata().getLabels(), desired.getMetadata().getLabels());
    if (same) {
      return existing;
    }
    return client
        .resource(existing)
        .edit(
            s -> {
              s.getMetadata().setLabels(desired.getMetadata().getLabels());
              s.getSpec().setReplicas(desired.getSpec().getReplicas());
              s.getSpec().setTemplate(desired.getSpec().getTemplate());
              s.getSpec().setUpdateStrategy(desired.getSpec().getUpdateStrategy());
              s.getSpec()
                  .setPersistentVolumeClaimRetentionPolicy(
                      desired.getSpec().getPersistentVolumeClaimRetentionPolicy());
              return s;
            });
  }

  static String templateHash(StatefulSet statefulSet) {
    var annotations = statefulSet.getSpec().getTemplate().getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(MemberStatefulSet.TEMPLATE_HASH);
  }

  void deletePod(MemberTopology topology, String name) {
    client.pods().inNamespace(topology.namespace()).withName(name).delete();
  }

  void deleteClaim(MemberTopology topology, String name) {
    client.persistentVolumeClaims().inNamespace(topology.namespace()).withName(name).delete();
  }

  /** Volume expansion: claims are edited in place (a StatefulSet's claim template is immutable). */
  void expandClaim(PersistentVolumeClaim claim, String size) {
    client
        .resource(claim)
        .edit(
            c -> {
              c.getSpec().getResources().getRequests().put("storage", new Quantity(size));
              return c;
            });
  }

  /** The newest Succeeded EtcdBackup of the cluster, if any. */
  Optional<EtcdBackup> newestBackup(EtcdCluster cluster) {
    List<EtcdBackup> backups =
        client
            .resources(EtcdBackup.class)
            .inNamespace(cluster.getMetadata().getNamespace())
            .list()
            .getItems();
    return backups.stream()
        .filter(b -> b.getSpec() != null && b.getSpec().getClusterRef() != null)
        .filter(b -> cluster.getMetadata().getName().equals(b.getSpec().getClusterRef().getName()))
        .filter(
            b ->
                b.getStatus() != null
                    && b.getStatus().getPhase() == EtcdBackupStatus.Phase.Succeeded)
        .filter(b -> b.getStatus().getCompletionTime() != null)
        .max(Comparator.comparing(b -> b.getStatus().getCompletionTime()));
  }
}
