package io.ketch.operator.model;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

public class ClusterReference {
  @Required
  @JsonPropertyDescription("Name of the EtcdCluster.")
  private String name;

  public ClusterReference() {}

  public ClusterReference(String name) {
    this.name = name;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }
}
