package io.ketch.operator.model;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One member as the cluster reports it. */
public class MemberStatus {
  @JsonPropertyDescription("Member name (the pod's name).")
  private String name;

  @JsonPropertyDescription("Member id (hex).")
  private String id;

  private Boolean learner;
  private Boolean leader;
  private Boolean healthy;

  @JsonPropertyDescription("Server version the member reports.")
  private String version;

  public MemberStatus() {}

  public MemberStatus(
      String name, String id, boolean learner, boolean leader, boolean healthy, String version) {
    this.name = name;
    this.id = id;
    this.learner = learner;
    this.leader = leader;
    this.healthy = healthy;
    this.version = version;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getId() {
    return id;
  }

  public void setId(String id) {
    this.id = id;
  }

  public Boolean getLearner() {
    return learner;
  }

  public void setLearner(Boolean learner) {
    this.learner = learner;
  }

  public Boolean getLeader() {
    return leader;
  }

  public void setLeader(Boolean leader) {
    this.leader = leader;
  }

  public Boolean getHealthy() {
    return healthy;
  }

  public void setHealthy(Boolean healthy) {
    this.healthy = healthy;
  }

  public String getVersion() {
    return version;
  }

  public void setVersion(String version) {
    this.version = version;
  }
}
