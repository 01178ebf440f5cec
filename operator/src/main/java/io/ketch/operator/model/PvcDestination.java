package io.ketch.operator.model;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

public class PvcDestination {
  @Required
  @JsonPropertyDescription("Name of a PersistentVolumeClaim in the same namespace.")
  @Size(max = 253)
  private String claimName;

  @Default("/")
  @JsonPropertyDescription("Directory inside the volume the snapshots are written to.")
  @Size(max = 4096)
  private String path = "/";

  public String getClaimName() {
    return claimName;
  }

  public void setClaimName(String claimName) {
    this.claimName = claimName;
  }

  public String getPath() {
    return path;
  }

  public void setPath(String path) {
    this.path = path;
  }
}
