package io.ketch.operator.resources;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.ketch.operator.model.EtcdCluster;

/**
 * Metadata of an object the cluster owns: its namespace, labels, and a controller reference to the
 * EtcdCluster.
 */
public final class Owned {
  private Owned() {}

  public static ObjectMeta metadata(EtcdCluster cluster, String name, String component) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(cluster.getMetadata().getNamespace())
        .withLabels(Labels.of(cluster.getMetadata().getName(), component))
        .withOwnerReferences(ownerReference(cluster))
        .build();
  }

  static OwnerReference ownerReference(EtcdCluster cluster) {
    return new OwnerReferenceBuilder()
        .withApiVersion(cluster.getApiVersion())
        .withKind(cluster.getKind())
        .withName(cluster.getMetadata().getName())
        .withUid(cluster.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }
}
