package io.ketch.operator.model;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/** The StatefulSet's persistentVolumeClaimRetentionPolicy, with the safe default for scale-in. */
public class ClaimRetentionSpec {
  /** Delete or Retain. */
  public enum Policy {
    Delete,
    Retain
  }

  @Default("Delete")
  @JsonPropertyDescription(
      "Claim of a member removed by scale-in. Delete (default): a later scale-out starts the member on a fresh volume"
          + " instead of stale data.")
  private Policy whenScaled = Policy.Delete;

  @Default("Retain")
  @JsonPropertyDescription(
      "Claims when the EtcdCluster is deleted. Retain (default) keeps the data.")
  private Policy whenDeleted = Policy.Retain;

  public Policy getWhenScaled() {
    return whenScaled;
  }

  public void setWhenScaled(Policy whenScaled) {
    this.whenScaled = whenScaled;
  }

  public Policy getWhenDeleted() {
    return whenDeleted;
  }

  public void setWhenDeleted(Policy whenDeleted) {
    this.whenDeleted = whenDeleted;
  }
}
