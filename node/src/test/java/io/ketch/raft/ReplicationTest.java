package io.ketch.raft;

import static io.ketch.raft.TestCluster.data;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ketch.raft.pb.Entry;
import io.ketch.raft.pb.Message;
import io.ketch.raft.pb.MessageType;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Log replication: paper Figure 2 (AppendEntries, Leaders), Figure 3, Figure 8; flow control. */
class ReplicationTest {

  private static Message app(
      long from, long to, long term, long index, long logTerm, long commit, Entry... ents) {
    return Message.newBuilder()
        .setType(MessageType.MSG_APP)
        .setFrom(from)
        .setTo(to)
        .setTerm(term)
        .setIndex(index)
        .setLogTerm(logTerm)
        .setCommit(commit)
        .addAllEntries(List.of(ents))
        .build();
  }

  private static Entry entry(long index, long term, String d) {
    return Entry.newBuilder().setIndex(index).setTerm(term).setData(data(d)).build();
  }

  @Test
  @DisplayName(
      "Figure 2, Leaders: a proposal is replicated and committed once stored on a majority, then applied everywhere")
  void proposalCommitsOnMajority() {
    TestCluster c = new TestCluster(3);
    c.elect(1);
    c.isolate(3);
    c.raw(1).propose(data("a"));
    c.stabilize();
    assertThat(c.node(1).appliedData()).containsExactly(data("a"));
    assertThat(c.node(2).appliedData()).containsExactly(data("a"));
    assertThat(c.node(3).appliedData()).isEmpty();
    c.heal();
    c.tickAll(2);
    assertThat(c.node(3).appliedData()).containsExactly(data("a"));
  }

  @Test
  @DisplayName("Figure 2, Leaders: nothing commits without a majority")
  void noMajorityNoCommit() {
    TestCluster c = new TestCluster(3, cfg -> cfg.withCheckQuorum(false));
    c.elect(1);
    c.isolate(2);
    c.isolate(3);
    c.raw(1).propose(data("a"));
    c.tickAll(5);
    assertThat(c.node(1).appliedData()).isEmpty();
  }

  @Test
  @DisplayName(
      "Figure 2, AppendEntries rule 2: reply false if the log has no entry at prevLogIndex with prevLogTerm, with a hint for fast back-off")
  void rejectMismatch() {
    TestCluster c = new TestCluster(3);
    c.raw(2).step(app(1, 2, 2, 5, 2, 0));
    List<Message> out = c.take(2);
    assertThat(out).hasSize(1);
    Message resp = out.get(0);
    assertThat(resp.getType()).isEqualTo(MessageType.MSG_APP_RESP);
    assertThat(resp.getReject()).isTrue();
    assertThat(resp.getIndex()).isEqualTo(5);
    assertThat(resp.getRejectHint()).isEqualTo(0);
  }

  @Test
  @DisplayName(
      "Figure 2, AppendEntries rules 3 and 4: a conflicting entry is deleted with all that follow; new entries are appended")
  void conflictTruncates() {
    TestCluster c = new TestCluster(3);
    RawNode f = c.raw(2);
    f.step(app(1, 2, 1, 0, 0, 0, entry(1, 1, "a"), entry(2, 1, "b"), entry(3, 1, "c")));
    c.take(2);
    f.step(app(3, 2, 2, 1, 1, 0, entry(2, 2, "x")));
    List<Message> out = c.take(2);
    assertThat(out.get(0).getReject()).isFalse();
    assertThat(out.get(0).getIndex()).isEqualTo(2);
    MemoryStorage s = c.node(2).storage;
    assertThat(s.lastIndex()).isEqualTo(2);
    assertThat(s.term(2)).isEqualTo(2);
    assertThat(s.entries(1, 3, Long.MAX_VALUE))
        .extracting(Entry::getData)
        .containsExactly(data("a"), data("x"));
  }

  @Test
  @DisplayName(
      "Figure 2, AppendEntries rule 5: commitIndex = min(leaderCommit, index of last new entry)")
  void commitMinOfLeaderCommitAndLastNew() {
    TestCluster c = new TestCluster(3);
    c.raw(2).step(app(1, 2, 1, 0, 0, 10, entry(1, 1, "a"), entry(2, 1, "b")));
    c.take(2);
    assertThat(c.raw(2).status().commit()).isEqualTo(2);
    assertThat(c.node(2).appliedData()).containsExactly(data("a"), data("b"));
  }

  @Test
  @DisplayName(
      "Figure 8 / 5.4.2: a leader never commits an entry of a previous term by counting replicas")
  void figure8() {
    TestCluster c = new TestCluster(3, cfg -> cfg.withPreVote(false).withCheckQuorum(false));
    // Node 1 leads term 2 with a log [1:1, 2:1(old)] where entry 2 (term 1) sits only on 1 and 2.
    for (long id : List.of(1L, 2L)) {
      c.node(id).storage.append(List.of(entry(1, 1, "a"), entry(2, 1, "old")));
      c.node(id)
          .storage
          .setHardState(io.ketch.raft.pb.HardState.newBuilder().setTerm(1).setCommit(1).build());
    }
    c.node(3).storage.append(List.of(entry(1, 1, "a")));
    c.node(3)
        .storage
        .setHardState(io.ketch.raft.pb.HardState.newBuilder().setTerm(1).setCommit(1).build());
    TestCluster fresh = new TestCluster(0, cfg -> cfg.withPreVote(false).withCheckQuorum(false));
    for (long id = 1; id <= 3; id++) {
      fresh.add(id, c.node(id).storage);
    }
    fresh.isolate(3);
    // Node 1 wins term 2 but its term-2 entry never leaves it.
    fresh.dropIf = m -> m.getType() == MessageType.MSG_APP && m.getEntriesCount() > 0;
    fresh.elect(1);
    assertThat(fresh.raw(1).status().role()).isEqualTo(StateRole.LEADER);
    // Entry 2 (term 1) is on a majority (1 and 2) but must not be committed: only entries of the
    // current term are committed by counting replicas.
    assertThat(fresh.raw(1).status().commit()).isEqualTo(1);
    fresh.heal();
    fresh.isolate(3);
    fresh.tickAll(2);
    // Once the term-2 entry is on a majority, it commits and brings entry 2 with it.
    assertThat(fresh.raw(1).status().commit()).isEqualTo(3);
  }

  @Test
  @DisplayName(
      "Figure 3, Log Matching: after conflicting histories, every follower's log ends up identical to the leader's")
  void logsConverge() {
    TestCluster c = new TestCluster(3, cfg -> cfg.withCheckQuorum(false));
    c.elect(1);
    c.isolate(1);
    c.raw(1).propose(data("lost1"));
    c.raw(1).propose(data("lost2"));
    c.processAll();
    c.inFlight.clear();
    c.heal();
    c.isolate(1);
    c.elect(2);
    c.raw(2).propose(data("kept"));
    c.stabilize();
    c.heal();
    c.tickAll(5);
    for (long id = 1; id <= 3; id++) {
      assertThat(c.node(id).appliedData()).as("node " + id).containsExactly(data("kept"));
      assertThat(c.node(id).storage.lastIndex()).isEqualTo(c.node(2).storage.lastIndex());
    }
  }

  @Test
  @DisplayName(
      "Leader completes its own write before counting itself: a single voter commits only after advance")
  void singleVoterCommitsAfterPersisting() {
    TestCluster c = new TestCluster(1);
    c.elect(1);
    RawNode n = c.raw(1);
    n.propose(data("x"));
    Ready rd = n.ready();
    assertThat(rd.entries()).hasSize(1);
    assertThat(rd.committedEntries()).isEmpty();
    assertThat(rd.mustSync()).isTrue();
    c.node(1).storage.append(rd.entries());
    n.advance(rd);
    Ready next = n.ready();
    assertThat(next.committedEntries()).extracting(Entry::getData).containsExactly(data("x"));
    assertThat(next.mustSync()).as("a commit index change alone needs no sync").isFalse();
  }

  @Test
  @DisplayName("Batching: many proposals travel in one MSG_APP, bounded by maxSizePerMsg")
  void batchingBoundedBySize() {
    TestCluster c = new TestCluster(2, cfg -> cfg.withMaxSizePerMsg(100));
    c.elect(1);
    // A probing follower gets one message; proposals queue up meanwhile and then go in batches.
    c.raw(1).reportUnreachable(2);
    for (int i = 0; i < 20; i++) {
      c.raw(1).propose(data("payload-" + i + "-xxxxxxxxxx"));
    }
    c.take(1).forEach(c::deliver);
    c.processAll();
    c.deliverAll();
    List<Message> apps =
        c.take(1).stream().filter(m -> m.getType() == MessageType.MSG_APP).toList();
    assertThat(apps).isNotEmpty();
    assertThat(apps.get(0).getEntriesCount()).isBetween(2, 4);
    for (Message m : apps) {
      long size = m.getEntriesList().stream().mapToLong(Entry::getSerializedSize).sum();
      assertThat(m.getEntriesCount() == 1 || size <= 100)
          .as(m.getEntriesCount() + " entries, " + size + " bytes")
          .isTrue();
    }
  }

  @Test
  @DisplayName(
      "Flow control: REPLICATE streams up to maxInflightMsgs unacknowledged MSG_APP, then pauses")
  void inflightWindowByCount() {
    TestCluster c = new TestCluster(2, cfg -> cfg.withMaxSizePerMsg(0).withMaxInflight(3, 0));
    c.elect(1);
    for (int i = 0; i < 10; i++) {
      c.raw(1).propose(data("p" + i));
    }
    List<Message> apps =
        c.take(1).stream().filter(m -> m.getType() == MessageType.MSG_APP).toList();
    assertThat(apps).hasSize(3);
    assertThat(c.raw(1).status().progress().get(2L).state()).isEqualTo("REPLICATE");
  }

  @Test
  @DisplayName("Flow control: the inflight window is also bounded by bytes")
  void inflightWindowByBytes() {
    TestCluster c = new TestCluster(2, cfg -> cfg.withMaxSizePerMsg(0).withMaxInflight(100, 25));
    c.elect(1);
    for (int i = 0; i < 10; i++) {
      c.raw(1).propose(data("0123456789"));
    }
    List<Message> apps =
        c.take(1).stream().filter(m -> m.getType() == MessageType.MSG_APP).toList();
    assertThat(apps).hasSize(3); // 10 + 10 + 10 bytes >= 25 closes the window
  }

  @Test
  @DisplayName(
      "Flow control: PROBE sends one MSG_APP and waits; a rejection with a hint moves next back in one step")
  void probeAndFastBackoff() {
    TestCluster c = new TestCluster(3, cfg -> cfg.withCheckQuorum(false));
    c.elect(1);
    c.isolate(3);
    for (int i = 0; i < 50; i++) {
      c.raw(1).propose(data("p" + i));
    }
    c.stabilize();
    c.heal();
    // Node 3 lags by 50 entries; count the rejections it takes to find the match point.
    c.tick(1, 1);
    int rejections = 0;
    for (int round = 0; round < 20; round++) {
      c.processAll();
      rejections +=
          (int)
              c.inFlight.stream()
                  .filter(m -> m.getType() == MessageType.MSG_APP_RESP && m.getReject())
                  .count();
      c.deliverAll();
    }
    assertThat(rejections).isLessThanOrEqualTo(1);
    assertThat(c.node(3).appliedData()).hasSize(50);
  }

  @Test
  @DisplayName("reportUnreachable moves a REPLICATE follower to PROBE")
  void unreachableProbes() {
    TestCluster c = new TestCluster(2);
    c.elect(1);
    assertThat(c.raw(1).status().progress().get(2L).state()).isEqualTo("REPLICATE");
    c.raw(1).reportUnreachable(2);
    assertThat(c.raw(1).status().progress().get(2L).state()).isEqualTo("PROBE");
  }

  @Test
  @DisplayName(
      "Snapshots: a follower whose next entry is compacted gets MSG_SNAP; reportSnapshot moves it back to PROBE; it catches up")
  void snapshotCatchUp() {
    TestCluster c = new TestCluster(3);
    c.elect(1);
    c.isolate(3);
    for (int i = 0; i < 5; i++) {
      c.raw(1).propose(data("p" + i));
    }
    c.stabilize();
    TestCluster.Node l = c.node(1);
    long applied = l.status().applied();
    l.storage.createSnapshot(applied, l.confState, data("state"));
    l.storage.compact(applied);
    c.heal();
    c.tick(1, 1);
    List<Message> snaps = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      c.processAll();
      c.inFlight.stream().filter(m -> m.getType() == MessageType.MSG_SNAP).forEach(snaps::add);
      c.deliverAll();
    }
    assertThat(snaps).hasSize(1);
    assertThat(snaps.get(0).getSnapshot().getMetadata().getIndex()).isEqualTo(applied);
    assertThat(c.raw(1).status().progress().get(3L).state()).isIn("SNAPSHOT", "REPLICATE");
    c.raw(1).reportSnapshot(3, false);
    c.tickAll(3);
    assertThat(c.raw(1).status().progress().get(3L).state()).isEqualTo("REPLICATE");
    assertThat(c.node(3).storage.snapshot().getData()).isEqualTo(data("state"));
    assertThat(c.raw(3).status().applied()).isEqualTo(c.raw(1).status().applied());
  }

  @Test
  @DisplayName("maxCommittedSizePerReady limits the committed entries handed out per Ready")
  void committedSizePerReady() {
    TestCluster c = new TestCluster(1, cfg -> cfg.withMaxCommittedSizePerReady(40));
    c.elect(1);
    for (int i = 0; i < 10; i++) {
      c.raw(1).propose(data("0123456789"));
    }
    RawNode n = c.raw(1);
    Ready rd = n.ready();
    c.node(1).storage.append(rd.entries());
    n.advance(rd);
    int readies = 0;
    int total = 0;
    while (n.hasReady()) {
      Ready r = n.ready();
      assertThat(r.committedEntries().size()).isBetween(1, 3);
      total += r.committedEntries().size();
      readies++;
      n.advance(r);
    }
    assertThat(total).isEqualTo(10);
    assertThat(readies).isGreaterThan(3);
  }

  @Test
  @DisplayName(
      "Proposals: dropped without a leader, forwarded by followers, dropped when forwarding is disabled or above maxUncommittedEntriesSize")
  void proposals() {
    TestCluster c = new TestCluster(3, cfg -> cfg.withMaxUncommittedEntriesSize(20));
    assertThatThrownBy(() -> c.raw(1).propose(data("x")))
        .isInstanceOf(ProposalDroppedException.class);
    c.elect(1);
    c.raw(2).propose(data("via-follower"));
    List<Message> fwd = c.take(2);
    assertThat(fwd)
        .extracting(Message::getType, Message::getTo)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(MessageType.MSG_PROP, 1L));
    fwd.forEach(c::deliver);
    c.stabilize();
    assertThat(c.node(3).appliedData()).containsExactly(data("via-follower"));
    c.isolate(1);
    c.raw(1).propose(data("0123456789012345"));
    assertThatThrownBy(() -> c.raw(1).propose(data("0123456789")))
        .isInstanceOf(ProposalDroppedException.class)
        .hasMessageContaining("uncommitted");
    TestCluster d = new TestCluster(2, cfg -> cfg.withDisableProposalForwarding(true));
    d.elect(1);
    assertThatThrownBy(() -> d.raw(2).propose(data("x")))
        .isInstanceOf(ProposalDroppedException.class);
  }

  @Test
  @DisplayName("step rejects local message types")
  void stepRejectsLocal() {
    TestCluster c = new TestCluster(1);
    assertThatThrownBy(
            () -> c.raw(1).step(Message.newBuilder().setType(MessageType.MSG_HUP).build()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
