package io.ketch.operator.model;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

public class BootstrapSpec {
  @JsonPropertyDescription("Start the new cluster from this backup instead of empty.")
  private BackupSource fromBackup;

  public BackupSource getFromBackup() {
    return fromBackup;
  }

  public void setFromBackup(BackupSource fromBackup) {
    this.fromBackup = fromBackup;
  }
}
