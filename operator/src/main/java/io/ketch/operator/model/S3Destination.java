package io.ketch.operator.model;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

public class S3Destination {
  /** Keys the credentials Secret holds. */
  public static final String ACCESS_KEY_ID = "accessKeyId";

  public static final String SECRET_ACCESS_KEY = "secretAccessKey";

  public static final String DEFAULT_REGION = "us-east-1";

  @JsonPropertyDescription(
      "Endpoint URL, e.g. https://s3.eu-west-1.amazonaws.com or http://minio.minio:9000; AWS's when unset.")
  @Size(max = 2048)
  private String endpoint;

  @Required
  @JsonPropertyDescription("Bucket name.")
  @Size(max = 63)
  private String bucket;

  @JsonPropertyDescription("Prefix of the object keys, e.g. \"prod/etcd/\".")
  @Size(max = 1024)
  private String keyPrefix;

  @Required
  @JsonPropertyDescription(
      "Name of a Secret in the same namespace with keys accessKeyId and secretAccessKey.")
  @Size(max = 253)
  private String credentialsSecret;

  @Default("false")
  @JsonPropertyDescription(
      "Path-style addressing (bucket in the path), as MinIO and most S3-compatible servers need.")
  private Boolean pathStyle = false;

  @Default(DEFAULT_REGION)
  @JsonPropertyDescription("Region used to sign requests.")
  @Size(max = 64)
  private String region = DEFAULT_REGION;

  public String getEndpoint() {
    return endpoint;
  }

  public void setEndpoint(String endpoint) {
    this.endpoint = endpoint;
  }

  public String getBucket() {
    return bucket;
  }

  public void setBucket(String bucket) {
    this.bucket = bucket;
  }

  public String getKeyPrefix() {
    return keyPrefix;
  }

  public void setKeyPrefix(String keyPrefix) {
    this.keyPrefix = keyPrefix;
  }

  public String getCredentialsSecret() {
    return credentialsSecret;
  }

  public void setCredentialsSecret(String credentialsSecret) {
    this.credentialsSecret = credentialsSecret;
  }

  public Boolean getPathStyle() {
    return pathStyle;
  }

  public void setPathStyle(Boolean pathStyle) {
    this.pathStyle = pathStyle;
  }

  public String getRegion() {
    return region;
  }

  public void setRegion(String region) {
    this.region = region;
  }
}
