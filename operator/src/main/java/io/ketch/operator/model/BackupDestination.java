package io.ketch.operator.model;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/** Where snapshots are stored: exactly one of S3-compatible object storage or a volume claim. */
@ValidationRule(value = "has(self.s3) != has(self.pvc)", message = "set exactly one of s3 or pvc")
public class BackupDestination {
  @JsonPropertyDescription("S3-compatible object storage.")
  private S3Destination s3;

  @JsonPropertyDescription("A PersistentVolumeClaim in the cluster's namespace.")
  private PvcDestination pvc;

  public S3Destination getS3() {
    return s3;
  }

  public void setS3(S3Destination s3) {
    this.s3 = s3;
  }

  public PvcDestination getPvc() {
    return pvc;
  }

  public void setPvc(PvcDestination pvc) {
    this.pvc = pvc;
  }
}
