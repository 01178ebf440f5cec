package io.ketch.operator.reconcile;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.ketch.operator.model.EtcdCluster;
import java.time.Instant;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes events on an EtcdCluster: one for every membership change, bootstrap, heal and quorum
 * loss.
 */
final class ClusterEvents {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterEvents.class);
  static final String NORMAL = "Normal";
  static final String WARNING = "Warning";

  private final KubernetesClient client;

  ClusterEvents(KubernetesClient client) {
    this.client = client;
  }

  void normal(EtcdCluster cluster, String reason, String message) {
    emit(cluster, NORMAL, reason, message);
  }

  void warning(EtcdCluster cluster, String reason, String message) {
    emit(cluster, WARNING, reason, message);
  }

  private void emit(EtcdCluster cluster, String type, String reason, String message) {
    String namespace = cluster.getMetadata().getNamespace();
    String now = Instant.now().toString();
    LOG.info("{}/{} {} {}: {}", namespace, cluster.getMetadata().getName(), type, reason, message);
    try {
      client
          .v1()
          .events()
          .inNamespace(namespace)
          .resource(
              new EventBuilder()
                  .withNewMetadata()
                  .withName(cluster.getMetadata().getName() + "." + UUID.randomUUID())
                  .withNamespace(namespace)
                  .endMetadata()
                  .withInvolvedObject(
                      new ObjectReferenceBuilder()
                          .withApiVersion(cluster.getApiVersion())
                          .withKind(cluster.getKind())
                          .withName(cluster.getMetadata().getName())
                          .withNamespace(namespace)
                          .withUid(cluster.getMetadata().getUid())
                          .build())
                  .withType(type)
                  .withReason(reason)
                  .withMessage(message)
                  .withFirstTimestamp(now)
                  .withLastTimestamp(now)
                  .withCount(1)
                  .withNewSource()
                  .withComponent("ketch-operator")
                  .endSource()
                  .build())
          .create();
    } catch (KubernetesClientException e) {
      // An event is a notice, not state: failing to write one must not fail the reconcile.
      LOG.warn(
          "could not record event {} on {}: {}",
          reason,
          cluster.getMetadata().getName(),
          e.getMessage());
    }
  }
}
