package io.ketch.operator.model;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;

public class DisruptionBudgetSpec {
  @Default("true")
  @JsonPropertyDescription("Create the PodDisruptionBudget (default true).")
  private Boolean enabled = true;

  @Min(1)
  @JsonPropertyDescription("minAvailable of the budget; by default the quorum, replicas/2+1.")
  private Integer minAvailable;

  public Boolean getEnabled() {
    return enabled;
  }

  public void setEnabled(Boolean enabled) {
    this.enabled = enabled;
  }

  public Integer getMinAvailable() {
    return minAvailable;
  }

  public void setMinAvailable(Integer minAvailable) {
    this.minAvailable = minAvailable;
  }
}
