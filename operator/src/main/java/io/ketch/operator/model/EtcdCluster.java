package io.ketch.operator.model;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A cluster of etcd-compatible members run as one StatefulSet and kept healthy through etcd's
 * membership API.
 */
@Group(EtcdCluster.GROUP)
@Version(EtcdCluster.VERSION)
@ShortNames("etcd")
@AdditionalPrinterColumn(
    name = "Replicas",
    jsonPath = ".spec.replicas",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.readyReplicas",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Version", jsonPath = ".status.currentVersion")
@AdditionalPrinterColumn(name = "Leader", jsonPath = ".status.leader")
@AdditionalPrinterColumn(
    name = "Available",
    jsonPath = ".status.conditions[?(@.type==\"Available\")].status")
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class EtcdCluster extends CustomResource<EtcdClusterSpec, EtcdClusterStatus>
    implements Namespaced {
  public static final String GROUP = "ketch.io";
  public static final String VERSION = "v1alpha1";

  /** Set to "true" and the operator leaves the cluster alone (it still reports status). */
  public static final String PAUSED_ANNOTATION = GROUP + "/paused";
}
