package io.ketch.operator.reconcile;

import io.fabric8.kubernetes.api.model.Pod;
import io.ketch.operator.members.EndpointStatus;
import io.ketch.operator.members.Member;
import io.ketch.operator.model.EtcdBackup;
import io.ketch.operator.model.EtcdCluster;
import io.ketch.operator.model.EtcdClusterStatus;
import io.ketch.operator.model.LastBackup;
import io.ketch.operator.model.MemberStatus;
import io.ketch.operator.resources.Labels;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The status of an EtcdCluster from what a round saw, in one place: members, leader, counts,
 * version, last backup, and the three conditions (whose transition times move only when their
 * status changes).
 */
final class StatusReport {
  private final KubeObjects kube;
  private final ClusterEvents events;
  private final Clock clock;

  StatusReport(KubeObjects kube, ClusterEvents events, Clock clock) {
    this.kube = kube;
    this.events = events;
    this.clock = clock;
  }

  EtcdClusterStatus report(Round round) {
    EtcdCluster cluster = round.cluster;
    long generation =
        cluster.getMetadata().getGeneration() == null ? 0 : cluster.getMetadata().getGeneration();
    EtcdClusterStatus status = new EtcdClusterStatus();
    EtcdClusterStatus previous = round.previous;
    status.setObservedGeneration(generation);
    status.setClusterID(round.clusterId);
    status.setSelector(Labels.selectorString(round.topology.cluster()));
    status.setLastBackup(previous.getLastBackup());
    kube.newestBackup(cluster).ifPresent(backup -> status.setLastBackup(lastBackup(backup)));
    status.setCurrentVersion(
        oldestVersion(round.pods.values()).orElse(previous.getCurrentVersion()));
    var now = clock.instant();
    var conditions = previous.getConditions();

    boolean mismatch =
        round.memberList != null
            && round.clusterId != null
            && !round.clusterId.equals(Long.toHexString(round.memberList.clusterId()));
    if (round.memberList == null || mismatch) {
      // The members last seen, none of them known to be healthy or leading now.
      status.setMembers(
          previous.getMembers() == null
              ? List.of()
              : previous.getMembers().stream()
                  .map(
                      m ->
                          new MemberStatus(
                              m.getName(),
                              m.getId(),
                              Boolean.TRUE.equals(m.getLearner()),
                              false,
                              false,
                              m.getVersion()))
                  .toList());
      status.setLeader(null);
      status.setReplicas(previous.getReplicas());
      status.setReadyReplicas(0);
      String reason;
      String message;
      if (mismatch) {
        reason = "ClusterIDMismatch";
        message =
            "members answer for cluster "
                + Long.toHexString(round.memberList.clusterId())
                + ", not "
                + round.clusterId
                + "; nothing is changed until this is resolved";
      } else if (round.clusterId == null) {
        reason = Progress.BOOTSTRAPPING;
        message = "waiting for the seed member: " + round.unreachable;
      } else {
        reason = "QuorumLost";
        message =
            "no member answers ("
                + round.unreachable
                + "); if they cannot come back, recover from the newest backup (docs/operator.md#recover)";
      }
      boolean wasAvailable = Conditions.isTrue(conditions, Conditions.AVAILABLE);
      conditions =
          Conditions.with(
              conditions, Conditions.AVAILABLE, false, reason, message, generation, now);
      boolean bootstrapping = round.clusterId == null;
      conditions =
          Conditions.with(
              conditions,
              Conditions.PROGRESSING,
              bootstrapping,
              bootstrapping ? Progress.BOOTSTRAPPING : reason,
              bootstrapping
                  ? "starting the seed member"
                  : "no membership change without the cluster",
              generation,
              now);
      conditions =
          Conditions.with(
              conditions,
              Conditions.DEGRADED,
              !bootstrapping,
              bootstrapping ? "Bootstrapping" : reason,
              message,
              generation,
              now);
      if (wasAvailable && !bootstrapping) {
        events.warning(cluster, reason, message);
      }
      status.setConditions(conditions);
      return status;
    }

    long leaderId = round.leaderId();
    List<MemberStatus> members = new ArrayList<>();
    List<String> unhealthy = new ArrayList<>();
    for (Member member : round.memberList.members()) {
      EndpointStatus endpoint = round.statuses.get(member.id());
      boolean healthy = round.healthy(member);
      // A learner on its way in is progress, not degradation.
      if (!healthy && !member.learner()) {
        unhealthy.add(round.name(member));
      }
      members.add(
          new MemberStatus(
              round.name(member),
              member.idHex(),
              member.learner(),
              member.id() == leaderId,
              healthy,
              endpoint == null ? null : endpoint.version()));
    }
    members.sort(Comparator.comparing(MemberStatus::getName));
    status.setMembers(members);
    status.setLeader(round.memberList.byId(leaderId).map(round::name).orElse(null));
    status.setReplicas((int) round.memberList.voters());
    status.setReadyReplicas((int) members.stream().filter(MemberStatus::getHealthy).count());

    boolean available = round.quorumHealthy();
    boolean wasAvailable = Conditions.isTrue(conditions, Conditions.AVAILABLE);
    String availableMessage =
        round.healthyVoters()
            + " of "
            + round.memberList.voters()
            + " voters healthy"
            + (status.getLeader() == null ? ", no leader" : ", leader " + status.getLeader());
    conditions =
        Conditions.with(
            conditions,
            Conditions.AVAILABLE,
            available,
            available ? "QuorumHealthy" : "QuorumLost",
            available
                ? availableMessage
                : availableMessage
                    + "; if the lost members cannot come back, recover from the newest backup (docs/operator.md#recover)",
            generation,
            now);
    if (!available && wasAvailable) {
      events.warning(cluster, "QuorumLost", availableMessage);
    }
    Progress progress = round.progress;
    if (round.paused) {
      conditions =
          Conditions.with(
              conditions,
              Conditions.PROGRESSING,
              false,
              "Paused",
              "the " + EtcdCluster.PAUSED_ANNOTATION + " annotation is set: no changes are made",
              generation,
              now);
    } else if (progress != null) {
      conditions =
          Conditions.with(
              conditions,
              Conditions.PROGRESSING,
              true,
              progress.reason(),
              progress.message(),
              generation,
              now);
    } else if (available) {
      conditions =
          Conditions.with(
              conditions,
              Conditions.PROGRESSING,
              false,
              "Reconciled",
              members.size()
                  + " member(s)"
                  + (status.getCurrentVersion() == null ? "" : " at " + status.getCurrentVersion()),
              generation,
              now);
    } else {
      conditions =
          Conditions.with(
              conditions,
              Conditions.PROGRESSING,
              false,
              "QuorumLost",
              "no membership change without quorum",
              generation,
              now);
    }
    boolean degraded = !available || !unhealthy.isEmpty();
    conditions =
        Conditions.with(
            conditions,
            Conditions.DEGRADED,
            degraded,
            !available ? "QuorumLost" : degraded ? "MembersUnhealthy" : "AllMembersHealthy",
            degraded ? "unhealthy: " + String.join(", ", unhealthy) : "every member is healthy",
            generation,
            now);
    status.setConditions(conditions);
    return status;
  }

  private static LastBackup lastBackup(EtcdBackup backup) {
    LastBackup last = new LastBackup();
    last.setName(backup.getMetadata().getName());
    last.setLocation(backup.getStatus().getLocation());
    last.setRevision(backup.getStatus().getRevision());
    last.setCompletionTime(backup.getStatus().getCompletionTime());
    return last;
  }

  /** The oldest version label among the pods: what every member runs at least. */
  static Optional<String> oldestVersion(Collection<Pod> pods) {
    return pods.stream()
        .map(
            p ->
                p.getMetadata().getLabels() == null
                    ? null
                    : p.getMetadata().getLabels().get(Labels.VERSION))
        .filter(Objects::nonNull)
        .min(StatusReport::compareVersions);
  }

  static int compareVersions(String a, String b) {
    String[] x = a.split("[.+-]");
    String[] y = b.split("[.+-]");
    for (int i = 0; i < Math.min(x.length, y.length); i++) {
      int c =
          x[i].chars().allMatch(Character::isDigit)
                  && y[i].chars().allMatch(Character::isDigit)
                  && !x[i].isEmpty()
                  && !y[i].isEmpty()
              ? Long.compare(Long.parseLong(x[i]), Long.parseLong(y[i]))
              : x[i].compareTo(y[i]);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(x.length, y.length);
  }
}
