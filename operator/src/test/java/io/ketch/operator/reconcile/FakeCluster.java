package io.ketch.operator.reconcile;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.ketch.operator.members.EndpointStatus;
import io.ketch.operator.members.Member;
import io.ketch.operator.members.MemberList;
import io.ketch.operator.members.Members;
import io.ketch.operator.members.MembersException;
import io.ketch.operator.members.MembersFactory;
import io.ketch.operator.resources.MemberConfigMap;
import io.ketch.operator.resources.MemberStatefulSet;
import io.ketch.operator.resources.MemberTopology;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An etcd cluster as the operator sees it through {@link Members}, driven by the pods that exist: a
 * pod whose peer URL is in the member list runs that member; the seed pod bootstraps when the
 * ConfigMap says "new". A learner catches up one sync after it starts. Every membership call is
 * logged, so tests can check the order of changes.
 */
final class FakeCluster implements Members, MembersFactory {
  static final class FakeMember {
    final long id;
    final String peerUrl;
    String name = "";
    boolean learner;
    boolean running;
    long applied;
    String version;
    String volumeUid;
    int syncsRunning;

    FakeMember(long id, String peerUrl, boolean learner) {
      this.id = id;
      this.peerUrl = peerUrl;
      this.learner = learner;
    }
  }

  private final MemberTopology topology;
  final Map<Long, FakeMember> members = new TreeMap<>();
  final List<String> calls = new ArrayList<>();
  long clusterId;
  long leader;
  long raftIndex = 1000;
  private long nextId = 0x1000;
  boolean down;

  FakeCluster(MemberTopology topology) {
    this.topology = topology;
  }

  /** Reacts to the pods as running members would. */
  void sync(Map<Integer, Pod> pods, ConfigMap config, Map<Integer, String> volumeUids) {
    raftIndex++;
    for (FakeMember member : members.values()) {
      member.running = false;
    }
    for (var entry : pods.entrySet()) {
      int ordinal = entry.getKey();
      Pod pod = entry.getValue();
      String peerUrl = topology.peerUrl(ordinal);
      FakeMember member =
          members.values().stream().filter(m -> m.peerUrl.equals(peerUrl)).findFirst().orElse(null);
      String state = config == null ? null : config.getData().get(MemberConfigMap.STATE_KEY);
      if (member == null
          && ordinal == 0
          && clusterId == 0
          && MemberConfigMap.STATE_NEW.equals(state)) {
        member = new FakeMember(nextId++, peerUrl, false);
        members.put(member.id, member);
        clusterId = 0xc1c1;
        leader = member.id;
        calls.add("bootstrap " + topology.memberName(0));
      }
      if (member == null) {
        continue;
      }
      member.running = true;
      member.name = topology.memberName(ordinal);
      member.version = versionOf(pod);
      String volume = volumeUids.get(ordinal);
      if (member.volumeUid == null) {
        member.volumeUid = volume;
      }
      // A learner is behind for its first sync and caught up from its second on.
      member.syncsRunning++;
      member.applied = member.learner && member.syncsRunning < 2 ? 0 : raftIndex;
    }
    if (leader != 0 && !members.containsKey(leader)) {
      leader =
          members.values().stream()
              .filter(m -> !m.learner && m.running)
              .mapToLong(m -> m.id)
              .findFirst()
              .orElse(0);
    }
  }

  private static String versionOf(Pod pod) {
    String image =
        pod.getSpec().getContainers().stream()
            .filter(c -> c.getName().equals(MemberStatefulSet.CONTAINER))
            .findFirst()
            .orElseThrow()
            .getImage();
    return image.substring(image.lastIndexOf(':') + 1);
  }

  List<String> membershipCalls() {
    return calls.stream().filter(c -> !c.startsWith("move")).toList();
  }

  @Override
  public Members forEndpoints(List<String> clientUrls) {
    return this;
  }

  private void reachable() {
    if (down || clusterId == 0 || members.values().stream().noneMatch(m -> m.running)) {
      throw new MembersException("connection refused");
    }
  }

  @Override
  public MemberList list() {
    reachable();
    return new MemberList(
        clusterId,
        members.values().stream()
            .map(
                m ->
                    new Member(
                        m.id,
                        m.name,
                        List.of(m.peerUrl),
                        m.running ? List.of(m.peerUrl.replace("2380", "2379")) : List.of(),
                        m.learner))
            .toList());
  }

  @Override
  public Member addLearner(String peerUrl) {
    reachable();
    if (members.values().stream().anyMatch(m -> m.peerUrl.equals(peerUrl))) {
      throw new MembersException("etcdserver: Peer URLs already exists");
    }
    FakeMember member = new FakeMember(nextId++, peerUrl, true);
    members.put(member.id, member);
    calls.add("add learner " + name(peerUrl));
    return new Member(member.id, "", List.of(peerUrl), List.of(), true);
  }

  @Override
  public void promote(long memberId) {
    reachable();
    FakeMember member = members.get(memberId);
    if (member == null || !member.learner) {
      throw new MembersException("etcdserver: member not found or not a learner");
    }
    if (member.applied < raftIndex - 1) {
      throw new MembersException(
          "etcdserver: can only promote a learner member which is in sync with leader");
    }
    member.learner = false;
    calls.add("promote " + name(member.peerUrl));
  }

  @Override
  public void remove(long memberId) {
    reachable();
    FakeMember member = members.remove(memberId);
    if (member == null) {
      throw new MembersException("etcdserver: member not found");
    }
    if (memberId == leader) {
      throw new AssertionError(
          "removed the leader " + member.name + " without moving leadership first");
    }
    calls.add("remove " + name(member.peerUrl));
  }

  @Override
  public EndpointStatus status(String clientUrl) {
    reachable();
    FakeMember member =
        members.values().stream()
            .filter(m -> m.running && m.peerUrl.replace("2380", "2379").equals(clientUrl))
            .findFirst()
            .orElseThrow(() -> new MembersException("connection refused: " + clientUrl));
    return new EndpointStatus(
        member.id,
        leader,
        member.version,
        raftIndex,
        member.applied,
        member.learner,
        List.of(),
        true);
  }

  @Override
  public void moveLeader(String leaderClientUrl, long transfereeId) {
    reachable();
    FakeMember current = members.get(leader);
    if (current == null || !current.peerUrl.replace("2380", "2379").equals(leaderClientUrl)) {
      throw new MembersException("etcdserver: not leader");
    }
    leader = transfereeId;
    calls.add("move leader to " + name(members.get(transfereeId).peerUrl));
  }

  private String name(String peerUrl) {
    return topology.memberName(topology.ordinalOfPeerUrl(peerUrl).orElseThrow());
  }
}
