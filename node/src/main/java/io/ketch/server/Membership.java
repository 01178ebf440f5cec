package io.ketch.server;

import io.ketch.raft.pb.ConfChange;
import io.ketch.server.pb.ClusterState;
import io.ketch.server.pb.MemberRecord;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * The rules of membership changes (etcd's RaftCluster.ValidateConfigurationChange and its strict
 * reconfiguration checks), as pure functions of the applied membership. The same checks run when a
 * change is asked for (to answer at once) and when it is applied (the log decides the order, so a
 * change that became invalid meanwhile is refused there, identically on every member).
 */
final class Membership {
  /** etcd's maxLearners. */
  static final int MAX_LEARNERS = 1;

  /** etcd's HealthInterval: a peer counts as connected once its stream has been up this long. */
  static final Duration HEALTH_INTERVAL = Duration.ofSeconds(5);

  private Membership() {}

  /** Why {@code change} may not be applied to {@code cluster}, if it may not. */
  static Optional<ServerError> refusal(ClusterState cluster, ConfChange change, MemberRecord m) {
    long id = change.getNodeId();
    if (cluster.getRemovedIdsList().contains(id)) {
      return Optional.of(
          change.getType() == io.ketch.raft.pb.ConfChangeType.CONF_CHANGE_REMOVE_NODE
              ? ServerError.MEMBER_NOT_FOUND
              : ServerError.MEMBER_EXIST);
    }
    Optional<MemberRecord> current = find(cluster, id);
    return switch (change.getType()) {
      case CONF_CHANGE_ADD_LEARNER_NODE -> {
        if (current.isPresent()) {
          yield Optional.of(ServerError.MEMBER_EXIST);
        }
        if (learners(cluster) >= MAX_LEARNERS) {
          yield Optional.of(ServerError.TOO_MANY_LEARNERS);
        }
        yield peerUrlTaken(cluster, m);
      }
      case CONF_CHANGE_ADD_NODE -> {
        if (current.isPresent()) {
          // Adding an existing member as a voter is how a learner is promoted.
          yield current.get().getIsLearner()
              ? Optional.empty()
              : Optional.of(ServerError.MEMBER_EXIST);
        }
        yield peerUrlTaken(cluster, m);
      }
      case CONF_CHANGE_REMOVE_NODE ->
          current.isPresent() ? Optional.empty() : Optional.of(ServerError.MEMBER_NOT_FOUND);
      case CONF_CHANGE_UPDATE_NODE ->
          current.isPresent()
              ? peerUrlTaken(cluster, m)
              : Optional.of(ServerError.MEMBER_NOT_FOUND);
      case UNRECOGNIZED -> Optional.of(ServerError.MEMBER_NOT_FOUND);
    };
  }

  /** The membership after {@code change}, which {@link #refusal} accepted. */
  static ClusterState apply(ClusterState cluster, ConfChange change, MemberRecord m) {
    long id = change.getNodeId();
    ClusterState.Builder next = cluster.toBuilder().clearMembers();
    switch (change.getType()) {
      case CONF_CHANGE_ADD_NODE, CONF_CHANGE_ADD_LEARNER_NODE -> {
        boolean promote = find(cluster, id).isPresent();
        for (MemberRecord member : cluster.getMembersList()) {
          next.addMembers(
              member.getId() == id ? member.toBuilder().setIsLearner(false).build() : member);
        }
        if (!promote) {
          next.addMembers(m);
        }
      }
      case CONF_CHANGE_REMOVE_NODE -> {
        cluster.getMembersList().stream().filter(x -> x.getId() != id).forEach(next::addMembers);
        next.addRemovedIds(id);
      }
      case CONF_CHANGE_UPDATE_NODE -> {
        for (MemberRecord member : cluster.getMembersList()) {
          next.addMembers(
              member.getId() == id
                  ? member.toBuilder().clearPeerUrls().addAllPeerUrls(m.getPeerUrlsList()).build()
                  : member);
        }
      }
      case UNRECOGNIZED -> {
        return cluster;
      }
    }
    return next.build();
  }

  /**
   * etcd's IsReadyToAddVotingMember: with the new voter, the members that have started (published
   * their name) must still be a quorum. A cluster of one started member may grow to two.
   */
  static boolean readyToAddVoter(ClusterState cluster) {
    int voters = (int) cluster.getMembersList().stream().filter(m -> !m.getIsLearner()).count();
    int started = started(cluster, 0);
    if (started == 1 && voters == 2) {
      return true; // etcd's special case: the second member of a two-member cluster
    }
    return started >= (voters + 1) / 2 + 1;
  }

  /** etcd's IsReadyToRemoveVotingMember: the started members left must be a quorum. */
  static boolean readyToRemoveVoter(ClusterState cluster, long id) {
    int voters = (int) cluster.getMembersList().stream().filter(m -> !m.getIsLearner()).count();
    int startedLeft = started(cluster, id);
    return startedLeft >= (voters - 1) / 2 + 1;
  }

  /**
   * etcd's second strict check on removing voter {@code id} (mayRemoveMember): the voters {@code
   * self} has been connected to for {@link #HEALTH_INTERVAL} (itself included), less the one
   * removed, must still be a quorum of the voters. A voter with no stream at all may always go: it
   * is not part of the active quorum.
   *
   * @param activeFor how long the stream to a peer has been up, empty while it is down
   */
  static boolean removalKeepsActiveQuorum(
      ClusterState cluster, long self, long id, LongFunction<Optional<Duration>> activeFor) {
    if (id != self && activeFor.apply(id).isEmpty()) {
      return true;
    }
    List<Long> voters =
        cluster.getMembersList().stream()
            .filter(m -> !m.getIsLearner())
            .map(MemberRecord::getId)
            .toList();
    long active =
        voters.stream()
            .filter(
                v ->
                    v == self
                        || activeFor
                            .apply(v)
                            .filter(up -> up.compareTo(HEALTH_INTERVAL) >= 0)
                            .isPresent())
            .count();
    return active - 1 >= (voters.size() - 1) / 2 + 1;
  }

  /**
   * Peer URLs as etcd accepts them (types.NewURLs: http or https, a host and a port), sorted.
   *
   * @throws IllegalArgumentException if there are none or one is not such a URL
   */
  static List<String> checkedUrls(List<String> urls) {
    if (urls.isEmpty()) {
      throw new IllegalArgumentException("no URLs");
    }
    for (String url : urls) {
      java.net.URI uri = java.net.URI.create(url);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          || uri.getHost() == null
          || uri.getPort() < 0
          || !(uri.getPath() == null || uri.getPath().isEmpty())) {
        throw new IllegalArgumentException("bad URL " + url);
      }
    }
    return urls.stream().sorted().toList();
  }

  /**
   * Asked on every client call (EtcdServer.isLearner, for the learner gate), so without a stream.
   */
  static Optional<MemberRecord> find(ClusterState cluster, long id) {
    for (int i = 0; i < cluster.getMembersCount(); i++) {
      if (cluster.getMembers(i).getId() == id) {
        return Optional.of(cluster.getMembers(i));
      }
    }
    return Optional.empty();
  }

  private static int started(ClusterState cluster, long except) {
    return (int)
        cluster.getMembersList().stream()
            .filter(m -> !m.getIsLearner() && m.getId() != except && !m.getName().isEmpty())
            .count();
  }

  private static long learners(ClusterState cluster) {
    return cluster.getMembersList().stream().filter(MemberRecord::getIsLearner).count();
  }

  private static Optional<ServerError> peerUrlTaken(ClusterState cluster, MemberRecord m) {
    Set<String> taken = new HashSet<>();
    cluster.getMembersList().stream()
        .filter(x -> x.getId() != m.getId())
        .forEach(x -> taken.addAll(x.getPeerUrlsList()));
    List<String> wanted = m.getPeerUrlsList();
    return wanted.stream().anyMatch(taken::contains)
        ? Optional.of(ServerError.PEER_URL_EXIST)
        : Optional.empty();
  }
}
