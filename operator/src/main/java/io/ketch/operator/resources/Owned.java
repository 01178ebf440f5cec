package io.ketch.operator.resources;

import io.fabric8.kubernetes.api.model.HasMetadata;
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

  /** A controller reference to {@code owner}: the garbage collector deletes what it owns. */
  public static OwnerReference ownerReference(HasMetadata owner) {
    return new OwnerReferenceBuilder()
        .withApiVersion(owner.getApiVersion())
        .withKind(owner.getKind())
        .withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }
}
