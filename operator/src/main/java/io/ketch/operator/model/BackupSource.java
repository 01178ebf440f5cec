package io.ketch.operator.model;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A snapshot to restore: where it is stored and which one. */
public class BackupSource {
  @Required
  @JsonPropertyDescription("The storage the backup was written to.")
  private BackupDestination destination;

  @JsonPropertyDescription(
      "The backup's location as an EtcdBackup's status.location reports it; when unset, the newest backup under the"
          + " destination.")
  @Size(max = 4096)
  private String location;

  public BackupDestination getDestination() {
    return destination;
  }

  public void setDestination(BackupDestination destination) {
    this.destination = destination;
  }

  public String getLocation() {
    return location;
  }

  public void setLocation(String location) {
    this.location = location;
  }
}
