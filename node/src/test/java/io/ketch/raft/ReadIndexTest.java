package io.ketch.raft;

import static io.ketch.raft.TestCluster.data;
import static org.assertj.core.api.Assertions.assertThat;

import io.ketch.raft.pb.Message;
import io.ketch.raft.pb.MessageType;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Thesis 6.4: linearizable reads through ReadIndex (the safe variant, no clocks). */
class ReadIndexTest {

  @Test
  @DisplayName(
      "Thesis 6.4: the leader records its commit index and answers only after a quorum acknowledges a heartbeat")
  void leaderConfirmsWithHeartbeatQuorum() {
    TestCluster c = new TestCluster(3);
    c.elect(1);
    c.raw(1).propose(data("a"));
    c.stabilize();
    long commit = c.raw(1).status().commit();
    c.raw(1).readIndex(data("r1"));
    var beats = c.take(1);
    assertThat(beats).extracting(Message::getType).containsOnly(MessageType.MSG_HEARTBEAT);
    assertThat(beats).extracting(Message::getContext).containsOnly(data("r1"));
    assertThat(c.node(1).readStates).isEmpty();
    beats.forEach(c::deliver);
    c.stabilize();
    assertThat(c.node(1).readStates).containsExactly(new ReadState(commit, data("r1")));
  }

  @Test
  @DisplayName("Thesis 6.4: a leader cut off from the quorum never answers")
  void isolatedLeaderDoesNotAnswer() {
    TestCluster c = new TestCluster(3, cfg -> cfg.withCheckQuorum(false));
    c.elect(1);
    c.isolate(1);
    c.raw(1).readIndex(data("r"));
    c.tickAll(5);
    assertThat(c.node(1).readStates).isEmpty();
  }

  @Test
  @DisplayName(
      "Thesis 6.4: a new leader holds reads until it has committed an entry of its own term")
  void heldUntilCurrentTermCommit() {
    TestCluster c = new TestCluster(3);
    c.isolate(2);
    c.isolate(3);
    c.elect(1); // pre-candidate: no leader yet
    c.heal();
    c.dropIf = m -> m.getType() == MessageType.MSG_APP_RESP;
    c.elect(1);
    assertThat(c.raw(1).status().role()).isEqualTo(StateRole.LEADER);
    c.raw(1).readIndex(data("r"));
    c.tickAll(3);
    assertThat(c.node(1).readStates).isEmpty();
    c.heal();
    c.tickAll(3);
    assertThat(c.node(1).readStates).hasSize(1);
    assertThat(c.node(1).readStates.get(0).index()).isEqualTo(c.raw(1).status().commit());
  }

  @Test
  @DisplayName(
      "Thesis 6.4: a follower's read goes to the leader and comes back as MSG_READ_INDEX_RESP")
  void throughFollower() {
    TestCluster c = new TestCluster(3);
    c.elect(1);
    c.raw(1).propose(data("a"));
    c.stabilize();
    c.raw(2).readIndex(data("f"));
    var fwd = c.take(2);
    assertThat(fwd)
        .extracting(Message::getType, Message::getTo)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(MessageType.MSG_READ_INDEX, 1L));
    fwd.forEach(c::deliver);
    boolean sawResp = false;
    for (int i = 0; i < 5; i++) {
      c.processAll();
      sawResp |=
          c.inFlight.stream()
              .anyMatch(m -> m.getType() == MessageType.MSG_READ_INDEX_RESP && m.getTo() == 2);
      c.deliverAll();
    }
    assertThat(sawResp).isTrue();
    assertThat(c.node(2).readStates)
        .containsExactly(new ReadState(c.raw(1).status().commit(), data("f")));
  }

  @Test
  @DisplayName("Thesis 6.4: a single-voter cluster answers at once")
  void singleVoter() {
    TestCluster c = new TestCluster(1);
    c.elect(1);
    c.raw(1).readIndex(data("s"));
    c.processAll();
    assertThat(c.node(1).readStates).containsExactly(new ReadState(1, data("s")));
  }
}
