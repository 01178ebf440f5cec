package io.ketch.operator.model;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The newest successful backup of a cluster, copied from its EtcdBackup's status. */
public class LastBackup {
  @JsonPropertyDescription("Name of the EtcdBackup.")
  private String name;

  @JsonPropertyDescription("Where the snapshot is (an EtcdBackup status.location).")
  private String location;

  @JsonPropertyDescription("The store revision the snapshot holds.")
  private Long revision;

  @JsonPropertyDescription("When the backup completed (RFC 3339).")
  private String completionTime;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getLocation() {
    return location;
  }

  public void setLocation(String location) {
    this.location = location;
  }

  public Long getRevision() {
    return revision;
  }

  public void setRevision(Long revision) {
    this.revision = revision;
  }

  public String getCompletionTime() {
    return completionTime;
  }

  public void setCompletionTime(String completionTime) {
    this.completionTime = completionTime;
  }
}
