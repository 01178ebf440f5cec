package io.ketch.operator.model;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@ValidationRule(
    value = "has(self.storageClassName) == has(oldSelf.storageClassName)",
    message = "storageClassName is immutable")
@ValidationRule(value = "self.emptyDir == oldSelf.emptyDir", message = "emptyDir is immutable")
public class StorageSpec {
  @Default("1Gi")
  @ValidationRule(value = "isQuantity(self)", message = "size must be a quantity, e.g. 8Gi")
  @ValidationRule(
      value = "quantity(self).compareTo(quantity(oldSelf)) >= 0",
      message = "storage size cannot shrink")
  @JsonPropertyDescription(
      "Requested size of each member's volume claim; may grow (the claims are expanded) but never shrink.")
  @Size(max = 32)
  private String size = "1Gi";

  @ValidationRule(value = "self == oldSelf", message = "storageClassName is immutable")
  @JsonPropertyDescription(
      "Storage class of the volume claims; the cluster's default when unset. Immutable.")
  @Size(max = 253)
  private String storageClassName;

  @Default("false")
  @JsonPropertyDescription(
      "Keep data in an emptyDir instead of a volume claim (tests and caches only: a rescheduled pod starts empty and is"
          + " re-added as a new member). Immutable.")
  private Boolean emptyDir = false;

  @JsonPropertyDescription("What happens to a member's volume claim when the member is removed.")
  private ClaimRetentionSpec claimRetention;

  public String getSize() {
    return size;
  }

  public void setSize(String size) {
    this.size = size;
  }

  public String getStorageClassName() {
    return storageClassName;
  }

  public void setStorageClassName(String storageClassName) {
    this.storageClassName = storageClassName;
  }

  public Boolean getEmptyDir() {
    return emptyDir;
  }

  public void setEmptyDir(Boolean emptyDir) {
    this.emptyDir = emptyDir;
  }

  public ClaimRetentionSpec getClaimRetention() {
    return claimRetention;
  }

  public void setClaimRetention(ClaimRetentionSpec claimRetention) {
    this.claimRetention = claimRetention;
  }
}
