package io.ketch.operator.reconcile;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.ketch.operator.members.EndpointStatus;
import io.ketch.operator.members.Member;
import io.ketch.operator.members.MemberList;
import io.ketch.operator.members.Members;
import io.ketch.operator.model.EtcdCluster;
import io.ketch.operator.model.EtcdClusterStatus;
import io.ketch.operator.model.StorageSpec;
import io.ketch.operator.resources.MemberDisruptionBudget;
import io.ketch.operator.resources.MemberTopology;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What one reconcile saw: the cluster's objects, its members and their status, and what the round
 * did.
 */
final class Round {
  /**
   * A member whose applied index trails the leader's raft index by at most this much is caught up.
   */
  static final long CAUGHT_UP_ENTRIES = 100;

  final EtcdCluster cluster;
  final MemberTopology topology;
  final EtcdClusterStatus previous;
  final boolean paused;
  final int desired;
  StatefulSet statefulSet;
  ConfigMap configMap;
  Map<Integer, Pod> pods = Map.of();
  Map<Integer, PersistentVolumeClaim> claims = Map.of();
  Members members;
  MemberList memberList;
  String unreachable;
  final Map<Long, EndpointStatus> statuses = new HashMap<>();
  Progress progress;
  String clusterId;

  Round(EtcdCluster cluster) {
    this.cluster = cluster;
    this.topology = MemberTopology.of(cluster);
    this.previous = cluster.getStatus() == null ? new EtcdClusterStatus() : cluster.getStatus();
    this.paused = isPaused(cluster);
    this.desired = cluster.getSpec().getReplicas() == null ? 3 : cluster.getSpec().getReplicas();
    this.clusterId = previous.getClusterID();
  }

  int statefulSetReplicas() {
    return statefulSet == null || statefulSet.getSpec().getReplicas() == null
        ? 0
        : statefulSet.getSpec().getReplicas();
  }

  OptionalInt ordinal(Member member) {
    for (String url : member.peerUrls()) {
      OptionalInt ordinal = topology.ordinalOfPeerUrl(url);
      if (ordinal.isPresent()) {
        return ordinal;
      }
    }
    return OptionalInt.empty();
  }

  String name(Member member) {
    OptionalInt ordinal = ordinal(member);
    return ordinal.isPresent() ? topology.memberName(ordinal.getAsInt()) : member.name();
  }

  Optional<Member> memberAt(int ordinal) {
    return memberList.members().stream().filter(m -> ordinal(m).orElse(-1) == ordinal).findFirst();
  }

  boolean healthy(Member member) {
    EndpointStatus status = statuses.get(member.id());
    return status != null && status.healthy() && status.errors().isEmpty();
  }

  Optional<EndpointStatus> leaderStatus() {
    return statuses.values().stream().filter(EndpointStatus::isLeader).findFirst();
  }

  long leaderId() {
    return leaderStatus()
        .map(EndpointStatus::leaderId)
        .orElseGet(
            () ->
                statuses.values().stream()
                    .mapToLong(EndpointStatus::leaderId)
                    .filter(id -> id != 0)
                    .findFirst()
                    .orElse(0));
  }

  long healthyVoters() {
    return memberList.members().stream().filter(m -> !m.learner() && healthy(m)).count();
  }

  boolean quorumHealthy() {
    return memberList != null
        && leaderId() != 0
        && healthyVoters() >= MemberDisruptionBudget.quorum((int) memberList.voters());
  }

  boolean caughtUp(Member member) {
    EndpointStatus status = statuses.get(member.id());
    Optional<EndpointStatus> leader = leaderStatus();
    return status != null
        && leader.isPresent()
        && leader.get().raftIndex() - status.raftAppliedIndex() <= CAUGHT_UP_ENTRIES;
  }

  boolean allHealthyAndCaughtUp() {
    return memberList.members().stream().allMatch(m -> m.started() && healthy(m) && caughtUp(m));
  }

  /**
   * Every ordinal of the StatefulSet has a pod that is not being deleted and is Ready. A member
   * answers as healthy until its process stops, which is after its pod was deleted: after a restart
   * only the pods tell that the member is not back yet.
   */
  boolean podsReady() {
    for (int ordinal = 0; ordinal < statefulSetReplicas(); ordinal++) {
      Pod pod = pods.get(ordinal);
      if (pod == null || pod.getMetadata().getDeletionTimestamp() != null || !isReady(pod)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isReady(Pod pod) {
    return pod.getStatus() != null
        && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  StorageSpec storage() {
    return cluster.getSpec().getStorage() == null
        ? new StorageSpec()
        : cluster.getSpec().getStorage();
  }

  boolean emptyDir() {
    return Boolean.TRUE.equals(storage().getEmptyDir());
  }

  /** The object whose uid identifies the member's data: its claim, or its pod for an emptyDir. */
  Optional<HasMetadata> volume(int ordinal) {
    return Optional.ofNullable(emptyDir() ? pods.get(ordinal) : claims.get(ordinal));
  }

  static boolean isPaused(EtcdCluster cluster) {
    var annotations = cluster.getMetadata().getAnnotations();
    return annotations != null
        && "true".equalsIgnoreCase(annotations.get(EtcdCluster.PAUSED_ANNOTATION));
  }

  /**
   * A member a step may take out of the voters: the remaining healthy voters must still be a
   * quorum.
   */
  boolean keepsQuorumWithout(Member member) {
    long voters = memberList.voters() - 1;
    long healthy = healthyVoters() - (healthy(member) ? 1 : 0);
    return voters > 0 && healthy >= MemberDisruptionBudget.quorum((int) voters);
  }
}
