package io.ketch.operator.model;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.model.annotation.LabelSelector;
import io.fabric8.kubernetes.model.annotation.StatusReplicas;
import java.util.ArrayList;
import java.util.List;

public class EtcdClusterStatus {
  @JsonPropertyDescription("The spec generation this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription("Available, Progressing and Degraded, with reasons.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("The members as the cluster reports them.")
  private List<MemberStatus> members = new ArrayList<>();

  @JsonPropertyDescription("Name of the leading member.")
  private String leader;

  @JsonPropertyDescription(
      "The cluster id (hex), latched when the cluster bootstrapped; it never changes afterwards.")
  private String clusterID;

  @StatusReplicas
  @JsonPropertyDescription("Number of voting members.")
  private Integer replicas;

  @JsonPropertyDescription("Number of members that are healthy and ready.")
  private Integer readyReplicas;

  @LabelSelector
  @JsonPropertyDescription("Label selector of the member pods (for the scale subresource).")
  private String selector;

  @JsonPropertyDescription("Version all members run; during an upgrade, the oldest one.")
  private String currentVersion;

  @JsonPropertyDescription("The newest successful backup of this cluster.")
  private LastBackup lastBackup;

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public List<MemberStatus> getMembers() {
    return members;
  }

  public void setMembers(List<MemberStatus> members) {
    this.members = members;
  }

  public String getLeader() {
    return leader;
  }

  public void setLeader(String leader) {
    this.leader = leader;
  }

  public String getClusterID() {
    return clusterID;
  }

  public void setClusterID(String clusterID) {
    this.clusterID = clusterID;
  }

  public Integer getReplicas() {
    return replicas;
  }

  public void setReplicas(Integer replicas) {
    this.replicas = replicas;
  }

  public Integer getReadyReplicas() {
    return readyReplicas;
  }

  public void setReadyReplicas(Integer readyReplicas) {
    this.readyReplicas = readyReplicas;
  }

  public String getSelector() {
    return selector;
  }

  public void setSelector(String selector) {
    this.selector = selector;
  }

  public String getCurrentVersion() {
    return currentVersion;
  }

  public void setCurrentVersion(String currentVersion) {
    this.currentVersion = currentVersion;
  }

  public LastBackup getLastBackup() {
    return lastBackup;
  }

  public void setLastBackup(LastBackup lastBackup) {
    this.lastBackup = lastBackup;
  }
}
