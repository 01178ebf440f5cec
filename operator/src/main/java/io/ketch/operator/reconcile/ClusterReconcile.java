package io.ketch.operator.reconcile;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.ketch.operator.members.Member;
import io.ketch.operator.members.MembersException;
import io.ketch.operator.members.MembersFactory;
import io.ketch.operator.model.ClaimRetentionSpec;
import io.ketch.operator.model.EtcdCluster;
import io.ketch.operator.resources.MemberConfigMap;
import io.ketch.operator.resources.MemberDisruptionBudget;
import io.ketch.operator.resources.MemberImage;
import io.ketch.operator.resources.MemberServices;
import io.ketch.operator.resources.MemberStatefulSet;
import io.ketch.operator.resources.PodAdditions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One reconcile of an EtcdCluster: observe, then at most one membership change, then the status.
 *
 * <p>The chain, in order; the first step that acts or waits ends the round, so every change is made
 * against a fresh observation and an interrupted round simply resumes:
 *
 * <ol>
 *   <li>the objects: Services, PodDisruptionBudget, member ConfigMap, StatefulSet (template; its
 *       size only moves in the membership steps below);
 *   <li>bootstrap: the seed member (the StatefulSet starts at one replica, ConfigMap state "new");
 *       once it answers, the cluster id is latched in the status and the ConfigMap turns "existing"
 *       for good;
 *   <li>stray members: a member no pod of the StatefulSet can be (lost by the StatefulSet, or added
 *       for a scale-out that was then called off) is removed;
 *   <li>heal: a member whose volume is not the one it was bound to lost its data: removed, re-added
 *       as a learner under its name, its pod (and claim) deleted so it starts empty;
 *   <li>learners: promoted once caught up with the leader;
 *   <li>scale out, one member at a time: MemberAdd as learner, ConfigMap, StatefulSet +1;
 *   <li>scale in, one member at a time: leadership moved off the highest member, MemberRemove,
 *       StatefulSet -1, then its claim per the retention policy;
 *   <li>rolling update (OnDelete): one outdated pod at a time, the leader last, each only while
 *       every member is healthy and caught up.
 * </ol>
 *
 * Membership changes are made only while the voters keep a healthy quorum; without one nothing is
 * changed and the status says QuorumLost.
 */
final class ClusterReconcile {
  static final Duration BUSY = Duration.ofSeconds(5);
  static final Duration IDLE = Duration.ofSeconds(30);

  private final KubeObjects kube;
  private final MembersFactory membersFactory;
  private final ClusterEvents events;
  private final MemberImage image;
  private final Function<EtcdCluster, PodAdditions> additions;
  private final StatusReport statusReport;

  ClusterReconcile(
      KubeObjects kube,
      MembersFactory membersFactory,
      ClusterEvents events,
      MemberImage image,
      Function<EtcdCluster, PodAdditions> additions,
      Clock clock) {
    this.kube = kube;
    this.membersFactory = membersFactory;
    this.events = events;
    this.image = image;
    this.additions = additions;
    this.statusReport = new StatusReport(kube, events, clock);
  }

  Outcome reconcile(EtcdCluster cluster) {
    Round round = new Round(cluster);
    round.statefulSet = kube.statefulSet(round.topology);
    round.configMap = kube.configMap(round.topology);
    if (!round.paused) {
      applyObjects(round);
    }
    round.pods = kube.pods(round.topology);
    round.claims = kube.claims(round.topology);
    observeMembers(round);
    if (round.memberList != null && !round.paused) {
      if (latchClusterId(round)) {
        syncConfigMap(round, Map.of());
        act(round);
      }
    }
    return new Outcome(statusReport.report(round), requeue(round));
  }

  private void applyObjects(Round round) {
    EtcdCluster cluster = round.cluster;
    kube.applyService(MemberServices.peerService(cluster));
    kube.applyService(MemberServices.clientService(cluster));
    kube.applyDisruptionBudget(round.topology, MemberDisruptionBudget.of(cluster));
    if (round.configMap == null) {
      // A latched cluster whose ConfigMap was deleted gets it back from the member list (below),
      // never as "new".
      if (round.clusterId == null) {
        round.configMap = kube.applyConfigMap(null, MemberConfigMap.seed(cluster));
      } else {
        round.configMap =
            kube.applyConfigMap(
                null,
                MemberConfigMap.of(
                    cluster,
                    MemberConfigMap.STATE_EXISTING,
                    round.topology.initialCluster(Math.max(1, round.statefulSetReplicas())),
                    Map.of()));
      }
    }
    if (round.statefulSet == null) {
      // A new cluster starts with its seed alone; a latched one whose StatefulSet was deleted gets
      // back as many
      // members as the status last counted (their claims still hold their data).
      int replicas =
          round.clusterId == null
              ? 1
              : Math.max(
                  1, round.previous.getMembers() == null ? 1 : round.previous.getMembers().size());
      round.statefulSet = kube.createStatefulSet(statefulSet(round, replicas));
      if (round.clusterId == null) {
        events.normal(
            cluster, "Bootstrapping", "starting seed member " + round.topology.memberName(0));
      }
    } else {
      round.statefulSet =
          kube.updateStatefulSet(
              round.statefulSet, statefulSet(round, round.statefulSetReplicas()));
    }
  }

  private StatefulSet statefulSet(Round round, int replicas) {
    return MemberStatefulSet.of(round.cluster, image, replicas, additions.apply(round.cluster));
  }

  private void scaleStatefulSet(Round round, int replicas) {
    round.statefulSet = kube.updateStatefulSet(round.statefulSet, statefulSet(round, replicas));
  }

  private void observeMembers(Round round) {
    int replicas = Math.max(1, round.statefulSetReplicas());
    List<String> endpoints = new ArrayList<>();
    for (int i = 0; i < replicas; i++) {
      endpoints.add(round.topology.clientUrl(i));
    }
    round.members = membersFactory.forEndpoints(endpoints);
    try {
      round.memberList = round.members.list();
    } catch (MembersException e) {
      round.unreachable = e.getMessage();
      return;
    }
    for (Member member : round.memberList.members()) {
      OptionalInt ordinal = round.ordinal(member);
      if (!member.started() || ordinal.isEmpty()) {
        continue;
      }
      try {
        round.statuses.put(
            member.id(), round.members.status(round.topology.clientUrl(ordinal.getAsInt())));
      } catch (MembersException e) {
        // Unhealthy: no status.
      }
    }
  }

  /**
   * Latches the cluster id the first time the cluster answers; afterwards a different id (another
   * cluster answering at our members' addresses) stops every change.
   */
  private boolean latchClusterId(Round round) {
    String observed = Long.toHexString(round.memberList.clusterId());
    if (round.clusterId == null) {
      round.clusterId = observed;
      events.normal(round.cluster, "Bootstrapped", "cluster " + observed + " bootstrapped");
      return true;
    }
    return round.clusterId.equals(observed);
  }

  /**
   * The ConfigMap from the member list: state existing, the initial cluster, and the volume
   * bindings (kept while the member id matches, reset for a new id, and a member not bound yet is
   * bound to the volume it has now).
   */
  private void syncConfigMap(Round round, Map<String, String> overrides) {
    Map<String, String> bindings = new LinkedHashMap<>();
    Map<String, String> data = round.configMap == null ? Map.of() : round.configMap.getData();
    for (Member member : round.memberList.members()) {
      OptionalInt ordinal = round.ordinal(member);
      if (ordinal.isEmpty()) {
        continue;
      }
      String name = round.topology.memberName(ordinal.getAsInt());
      Optional<VolumeBinding> old =
          VolumeBinding.parse(data == null ? null : data.get(MemberConfigMap.VOLUME_PREFIX + name))
              .filter(b -> b.memberId().equals(member.idHex()));
      VolumeBinding binding = old.orElse(new VolumeBinding(member.idHex(), ""));
      if (!binding.bound()) {
        Optional<HasMetadata> volume = round.volume(ordinal.getAsInt());
        if (volume.isPresent() && volume.get().getMetadata().getDeletionTimestamp() == null) {
          binding = new VolumeBinding(member.idHex(), volume.get().getMetadata().getUid());
        }
      }
      bindings.put(name, binding.format());
    }
    bindings.putAll(overrides);
    String initialCluster =
        round.memberList.members().stream()
            .filter(m -> round.ordinal(m).isPresent())
            .sorted(Comparator.comparingInt(m -> round.ordinal(m).getAsInt()))
            .map(m -> round.name(m) + "=" + m.peerUrls().get(0))
            .collect(Collectors.joining(","));
    ConfigMap desired =
        MemberConfigMap.of(round.cluster, MemberConfigMap.STATE_EXISTING, initialCluster, bindings);
    round.configMap = kube.applyConfigMap(round.configMap, desired);
  }

  private void refreshMembers(Round round) {
    round.memberList = round.members.list();
  }

  private void act(Round round) {
    if (!round.quorumHealthy()) {
      return;
    }
    List<Function<Round, Optional<Progress>>> steps =
        List.of(
            this::resumeScaleOut,
            this::removeStrayMembers,
            this::readdMissingMembers,
            this::heal,
            this::promoteLearners,
            this::scaleOut,
            this::scaleIn,
            this::releaseClaims,
            this::rollingUpdate);
    for (Function<Round, Optional<Progress>> step : steps) {
      Optional<Progress> progress = step.apply(round);
      if (progress.isPresent()) {
        round.progress = progress.get();
        return;
      }
    }
    expandClaims(round);
  }

  /**
   * A learner was added but the StatefulSet not grown (the operator stopped in between): grow it
   * now.
   */
  private Optional<Progress> resumeScaleOut(Round round) {
    int replicas = round.statefulSetReplicas();
    Optional<Member> pending = round.memberAt(replicas);
    if (pending.isPresent() && pending.get().learner() && replicas < round.desired) {
      scaleStatefulSet(round, replicas + 1);
      return Optional.of(
          new Progress(
              Progress.SCALING_OUT, "starting member " + round.topology.memberName(replicas)));
    }
    return Optional.empty();
  }

  /**
   * A member no pod can be: its peer URL names none of our ordinals, or an ordinal the StatefulSet
   * no longer has. A voter is removed only if the remaining healthy voters keep a quorum.
   */
  private Optional<Progress> removeStrayMembers(Round round) {
    for (Member member : round.memberList.members()) {
      OptionalInt ordinal = round.ordinal(member);
      if (ordinal.isPresent() && ordinal.getAsInt() < round.statefulSetReplicas()) {
        continue;
      }
      if (!member.learner() && !round.keepsQuorumWithout(member)) {
        return Optional.of(
            new Progress(
                Progress.WAITING,
                "member " + member.idHex() + " has no pod, but removing it now would lose quorum"));
      }
      round.members.remove(member.id());
      events.normal(
          round.cluster,
          "MemberRemoved",
          "removed member "
              + round.name(member)
              + " ("
              + member.idHex()
              + "): the StatefulSet has no pod for it");
      refreshMembers(round);
      syncConfigMap(round, Map.of());
      return Optional.of(
          new Progress(Progress.SCALING_IN, "removed stray member " + member.idHex()));
    }
    return Optional.empty();
  }

  /**
   * A pod of the StatefulSet without a member: either a scale-in stopped between MemberRemove and
   * the StatefulSet shrinking (finish it), or a heal stopped between MemberRemove and MemberAdd
   * (add it back).
   */
  private Optional<Progress> readdMissingMembers(Round round) {
    int replicas = round.statefulSetReplicas();
    for (int ordinal = replicas - 1; ordinal >= 0; ordinal--) {
      if (round.memberAt(ordinal).isPresent()) {
        continue;
      }
      String name = round.topology.memberName(ordinal);
      if (ordinal == replicas - 1 && ordinal >= round.desired) {
        scaleStatefulSet(round, replicas - 1);
        return Optional.of(new Progress(Progress.SCALING_IN, "stopping member " + name));
      }
      addAfresh(round, ordinal, "member " + name + " was missing from the member list");
      return Optional.of(new Progress(Progress.HEALING, "re-adding member " + name));
    }
    return Optional.empty();
  }

  /** Adds the member at this ordinal as a learner and makes its pod start on an empty volume. */
  private void addAfresh(Round round, int ordinal, String why) {
    String name = round.topology.memberName(ordinal);
    Member added = round.members.addLearner(round.topology.peerUrl(ordinal));
    events.normal(
        round.cluster,
        "MemberAdded",
        "added " + name + " as learner " + added.idHex() + ": " + why);
    refreshMembers(round);
    syncConfigMap(round, Map.of(name, new VolumeBinding(added.idHex(), "").format()));
    if (!round.emptyDir() && round.claims.containsKey(ordinal)) {
      kube.deleteClaim(round.topology, round.topology.dataClaim(ordinal));
    }
    if (round.pods.containsKey(ordinal)) {
      kube.deletePod(round.topology, name);
    }
  }

  /** A started member running on a volume other than the one it was bound to has lost its data. */
  private Optional<Progress> heal(Round round) {
    Map<String, String> data = round.configMap.getData();
    for (Member member : round.memberList.members()) {
      OptionalInt ordinal = round.ordinal(member);
      if (ordinal.isEmpty()) {
        continue;
      }
      String name = round.topology.memberName(ordinal.getAsInt());
      Optional<VolumeBinding> binding =
          VolumeBinding.parse(data.get(MemberConfigMap.VOLUME_PREFIX + name))
              .filter(b -> b.memberId().equals(member.idHex()) && b.bound());
      Optional<HasMetadata> volume = round.volume(ordinal.getAsInt());
      boolean lost =
          binding.isPresent()
              && volume.isPresent()
              && !binding.get().volumeUid().equals(volume.get().getMetadata().getUid());
      boolean podWithoutClaim =
          !round.emptyDir()
              && round.pods.containsKey(ordinal.getAsInt())
              && !round.claims.containsKey(ordinal.getAsInt());
      if (podWithoutClaim) {
        // Its claim was deleted under it: the StatefulSet makes a new claim only for a new pod.
        kube.deletePod(round.topology, name);
        return Optional.of(
            new Progress(Progress.HEALING, "member " + name + " lost its volume claim"));
      }
      if (!lost) {
        continue;
      }
      if (!member.learner() && !round.keepsQuorumWithout(member)) {
        return Optional.of(
            new Progress(
                Progress.WAITING,
                "member " + name + " lost its data; healing it now would lose quorum"));
      }
      events.warning(
          round.cluster,
          "MemberDataLost",
          "member " + name + " (" + member.idHex() + ") is on a new, empty volume");
      round.members.remove(member.id());
      events.normal(
          round.cluster,
          "MemberRemoved",
          "removed " + name + " (" + member.idHex() + ") to re-add it");
      refreshMembers(round);
      addAfresh(round, ordinal.getAsInt(), "its data was lost");
      return Optional.of(
          new Progress(Progress.HEALING, "re-adding member " + name + " on an empty volume"));
    }
    return Optional.empty();
  }

  private Optional<Progress> promoteLearners(Round round) {
    for (Member member : round.memberList.members()) {
      if (!member.learner()) {
        continue;
      }
      String name = round.name(member);
      if (!member.started() || !round.statuses.containsKey(member.id())) {
        return Optional.of(
            new Progress(Progress.SCALING_OUT, "waiting for learner " + name + " to start"));
      }
      if (!round.caughtUp(member)) {
        return Optional.of(
            new Progress(Progress.SCALING_OUT, "waiting for learner " + name + " to catch up"));
      }
      try {
        round.members.promote(member.id());
      } catch (MembersException e) {
        // etcd refuses to promote a learner it does not consider in sync yet: wait and try again.
        return Optional.of(
            new Progress(
                Progress.SCALING_OUT, "learner " + name + " not promoted yet: " + e.getMessage()));
      }
      events.normal(
          round.cluster,
          "MemberPromoted",
          "promoted " + name + " (" + member.idHex() + ") to voter");
      return Optional.of(new Progress(Progress.SCALING_OUT, "promoted " + name));
    }
    return Optional.empty();
  }

  private Optional<Progress> scaleOut(Round round) {
    int count = round.memberList.members().size();
    if (count >= round.desired) {
      return Optional.empty();
    }
    if (!round.allHealthyAndCaughtUp()) {
      return Optional.of(
          new Progress(Progress.WAITING, "scale-out waits for every member to be healthy"));
    }
    int ordinal = round.statefulSetReplicas();
    String name = round.topology.memberName(ordinal);
    Member added = round.members.addLearner(round.topology.peerUrl(ordinal));
    events.normal(
        round.cluster,
        "MemberAdded",
        "added " + name + " as learner " + added.idHex() + " (scale-out)");
    refreshMembers(round);
    syncConfigMap(round, Map.of(name, new VolumeBinding(added.idHex(), "").format()));
    // A claim left from an earlier member at this ordinal (retention Retain) holds another member's
    // data.
    if (!round.emptyDir() && round.claims.containsKey(ordinal)) {
      kube.deleteClaim(round.topology, round.topology.dataClaim(ordinal));
    }
    scaleStatefulSet(round, ordinal + 1);
    return Optional.of(new Progress(Progress.SCALING_OUT, "adding member " + name));
  }

  private Optional<Progress> scaleIn(Round round) {
    int count = round.memberList.members().size();
    if (count <= round.desired) {
      return Optional.empty();
    }
    if (!round.allHealthyAndCaughtUp()) {
      return Optional.of(
          new Progress(Progress.WAITING, "scale-in waits for every member to be healthy"));
    }
    Member target =
        round.memberList.members().stream()
            .max(Comparator.comparingInt(m -> round.ordinal(m).orElse(-1)))
            .orElseThrow();
    String name = round.name(target);
    if (target.id() == round.leaderId()) {
      Optional<Member> transferee = moveLeaderTarget(round, target);
      if (transferee.isEmpty()) {
        return Optional.of(
            new Progress(Progress.WAITING, "no healthy voter to move leadership to"));
      }
      round.members.moveLeader(
          round.topology.clientUrl(round.ordinal(target).getAsInt()), transferee.get().id());
      events.normal(
          round.cluster,
          "LeaderMoved",
          "moved leadership from " + name + " to " + round.name(transferee.get()));
      return Optional.of(new Progress(Progress.SCALING_IN, "moved leadership off " + name));
    }
    round.members.remove(target.id());
    events.normal(
        round.cluster, "MemberRemoved", "removed " + name + " (" + target.idHex() + ") (scale-in)");
    refreshMembers(round);
    syncConfigMap(round, Map.of());
    scaleStatefulSet(round, round.statefulSetReplicas() - 1);
    return Optional.of(new Progress(Progress.SCALING_IN, "removed member " + name));
  }

  private Optional<Member> moveLeaderTarget(Round round, Member leader) {
    return round.memberList.members().stream()
        .filter(m -> m.id() != leader.id() && !m.learner() && round.healthy(m) && round.caughtUp(m))
        .min(Comparator.comparingInt(m -> round.ordinal(m).orElse(Integer.MAX_VALUE)));
  }

  /**
   * Claims of members removed by scale-in, deleted once their pod is gone when the retention policy
   * says so.
   */
  private Optional<Progress> releaseClaims(Round round) {
    if (round.emptyDir()) {
      return Optional.empty();
    }
    ClaimRetentionSpec retention = round.storage().getClaimRetention();
    if (retention != null && retention.getWhenScaled() == ClaimRetentionSpec.Policy.Retain) {
      return Optional.empty();
    }
    for (var claim : round.claims.entrySet()) {
      int ordinal = claim.getKey();
      if (ordinal >= round.statefulSetReplicas()
          && !round.pods.containsKey(ordinal)
          && claim.getValue().getMetadata().getDeletionTimestamp() == null) {
        kube.deleteClaim(round.topology, claim.getValue().getMetadata().getName());
        events.normal(
            round.cluster,
            "ClaimDeleted",
            "deleted " + claim.getValue().getMetadata().getName() + " of a removed member");
      }
    }
    return Optional.empty();
  }

  /**
   * OnDelete rolling update: one outdated pod at a time (highest ordinal first, the leader last
   * after handing its leadership over), and only while every member is healthy and caught up and
   * every pod Ready, which is also how the round waits for the replaced member to be back before
   * the next.
   */
  private Optional<Progress> rollingUpdate(Round round) {
    String current = KubeObjects.templateHash(round.statefulSet);
    List<Integer> outdated =
        round.pods.entrySet().stream()
            .filter(e -> !Objects.equals(podTemplateHash(e.getValue()), current))
            .map(Map.Entry::getKey)
            .sorted(Comparator.reverseOrder())
            .toList();
    if (outdated.isEmpty()) {
      return Optional.empty();
    }
    String target = image.imageFor(round.cluster.getSpec());
    if (!round.allHealthyAndCaughtUp()
        || !round.podsReady()
        || round.memberList.members().stream().anyMatch(Member::learner)
        || round.memberList.members().size() != round.statefulSetReplicas()) {
      return Optional.of(
          new Progress(
              Progress.UPGRADING,
              outdated.size() + " member(s) to update; waiting for a healthy cluster"));
    }
    long leader = round.leaderId();
    int next =
        outdated.stream()
            .filter(o -> round.memberAt(o).map(m -> m.id() != leader).orElse(true))
            .findFirst()
            .orElse(outdated.get(0));
    String name = round.topology.memberName(next);
    Optional<Member> member = round.memberAt(next);
    if (member.isPresent()
        && member.get().id() == leader
        && round.memberList.members().size() > 1) {
      Optional<Member> transferee = moveLeaderTarget(round, member.get());
      if (transferee.isPresent()) {
        round.members.moveLeader(round.topology.clientUrl(next), transferee.get().id());
        events.normal(
            round.cluster,
            "LeaderMoved",
            "moved leadership from " + name + " to " + round.name(transferee.get()));
        return Optional.of(new Progress(Progress.UPGRADING, "moved leadership off " + name));
      }
    }
    kube.deletePod(round.topology, name);
    events.normal(
        round.cluster,
        "MemberRestarted",
        "restarting " + name + " with the new pod template (" + target + ")");
    return Optional.of(
        new Progress(Progress.UPGRADING, "updating member " + name + " to " + target));
  }

  static String podTemplateHash(Pod pod) {
    var annotations = pod.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(MemberStatefulSet.TEMPLATE_HASH);
  }

  /** Grows every claim to spec.storage.size (a StatefulSet's claim template cannot change). */
  private void expandClaims(Round round) {
    if (round.emptyDir()) {
      return;
    }
    Quantity wanted = new Quantity(round.storage().getSize());
    for (PersistentVolumeClaim claim : round.claims.values()) {
      var requests =
          claim.getSpec().getResources() == null
              ? null
              : claim.getSpec().getResources().getRequests();
      Quantity current = requests == null ? null : requests.get("storage");
      if (current != null
          && Quantity.getAmountInBytes(current).compareTo(Quantity.getAmountInBytes(wanted)) < 0) {
        kube.expandClaim(claim, round.storage().getSize());
        events.normal(
            round.cluster,
            "ClaimExpanded",
            "expanding " + claim.getMetadata().getName() + " to " + round.storage().getSize());
      }
    }
  }

  private static Duration requeue(Round round) {
    return round.progress != null || round.memberList == null || !round.quorumHealthy()
        ? BUSY
        : IDLE;
  }
}
