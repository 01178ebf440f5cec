package io.ketch.operator.model;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/** Backups the operator takes on a schedule, as EtcdBackup resources owned by the cluster. */
public class ScheduledBackupSpec {
  @Required
  @JsonPropertyDescription("Cron expression (five fields, UTC), e.g. \"0 */6 * * *\".")
  private String schedule;

  @Required
  @JsonPropertyDescription("Where the backups go.")
  private BackupDestination destination;

  @Default("7")
  @Min(1)
  @JsonPropertyDescription(
      "How many scheduled backups are kept; older ones are deleted with their snapshots.")
  private Integer retention = 7;

  public String getSchedule() {
    return schedule;
  }

  public void setSchedule(String schedule) {
    this.schedule = schedule;
  }

  public BackupDestination getDestination() {
    return destination;
  }

  public void setDestination(BackupDestination destination) {
    this.destination = destination;
  }

  public Integer getRetention() {
    return retention;
  }

  public void setRetention(Integer retention) {
    this.retention = retention;
  }
}
