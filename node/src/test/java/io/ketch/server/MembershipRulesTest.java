package io.ketch.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ketch.server.pb.ClusterState;
import io.ketch.server.pb.MemberRecord;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** etcd's health rule on removing a voter (mayRemoveMember), seen from member 1. */
class MembershipRulesTest {
  private static final Duration SETTLED = Membership.HEALTH_INTERVAL;
  private static final Duration JUST_CONNECTED = Duration.ofSeconds(1);

  private static ClusterState cluster(int voters, long... learners) {
    ClusterState.Builder cluster = ClusterState.newBuilder();
    for (long id = 1; id <= voters; id++) {
      cluster.addMembers(MemberRecord.newBuilder().setId(id).setName("m" + id));
    }
    for (long id : learners) {
      cluster.addMembers(MemberRecord.newBuilder().setId(id).setIsLearner(true));
    }
    return cluster.build();
  }

  private static boolean mayRemove(ClusterState cluster, long id, Map<Long, Duration> up) {
    return Membership.removalKeepsActiveQuorum(
        cluster, 1, id, peer -> Optional.ofNullable(up.get(peer)));
  }

  @Test
  void aPeerMayGoWhenTheOthersLeftAreConnectedQuorum() {
    assertThat(mayRemove(cluster(3), 2, Map.of(2L, SETTLED, 3L, SETTLED))).isTrue();
  }

  @Test
  void aPeerConnectedOnlyBrieflyDoesNotCount() {
    assertThat(mayRemove(cluster(3), 2, Map.of(2L, SETTLED, 3L, JUST_CONNECTED))).isFalse();
    assertThat(mayRemove(cluster(3), 2, Map.of(2L, SETTLED))).isFalse();
  }

  @Test
  void aPeerThatIsDownMayAlwaysGo() {
    assertThat(mayRemove(cluster(3), 3, Map.of())).isTrue();
    assertThat(mayRemove(cluster(5), 5, Map.of(2L, JUST_CONNECTED))).isTrue();
  }

  @Test
  void removingItselfCountsTheRemovedAsActive() {
    assertThat(mayRemove(cluster(3), 1, Map.of(2L, SETTLED, 3L, SETTLED))).isTrue();
    assertThat(mayRemove(cluster(3), 1, Map.of(2L, SETTLED))).isFalse();
  }

  @Test
  void learnersAreNotVoters() {
    // Five voters need three left active; a connected learner is not one of them.
    Map<Long, Duration> up = Map.of(2L, SETTLED, 3L, SETTLED, 6L, SETTLED);
    assertThat(mayRemove(cluster(5, 6), 2, up)).isFalse();
    assertThat(mayRemove(cluster(5, 6), 2, Map.of(2L, SETTLED, 3L, SETTLED, 4L, SETTLED))).isTrue();
  }
}
