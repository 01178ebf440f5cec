package io.ketch.raft;

import static io.ketch.raft.TestCluster.data;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.ketch.raft.pb.ConfChange;
import io.ketch.raft.pb.ConfChangeType;
import io.ketch.raft.pb.Entry;
import io.ketch.raft.pb.EntryType;
import io.ketch.raft.pb.Message;
import io.ketch.raft.pb.MessageType;
import java.util.List;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Proposals of several entries: one MSG_PROP, appended, sent, forwarded or dropped together. */
class ProposalBatchTest {
  private static final List<ByteString> ABC = List.of(data("a"), data("b"), data("c"));

  private static List<Message> apps(List<Message> out) {
    return out.stream().filter(m -> m.getType() == MessageType.MSG_APP).toList();
  }

  private static long lastIndex(TestCluster c, long id) {
    return c.raw(id).raft().raftLog.lastIndex();
  }

  private static ConfChange addLearner(long id) {
    return ConfChange.newBuilder()
        .setType(ConfChangeType.CONF_CHANGE_ADD_LEARNER_NODE)
        .setNodeId(id)
        .build();
  }

  private static Entry confChangeEntry(ConfChange cc) {
    return Entry.newBuilder()
        .setType(EntryType.ENTRY_CONF_CHANGE)
        .setData(cc.toByteString())
        .build();
  }

  @Test
  @DisplayName("A leader appends a proposal's entries together and sends them in one MSG_APP each")
  void oneMessagePerFollower() {
    TestCluster c = new TestCluster(3);
    c.elect(1);
    long before = lastIndex(c, 1);
    c.raw(1).propose(ABC);
    assertThat(lastIndex(c, 1)).isEqualTo(before + 3);
    List<Message> apps = apps(c.take(1));
    assertThat(apps).extracting(Message::getTo).containsExactlyInAnyOrder(2L, 3L);
    for (Message app : apps) {
      assertThat(app.getEntriesList()).extracting(Entry::getData).isEqualTo(ABC);
      assertThat(app.getIndex()).isEqualTo(before);
    }
    apps.forEach(c::deliver);
    c.stabilize();
    assertThat(c.node(2).appliedData()).isEqualTo(ABC);
    assertThat(c.node(3).appliedData()).isEqualTo(ABC);
  }

  @Test
  @DisplayName("Entries beyond maxSizePerMsg go out at once in as many MSG_APP as the window takes")
  void fillsTheWindow() {
    TestCluster c = new TestCluster(2, cfg -> cfg.withMaxSizePerMsg(0).withMaxInflight(3, 0));
    c.elect(1);
    List<ByteString> five = List.of(data("1"), data("2"), data("3"), data("4"), data("5"));
    c.raw(1).propose(five);
    List<Message> apps = apps(c.take(1));
    assertThat(apps).hasSize(3).allSatisfy(app -> assertThat(app.getEntriesCount()).isOne());
    apps.forEach(c::deliver);
    c.stabilize();
    assertThat(c.node(2).appliedData()).isEqualTo(five);
  }

  @Test
  @DisplayName("A follower forwards the proposal to the leader as one MSG_PROP")
  void forwardedWhole() {
    TestCluster c = new TestCluster(3);
    c.elect(1);
    c.raw(2).propose(ABC);
    List<Message> fwd = c.take(2);
    assertThat(fwd)
        .extracting(Message::getType, Message::getTo, Message::getEntriesCount)
        .containsExactly(Tuple.tuple(MessageType.MSG_PROP, 1L, 3));
    fwd.forEach(c::deliver);
    c.stabilize();
    assertThat(c.node(3).appliedData()).isEqualTo(ABC);
  }

  @Test
  @DisplayName("Without a leader the proposal is dropped whole, with one exception")
  void droppedWithoutLeader() {
    TestCluster c = new TestCluster(3);
    long before = lastIndex(c, 1);
    assertThatThrownBy(() -> c.raw(1).propose(ABC))
        .isInstanceOf(ProposalDroppedException.class)
        .hasMessageContaining("no leader");
    assertThat(lastIndex(c, 1)).isEqualTo(before);
    assertThat(c.take(1)).isEmpty();
    assertThatThrownBy(() -> c.raw(1).propose(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("During a leadership transfer the proposal is dropped whole")
  void droppedDuringTransfer() {
    TestCluster c = new TestCluster(3);
    c.elect(1);
    c.isolate(3);
    c.raw(1).propose(data("lag"));
    c.stabilize();
    c.heal();
    c.raw(1).transferLeadership(3);
    long before = lastIndex(c, 1);
    assertThatThrownBy(() -> c.raw(1).propose(ABC))
        .isInstanceOf(ProposalDroppedException.class)
        .hasMessageContaining("transfer");
    assertThat(lastIndex(c, 1)).isEqualTo(before);
  }

  @Test
  @DisplayName("Over maxUncommittedEntriesSize the proposal is dropped whole")
  void droppedOverUncommittedCap() {
    TestCluster c = new TestCluster(3, cfg -> cfg.withMaxUncommittedEntriesSize(20));
    c.elect(1);
    c.raw(1).propose(data("0123456789012345"));
    long before = lastIndex(c, 1);
    assertThatThrownBy(() -> c.raw(1).propose(List.of(data("0"), data("0123"))))
        .isInstanceOf(ProposalDroppedException.class)
        .hasMessageContaining("uncommitted");
    assertThat(lastIndex(c, 1)).isEqualTo(before);
  }

  @Test
  @DisplayName("Of two conf changes in one proposal the second is refused: one pending at a time")
  void oneConfChangePerBatch() {
    TestCluster c = new TestCluster(3);
    c.elect(1);
    Message forwarded =
        Message.newBuilder()
            .setType(MessageType.MSG_PROP)
            .setFrom(2)
            .setTo(1)
            .addEntries(confChangeEntry(addLearner(4)))
            .addEntries(Entry.newBuilder().setData(data("x")))
            .addEntries(confChangeEntry(addLearner(5)))
            .build();
    c.raw(1).step(forwarded);
    c.stabilize();
    assertThat(c.node(2).applied)
        .filteredOn(e -> e.getType() == EntryType.ENTRY_CONF_CHANGE)
        .hasSize(1);
    assertThat(c.node(2).appliedData()).containsExactly(data("x"));
    assertThat(c.raw(2).status().config().getLearnersList()).containsExactly(4L);
  }

  @Test
  @DisplayName("A dropped conf change does not count as pending: the next one is accepted")
  void droppedConfChangeNotPending() {
    TestCluster c = new TestCluster(3, cfg -> cfg.withMaxUncommittedEntriesSize(20));
    c.elect(1);
    c.raw(1).propose(data("012345678901234567"));
    assertThatThrownBy(() -> c.raw(1).proposeConfChange(addLearner(4)))
        .isInstanceOf(ProposalDroppedException.class)
        .hasMessageContaining("uncommitted");
    c.stabilize();
    c.raw(1).proposeConfChange(addLearner(4));
    c.stabilize();
    assertThat(c.raw(1).status().config().getLearnersList()).containsExactly(4L);
  }
}
