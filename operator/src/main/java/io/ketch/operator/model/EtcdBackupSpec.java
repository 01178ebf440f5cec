package io.ketch.operator.model;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

@ValidationRule(value = "self == oldSelf", message = "an EtcdBackup's spec is immutable")
public class EtcdBackupSpec {
  @Required
  @JsonPropertyDescription("The EtcdCluster to back up, in the same namespace.")
  private ClusterReference clusterRef;

  @Required
  @JsonPropertyDescription("Where the snapshot goes.")
  private BackupDestination destination;

  public ClusterReference getClusterRef() {
    return clusterRef;
  }

  public void setClusterRef(ClusterReference clusterRef) {
    this.clusterRef = clusterRef;
  }

  public BackupDestination getDestination() {
    return destination;
  }

  public void setDestination(BackupDestination destination) {
    this.destination = destination;
  }
}
