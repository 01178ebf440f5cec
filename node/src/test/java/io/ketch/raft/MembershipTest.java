package io.ketch.raft;

import static io.ketch.raft.TestCluster.data;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ketch.raft.pb.ConfChange;
import io.ketch.raft.pb.ConfChangeSingle;
import io.ketch.raft.pb.ConfChangeTransition;
import io.ketch.raft.pb.ConfChangeType;
import io.ketch.raft.pb.ConfChangeV2;
import io.ketch.raft.pb.Entry;
import io.ketch.raft.pb.EntryType;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Thesis chapter 4: membership changes, learners, joint consensus. */
class MembershipTest {

  private static ConfChange cc(ConfChangeType type, long id) {
    return ConfChange.newBuilder().setType(type).setNodeId(id).build();
  }

  private static ConfChangeSingle single(ConfChangeType type, long id) {
    return ConfChangeSingle.newBuilder().setType(type).setNodeId(id).build();
  }

  @Test
  @DisplayName(
      "Thesis 4.2.1: a learner receives the log but neither votes nor counts towards the quorum")
  void learnerReplicatesWithoutVoting() {
    TestCluster c = new TestCluster(2, cfg -> cfg.withCheckQuorum(false));
    c.elect(1);
    c.raw(1).proposeConfChange(cc(ConfChangeType.CONF_CHANGE_ADD_LEARNER_NODE, 3));
    c.stabilize();
    c.join(3);
    c.raw(1).propose(data("a"));
    c.tickAll(3);
    assertThat(c.node(3).appliedData()).containsExactly(data("a"));
    assertThat(c.raw(1).status().progress().get(3L).learner()).isTrue();
    // With the other voter gone, the learner's acknowledgement does not make a quorum.
    c.isolate(2);
    c.raw(1).propose(data("b"));
    c.tickAll(3);
    assertThat(c.node(1).appliedData()).containsExactly(data("a"));
    assertThat(c.node(3).storage.lastIndex()).isEqualTo(c.node(1).storage.lastIndex());
  }

  @Test
  @DisplayName("Thesis 4.2.1: a learner is promoted by adding it as a voter, after which it counts")
  void promoteLearner() {
    TestCluster c = new TestCluster(1);
    c.elect(1);
    c.raw(1).proposeConfChange(cc(ConfChangeType.CONF_CHANGE_ADD_LEARNER_NODE, 2));
    c.stabilize();
    c.join(2);
    c.tickAll(2);
    c.raw(1).proposeConfChange(cc(ConfChangeType.CONF_CHANGE_ADD_NODE, 2));
    c.tickAll(2);
    assertThat(c.raw(2).status().config().getVotersList()).containsExactly(1L, 2L);
    assertThat(c.raw(2).status().config().getLearnersList()).isEmpty();
    c.isolate(2);
    c.raw(1).propose(data("needs-2"));
    c.tickAll(2);
    assertThat(c.node(1).appliedData()).isEmpty();
  }

  @Test
  @DisplayName(
      "Thesis 4.1: a removed voter no longer counts; entries commit with the smaller quorum")
  void removeVoter() {
    TestCluster c = new TestCluster(3, cfg -> cfg.withCheckQuorum(false));
    c.elect(1);
    c.raw(1).proposeConfChange(cc(ConfChangeType.CONF_CHANGE_REMOVE_NODE, 3));
    c.stabilize();
    assertThat(c.raw(1).status().config().getVotersList()).containsExactly(1L, 2L);
    c.isolate(3);
    c.raw(1).propose(data("a"));
    c.stabilize();
    assertThat(c.node(1).appliedData()).containsExactly(data("a"));
  }

  @Test
  @DisplayName(
      "Thesis 4.1: only one conf change may be pending; a second one is appended as an empty normal entry")
  void onePendingConfChange() {
    TestCluster c = new TestCluster(3);
    c.elect(1);
    c.raw(1).proposeConfChange(cc(ConfChangeType.CONF_CHANGE_ADD_LEARNER_NODE, 4));
    c.raw(1).proposeConfChange(cc(ConfChangeType.CONF_CHANGE_ADD_LEARNER_NODE, 5));
    c.stabilize();
    assertThat(c.node(1).applied.stream().filter(e -> e.getType() != EntryType.ENTRY_NORMAL))
        .hasSize(1);
    Entry last = c.node(1).applied.get(c.node(1).applied.size() - 1);
    assertThat(last.getType()).isEqualTo(EntryType.ENTRY_NORMAL);
    assertThat(last.getData().isEmpty()).isTrue();
    assertThat(c.raw(1).status().config().getLearnersList()).containsExactly(4L);
  }

  @Test
  @DisplayName("A refused conf change is replaced by the normal entry the application asked for")
  void refusedConfChangeReplacement() {
    TestCluster c =
        new TestCluster(
            3,
            cfg ->
                cfg.withRefusedConfChange(
                    refused ->
                        Entry.newBuilder()
                            .setType(EntryType.ENTRY_NORMAL)
                            .setData(data("refused:" + refused.getData().size()))
                            .build()));
    c.elect(1);
    ConfChange first = cc(ConfChangeType.CONF_CHANGE_ADD_LEARNER_NODE, 4);
    ConfChange second = cc(ConfChangeType.CONF_CHANGE_ADD_LEARNER_NODE, 5);
    c.raw(1).proposeConfChange(first);
    c.raw(1).proposeConfChange(second);
    c.stabilize();
    assertThat(c.node(2).appliedData())
        .containsExactly(data("refused:" + second.getSerializedSize()));
    assertThat(c.raw(2).status().config().getLearnersList()).containsExactly(4L);
  }

  @Test
  @DisplayName(
      "Thesis 4.2.2: a removed leader stops taking proposals, hands over, steps down; the rest elect a new leader")
  void removedLeaderStepsDown() {
    TestCluster c = new TestCluster(3);
    c.elect(1);
    c.raw(1).proposeConfChange(cc(ConfChangeType.CONF_CHANGE_REMOVE_NODE, 1));
    c.stabilize();
    assertThatThrownBy(() -> c.raw(1).propose(data("x")))
        .isInstanceOf(ProposalDroppedException.class);
    c.tickAll(25);
    assertThat(c.raw(1).status().role()).isEqualTo(StateRole.FOLLOWER);
    for (int i = 0; i < 50 && c.leader() == 0; i++) {
      c.tickAll(1);
    }
    assertThat(c.leader()).isIn(2L, 3L);
  }

  private static TestCluster withLearner4() {
    TestCluster c = new TestCluster(3, cfg -> cfg.withCheckQuorum(false));
    c.elect(1);
    c.raw(1).proposeConfChange(cc(ConfChangeType.CONF_CHANGE_ADD_LEARNER_NODE, 4));
    c.stabilize();
    c.join(4);
    c.tickAll(2);
    return c;
  }

  @Test
  @DisplayName(
      "Thesis 4.3 joint consensus: while joint, decisions need a majority of the old voters AND of the new ones")
  void jointNeedsBothMajorities() {
    TestCluster c = withLearner4();
    c.raw(1)
        .proposeConfChange(
            ConfChangeV2.newBuilder()
                .setTransition(ConfChangeTransition.CONF_CHANGE_TRANSITION_JOINT_EXPLICIT)
                .addChanges(single(ConfChangeType.CONF_CHANGE_ADD_NODE, 4))
                .addChanges(single(ConfChangeType.CONF_CHANGE_REMOVE_NODE, 3))
                .build());
    c.tickAll(2);
    assertThat(c.raw(1).status().config().getVotersList()).containsExactly(1L, 2L, 4L);
    assertThat(c.raw(1).status().config().getVotersOutgoingList()).containsExactly(1L, 2L, 3L);
    c.isolate(2);
    c.isolate(3);
    c.raw(1).propose(data("x"));
    c.tickAll(3);
    assertThat(c.node(1).appliedData()).as("new half {1,4} ok, old half {1} is not").isEmpty();
    c.heal();
    c.isolate(2);
    c.tickAll(3);
    assertThat(c.node(1).appliedData())
        .as("new half {1,4}, old half {1,3}")
        .containsExactly(data("x"));
  }

  @Test
  @DisplayName(
      "Thesis 4.3 joint consensus: with several changes the joint configuration is entered and left automatically")
  void jointAutoLeave() {
    TestCluster c = withLearner4();
    c.raw(1)
        .proposeConfChange(
            ConfChangeV2.newBuilder()
                .addChanges(single(ConfChangeType.CONF_CHANGE_ADD_NODE, 4))
                .addChanges(single(ConfChangeType.CONF_CHANGE_REMOVE_NODE, 3))
                .build());
    c.tickAll(3);
    long confEntries =
        c.node(1).applied.stream()
            .filter(e -> e.getType() == EntryType.ENTRY_CONF_CHANGE_V2)
            .count();
    assertThat(confEntries).as("enter, then the automatic leave").isEqualTo(2);
    assertThat(c.raw(1).status().config().getVotersOutgoingList()).isEmpty();
    assertThat(c.raw(4).status().config().getVotersList()).containsExactly(1L, 2L, 4L);
  }

  @Test
  @DisplayName(
      "Thesis 4.3 joint consensus: an explicit joint configuration is left only by an empty ConfChangeV2")
  void jointExplicit() {
    TestCluster c = new TestCluster(3);
    c.elect(1);
    c.raw(1)
        .proposeConfChange(
            ConfChangeV2.newBuilder()
                .setTransition(ConfChangeTransition.CONF_CHANGE_TRANSITION_JOINT_EXPLICIT)
                .addChanges(single(ConfChangeType.CONF_CHANGE_REMOVE_NODE, 3))
                .build());
    c.tickAll(3);
    assertThat(c.raw(1).status().config().getVotersOutgoingList()).containsExactly(1L, 2L, 3L);
    c.raw(1).proposeConfChange(ConfChangeV2.getDefaultInstance());
    c.tickAll(3);
    assertThat(c.raw(1).status().config().getVotersOutgoingList()).isEmpty();
    assertThat(c.raw(1).status().config().getVotersList()).containsExactly(1L, 2L);
  }

  @Test
  @DisplayName("Thesis 4.3: a simple change is refused while the configuration is joint")
  void simpleChangeRefusedWhileJoint() {
    TestCluster c = new TestCluster(3);
    c.raw(1)
        .applyConfChange(
            ConfChangeV2.newBuilder()
                .setTransition(ConfChangeTransition.CONF_CHANGE_TRANSITION_JOINT_EXPLICIT)
                .addChanges(single(ConfChangeType.CONF_CHANGE_REMOVE_NODE, 3))
                .build());
    assertThatThrownBy(() -> c.raw(1).applyConfChange(cc(ConfChangeType.CONF_CHANGE_ADD_NODE, 4)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("joint");
  }
}
