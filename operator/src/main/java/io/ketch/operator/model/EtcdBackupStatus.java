package io.ketch.operator.model;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

public class EtcdBackupStatus {
  /**
   * A backup's life: Pending until taken, Running while streaming, then Succeeded or Failed for
   * good.
   */
  public enum Phase {
    Pending,
    Running,
    Succeeded,
    Failed
  }

  private Phase phase;

  @JsonPropertyDescription("The store revision the snapshot holds.")
  private Long revision;

  @JsonPropertyDescription("Snapshot size in bytes.")
  private Long size;

  @JsonPropertyDescription("SHA-256 of the stored snapshot (hex), verified after the upload.")
  private String sha256;

  @JsonPropertyDescription("Where the snapshot is: s3://bucket/key or pvc://claim/path.")
  private String location;

  @JsonPropertyDescription("RFC 3339.")
  private String startTime;

  @JsonPropertyDescription("RFC 3339.")
  private String completionTime;

  @JsonPropertyDescription("Why the backup failed, or what it waits for.")
  private String message;

  public Phase getPhase() {
    return phase;
  }

  public void setPhase(Phase phase) {
    this.phase = phase;
  }

  public Long getRevision() {
    return revision;
  }

  public void setRevision(Long revision) {
    this.revision = revision;
  }

  public Long getSize() {
    return size;
  }

  public void setSize(Long size) {
    this.size = size;
  }

  public String getSha256() {
    return sha256;
  }

  public void setSha256(String sha256) {
    this.sha256 = sha256;
  }

  public String getLocation() {
    return location;
  }

  public void setLocation(String location) {
    this.location = location;
  }

  public String getStartTime() {
    return startTime;
  }

  public void setStartTime(String startTime) {
    this.startTime = startTime;
  }

  public String getCompletionTime() {
    return completionTime;
  }

  public void setCompletionTime(String completionTime) {
    this.completionTime = completionTime;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }
}
