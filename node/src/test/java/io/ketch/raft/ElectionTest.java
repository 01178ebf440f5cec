package io.ketch.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.ketch.raft.pb.Entry;
import io.ketch.raft.pb.Message;
import io.ketch.raft.pb.MessageType;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Leader election: paper Figure 2 (RequestVote, Rules for Servers), Figure 3, section 5.2. */
class ElectionTest {

  private static TestCluster plain(int n) {
    return new TestCluster(n, c -> c.withPreVote(false).withCheckQuorum(false));
  }

  @Test
  @DisplayName(
      "Figure 2, Followers: with no leader, a follower campaigns after its randomized timeout in [electionTick, 2*electionTick)")
  void followerCampaignsAfterRandomizedTimeout() {
    Set<Integer> seen = new HashSet<>();
    for (long seed = 1; seed <= 50; seed++) {
      TestCluster c = plain(3);
      RawNode n =
          new RawNode(
              TestCluster.baseConfig(1, c.node(1).storage)
                  .withPreVote(false)
                  .withRandom(new java.util.Random(seed)));
      int timeout = n.raft().randomizedElectionTimeout;
      assertThat(timeout).isBetween(10, 19);
      seen.add(timeout);
      for (int t = 1; t < timeout; t++) {
        n.tick();
        assertThat(n.status().role()).isEqualTo(StateRole.FOLLOWER);
      }
      n.tick();
      assertThat(n.status().role()).isEqualTo(StateRole.CANDIDATE);
      assertThat(n.status().term()).isEqualTo(1);
    }
    assertThat(seen).as("timeouts are spread (paper 5.2)").hasSizeGreaterThan(3);
  }

  @Test
  @DisplayName(
      "Figure 2, Candidates: increment currentTerm, vote for self, send RequestVote to all others")
  void candidateVotesForItselfAndAsksOthers() {
    TestCluster c = plain(3);
    c.raw(1).campaign();
    List<Message> sent = c.take(1);
    Status st = c.raw(1).status();
    assertThat(st.term()).isEqualTo(1);
    assertThat(st.vote()).isEqualTo(1);
    assertThat(sent).extracting(Message::getType).containsOnly(MessageType.MSG_VOTE);
    assertThat(sent).extracting(Message::getTo).containsExactlyInAnyOrder(2L, 3L);
    assertThat(c.node(1).storage.initialState().hardState().getVote())
        .as("the self-vote is persisted before the requests go out")
        .isEqualTo(1);
  }

  @Test
  @DisplayName(
      "Figure 2, Candidates: votes from a majority make a leader, which appends an empty entry of its term")
  void majorityMakesLeader() {
    TestCluster c = plain(5);
    c.isolate(4);
    c.isolate(5);
    c.elect(1);
    assertThat(c.raw(1).status().role()).isEqualTo(StateRole.LEADER);
    assertThat(c.node(1).applied).hasSize(1);
    Entry empty = c.node(1).applied.get(0);
    assertThat(empty.getTerm()).isEqualTo(1);
    assertThat(empty.getData().isEmpty()).isTrue();
    assertThat(c.raw(2).status().leader()).isEqualTo(1);
  }

  @Test
  @DisplayName(
      "Figure 2, Candidates: without a majority a candidate stays candidate, then times out and starts a new term")
  void candidateWithoutMajorityRetries() {
    TestCluster c = plain(3);
    c.isolate(1);
    c.elect(1);
    assertThat(c.raw(1).status().role()).isEqualTo(StateRole.CANDIDATE);
    c.tick(1, 20);
    c.processAll();
    assertThat(c.raw(1).status().term()).isEqualTo(2);
    assertThat(c.raw(1).status().role()).isEqualTo(StateRole.CANDIDATE);
  }

  @Test
  @DisplayName(
      "Figure 2, Candidates: AppendEntries from a leader of the same term makes a candidate follower")
  void candidateStepsDownOnAppend() {
    TestCluster c = plain(3);
    c.elect(1);
    c.isolate(2);
    c.tick(2, 30);
    c.processAll();
    c.inFlight.clear();
    assertThat(c.raw(2).status().role()).isEqualTo(StateRole.CANDIDATE);
    long term = c.raw(2).status().term();
    c.raw(2)
        .step(
            Message.newBuilder()
                .setType(MessageType.MSG_APP)
                .setFrom(3)
                .setTo(2)
                .setTerm(term)
                .build());
    assertThat(c.raw(2).status().role()).isEqualTo(StateRole.FOLLOWER);
    assertThat(c.raw(2).status().leader()).isEqualTo(3);
  }

  @Test
  @DisplayName(
      "Figure 2, All Servers: a message with a higher term makes any node (even a leader) a follower of that term")
  void higherTermDemotesLeader() {
    TestCluster c = plain(3);
    c.elect(1);
    c.raw(1)
        .step(
            Message.newBuilder()
                .setType(MessageType.MSG_HEARTBEAT)
                .setFrom(2)
                .setTo(1)
                .setTerm(5)
                .build());
    assertThat(c.raw(1).status().role()).isEqualTo(StateRole.FOLLOWER);
    assertThat(c.raw(1).status().term()).isEqualTo(5);
    assertThat(c.raw(1).status().leader()).isEqualTo(2);
  }

  @Test
  @DisplayName("Figure 2, RequestVote rule 1: reply false if term < currentTerm")
  void staleVoteRequestIgnored() {
    TestCluster c = plain(3);
    c.elect(1);
    c.elect(2);
    assertThat(c.raw(2).status().term()).isEqualTo(2);
    c.raw(2).step(vote(3, 2, 1, 10, 10));
    assertThat(c.take(2))
        .noneMatch(m -> m.getType() == MessageType.MSG_VOTE_RESP && !m.getReject());
  }

  @Test
  @DisplayName(
      "Figure 2, RequestVote rule 2: vote for at most one candidate per term (a repeat request is granted again)")
  void oneVotePerTerm() {
    TestCluster c = plain(3);
    c.raw(3).step(vote(1, 3, 1, 0, 0));
    c.raw(3).step(vote(2, 3, 1, 0, 0));
    c.raw(3).step(vote(1, 3, 1, 0, 0));
    List<Message> out = c.take(3);
    assertThat(out)
        .extracting(Message::getTo, Message::getReject)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(1L, false),
            org.assertj.core.groups.Tuple.tuple(2L, true),
            org.assertj.core.groups.Tuple.tuple(1L, false));
    assertThat(c.node(3).storage.initialState().hardState().getVote()).isEqualTo(1);
  }

  @Test
  @DisplayName(
      "Figure 2, RequestVote rule 2 / 5.4.1: deny the vote to a candidate whose log is less up-to-date")
  void upToDateCheck() {
    TestCluster c = plain(3);
    c.elect(1);
    c.raw(1).propose(TestCluster.data("x"));
    c.stabilize();
    // Node 3's last entry is (index 2, term 1).
    c.raw(3).step(vote(2, 3, 5, 1, 1)); // shorter log, same last term
    c.raw(3).step(vote(2, 3, 6, 5, 0)); // longer log, older last term
    c.raw(3).step(vote(2, 3, 7, 2, 1)); // as up-to-date
    List<Message> out = c.take(3);
    assertThat(out).extracting(Message::getReject).containsExactly(true, true, false);
  }

  @Test
  @DisplayName("Figure 3, Election Safety: at most one leader per term, even with a split vote")
  void splitVoteElectsNoOneThenOne() {
    TestCluster c = plain(4);
    c.raw(1).campaign();
    c.raw(3).campaign();
    c.processAll();
    // 1 gets 2's vote, 3 gets 4's vote: 2 of 4 each, no majority.
    c.dropIf =
        m ->
            m.getType() == MessageType.MSG_VOTE
                && (m.getTo() == 2 ? m.getFrom() != 1 : m.getTo() == 4 && m.getFrom() != 3);
    c.stabilize();
    assertThat(c.nodes.values()).noneMatch(n -> n.status().role() == StateRole.LEADER);
    c.heal();
    for (int i = 0; i < 100 && c.leader() == 0; i++) {
      c.tickAll(1);
    }
    long leader = c.leader();
    assertThat(leader).isNotZero();
    long term = c.raw(leader).status().term();
    assertThat(c.nodes.values())
        .filteredOn(n -> n.status().role() == StateRole.LEADER && n.status().term() == term)
        .hasSize(1);
  }

  @Test
  @DisplayName("Figure 2, Leaders: send heartbeats during idle periods to prevent elections")
  void heartbeatsPreventElections() {
    TestCluster c = plain(3);
    c.elect(1);
    c.tickAll(100);
    assertThat(c.leader()).isEqualTo(1);
    assertThat(c.raw(2).status().term()).isEqualTo(1);
  }

  @Test
  @DisplayName(
      "Figure 2, Followers: a follower that hears from the leader resets its election timer")
  void followerResetsTimerOnHeartbeat() {
    TestCluster c = plain(3);
    c.elect(1);
    for (int i = 0; i < 50; i++) {
      c.tick(1, 1);
      c.tick(2, 1);
      c.stabilize();
    }
    assertThat(c.raw(2).status().role()).isEqualTo(StateRole.FOLLOWER);
    assertThat(c.raw(2).status().term()).isEqualTo(1);
  }

  @Test
  @DisplayName("Learner rule: a learner never campaigns")
  void learnerDoesNotCampaign() {
    TestCluster c = new TestCluster(1);
    c.elect(1);
    c.raw(1)
        .proposeConfChange(
            io.ketch.raft.pb.ConfChange.newBuilder()
                .setType(io.ketch.raft.pb.ConfChangeType.CONF_CHANGE_ADD_LEARNER_NODE)
                .setNodeId(2)
                .build());
    c.stabilize();
    c.join(2);
    c.tickAll(3);
    assertThat(c.raw(2).status().config().getLearnersList()).containsExactly(2L);
    c.isolate(2);
    c.tick(2, 100);
    c.processAll();
    assertThat(c.raw(2).status().role()).isEqualTo(StateRole.FOLLOWER);
    assertThat(c.raw(2).status().term()).isEqualTo(1);
  }

  static Message vote(long from, long to, long term, long lastIndex, long lastTerm) {
    return Message.newBuilder()
        .setType(MessageType.MSG_VOTE)
        .setFrom(from)
        .setTo(to)
        .setTerm(term)
        .setIndex(lastIndex)
        .setLogTerm(lastTerm)
        .build();
  }
}
