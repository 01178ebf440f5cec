package io.ketch.operator.members;

import java.util.List;

/**
 * Maintenance.Status of one member, and whether it answered a linearizable read (etcd's endpoint
 * health).
 */
public record EndpointStatus(
    long memberId,
    long leaderId,
    String version,
    long raftIndex,
    long raftAppliedIndex,
    boolean learner,
    List<String> errors,
    boolean healthy) {
  public EndpointStatus {
    errors = List.copyOf(errors);
  }

  public boolean isLeader() {
    return memberId != 0 && memberId == leaderId;
  }
}
