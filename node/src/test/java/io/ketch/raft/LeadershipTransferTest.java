package io.ketch.raft;

import static io.ketch.raft.TestCluster.data;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ketch.raft.pb.ConfChange;
import io.ketch.raft.pb.ConfChangeType;
import io.ketch.raft.pb.MessageType;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Thesis 3.10: leadership transfer. */
class LeadershipTransferTest {

  @Test
  @DisplayName(
      "Thesis 3.10: an up-to-date transferee gets MSG_TIMEOUT_NOW and wins at once, even against leader leases")
  void transferToUpToDate() {
    TestCluster c = new TestCluster(3);
    c.elect(1);
    c.raw(1).transferLeadership(2);
    var sent = c.take(1);
    assertThat(sent).extracting(m -> m.getType()).containsExactly(MessageType.MSG_TIMEOUT_NOW);
    sent.forEach(c::deliver);
    c.stabilize();
    assertThat(c.raw(2).status().role())
        .as(c.raw(2).status().toString())
        .isEqualTo(StateRole.LEADER);
    assertThat(c.leader()).isEqualTo(2);
    assertThat(c.raw(2).status().term()).isEqualTo(2);
  }

  @Test
  @DisplayName(
      "Thesis 3.10: a lagging transferee is caught up with MSG_APP first; proposals are dropped meanwhile")
  void catchUpThenTransfer() {
    TestCluster c = new TestCluster(3);
    c.elect(1);
    c.isolate(3);
    c.raw(1).propose(data("a"));
    c.stabilize();
    c.heal();
    c.raw(1).transferLeadership(3);
    assertThat(c.raw(1).status().leadTransferee()).isEqualTo(3);
    assertThatThrownBy(() -> c.raw(1).propose(data("b")))
        .isInstanceOf(ProposalDroppedException.class);
    c.stabilize();
    assertThat(c.leader()).isEqualTo(3);
    assertThat(c.node(3).appliedData()).containsExactly(data("a"));
  }

  @Test
  @DisplayName("Thesis 3.10: a transfer that does not finish within an election timeout is aborted")
  void abortedAfterElectionTimeout() {
    TestCluster c = new TestCluster(3);
    c.elect(1);
    c.isolate(3);
    c.raw(1).transferLeadership(3);
    assertThat(c.raw(1).status().leadTransferee()).isEqualTo(3);
    c.tick(1, 10);
    assertThat(c.raw(1).status().leadTransferee()).isZero();
    c.raw(1).propose(data("ok"));
  }

  @Test
  @DisplayName("Thesis 3.10: a transfer to the leader itself or to a learner is ignored")
  void ignoredTargets() {
    TestCluster c = new TestCluster(2);
    c.elect(1);
    c.raw(1)
        .proposeConfChange(
            ConfChange.newBuilder()
                .setType(ConfChangeType.CONF_CHANGE_ADD_LEARNER_NODE)
                .setNodeId(3)
                .build());
    c.stabilize();
    c.raw(1).transferLeadership(1);
    assertThat(c.raw(1).status().leadTransferee()).isZero();
    c.raw(1).transferLeadership(3);
    assertThat(c.raw(1).status().leadTransferee()).isZero();
  }

  @Test
  @DisplayName("Thesis 3.10: a follower forwards a transfer request to the leader")
  void followerForwards() {
    TestCluster c = new TestCluster(3);
    c.elect(1);
    c.raw(2).transferLeadership(2);
    c.stabilize();
    assertThat(c.leader()).isEqualTo(2);
  }
}
