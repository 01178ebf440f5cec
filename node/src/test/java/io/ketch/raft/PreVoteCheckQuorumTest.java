package io.ketch.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.ketch.raft.pb.Message;
import io.ketch.raft.pb.MessageType;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Thesis 9.6 (PreVote), 6.2 (CheckQuorum) and 4.2.3 (disruptive servers). */
class PreVoteCheckQuorumTest {

  @Test
  @DisplayName(
      "Thesis 9.6 PreVote: a partitioned node keeps pre-campaigning without raising its term")
  void partitionedNodeKeepsTerm() {
    TestCluster c = new TestCluster(3);
    c.elect(1);
    c.isolate(3);
    c.tickAll(100);
    assertThat(c.raw(3).status().term()).isEqualTo(1);
    assertThat(c.raw(3).status().role()).isEqualTo(StateRole.PRE_CANDIDATE);
  }

  @Test
  @DisplayName("Thesis 9.6 PreVote: a rejoining node does not disrupt the leader")
  void rejoinDoesNotDisrupt() {
    TestCluster c = new TestCluster(3);
    c.elect(1);
    c.isolate(3);
    c.tickAll(100);
    c.heal();
    c.tickAll(20);
    assertThat(c.leader()).isEqualTo(1);
    assertThat(c.raw(1).status().term()).isEqualTo(1);
    assertThat(c.raw(3).status().leader()).isEqualTo(1);
  }

  @Test
  @DisplayName(
      "Thesis 9.6 PreVote: without PreVote the same rejoin forces a new election (the problem PreVote solves)")
  void withoutPreVoteRejoinDisrupts() {
    TestCluster c = new TestCluster(3, cfg -> cfg.withPreVote(false).withCheckQuorum(false));
    c.elect(1);
    c.isolate(3);
    c.tickAll(100);
    long term3 = c.raw(3).status().term();
    assertThat(term3).isGreaterThan(1);
    c.heal();
    c.tickAll(30);
    assertThat(c.raw(1).status().term()).isGreaterThanOrEqualTo(term3);
  }

  @Test
  @DisplayName(
      "Thesis 9.6 PreVote: a pre-vote is granted on the log alone and records no vote; a real election follows a pre-vote majority")
  void preVoteThenVote() {
    TestCluster c = new TestCluster(3);
    c.raw(1).campaign();
    assertThat(c.raw(1).status().role()).isEqualTo(StateRole.PRE_CANDIDATE);
    assertThat(c.raw(1).status().term()).isZero();
    var pre = c.take(1);
    assertThat(pre).extracting(Message::getType).containsOnly(MessageType.MSG_PRE_VOTE);
    assertThat(pre).extracting(Message::getTerm).containsOnly(1L);
    pre.forEach(c::deliver);
    assertThat(c.raw(2).status().vote()).as("a pre-vote leaves no vote behind").isZero();
    assertThat(c.raw(2).status().term()).isZero();
    c.stabilize();
    assertThat(c.raw(1).status().role()).isEqualTo(StateRole.LEADER);
    assertThat(c.raw(1).status().term()).isEqualTo(1);
  }

  @Test
  @DisplayName(
      "Thesis 6.2 CheckQuorum: a leader that has not heard from a quorum within an election timeout steps down")
  void leaderStepsDownWithoutQuorum() {
    TestCluster c = new TestCluster(3);
    c.elect(1);
    c.isolate(1);
    c.tick(1, 21);
    assertThat(c.raw(1).status().role()).isEqualTo(StateRole.FOLLOWER);
  }

  @Test
  @DisplayName("Thesis 6.2 CheckQuorum: a leader with an active quorum stays leader")
  void leaderKeepsQuorum() {
    TestCluster c = new TestCluster(3);
    c.elect(1);
    c.isolate(3);
    c.tickAll(50);
    assertThat(c.leader()).isEqualTo(1);
  }

  @Test
  @DisplayName(
      "Thesis 4.2.3: a node that heard from a live leader within the election timeout ignores vote requests")
  void leaseIgnoresVotes() {
    TestCluster c = new TestCluster(3, cfg -> cfg.withPreVote(false));
    c.elect(1);
    c.raw(2).step(ElectionTest.vote(3, 2, 5, 100, 5));
    assertThat(c.take(2)).isEmpty();
    assertThat(c.raw(2).status().term()).isEqualTo(1);
    // After an election timeout without the leader, the vote is granted.
    c.isolate(1);
    c.tick(2, 10);
    c.raw(2).step(ElectionTest.vote(3, 2, 5, 100, 5));
    assertThat(c.take(2)).anyMatch(m -> m.getType() == MessageType.MSG_VOTE_RESP && !m.getReject());
  }

  @Test
  @DisplayName(
      "Thesis 6.2: a stale leader cut off by a partition learns the new term from its followers' answers")
  void staleLeaderLearnsTerm() {
    TestCluster c = new TestCluster(3, cfg -> cfg.withCheckQuorum(false));
    c.elect(1);
    c.isolate(1);
    c.elect(2);
    c.heal();
    c.tick(1, 1);
    c.stabilize();
    assertThat(c.raw(1).status().role()).isEqualTo(StateRole.FOLLOWER);
    assertThat(c.raw(1).status().term()).isEqualTo(c.raw(2).status().term());
  }
}
