package io.ketch.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.ketch.raft.Config;
import io.ketch.raft.RawNode;
import io.ketch.raft.ReadState;
import io.ketch.raft.Ready;
import io.ketch.raft.SoftState;
import io.ketch.raft.pb.ConfState;
import io.ketch.raft.pb.Entry;
import io.ketch.raft.pb.HardState;
import io.ketch.raft.pb.Message;
import io.ketch.raft.pb.MessageType;
import io.ketch.server.pb.StateSnapshot;
import io.ketch.storage.DiskStorage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The raft loop's batching of proposals and the order of a Ready's steps, on member 1 of three with
 * the test as the other two. What a test queues before the loop starts is taken in one drain.
 */
class RaftLoopTest {
  private static final long TICK_MILLIS = 60_000; // no tick during a test: no election
  private static final int QUEUE_CAPACITY = 64;

  @TempDir Path dataDir;
  private DiskStorage storage;
  private RaftLoop loop;
  private final List<List<Message>> sends = new CopyOnWriteArrayList<>();
  private final Queue<String> dropped = new ConcurrentLinkedQueue<>();
  private final List<Offered> offered = new CopyOnWriteArrayList<>();

  @BeforeEach
  void open() throws IOException {
    storage = DiskStorage.open(dataDir, DiskStorage.Options.defaults(cause -> {}));
    StartingState.write(
        storage,
        StateSnapshot.newBuilder().setAppliedIndex(1).setAppliedTerm(1).build(),
        ConfState.newBuilder().addVoters(1).addVoters(2).addVoters(3).build());
    loop =
        new RaftLoop(
            new RawNode(Config.defaults(1, storage)),
            storage,
            new Recorder(),
            TICK_MILLIS,
            QUEUE_CAPACITY);
  }

  @AfterEach
  void close() throws Exception {
    loop.close();
    storage.close();
  }

  private void propose(String data) {
    assertThat(loop.propose(new RaftLoop.Proposal(bytes(data), () -> dropped.add(data)), 0))
        .isTrue();
  }

  private static ByteString bytes(String data) {
    return ByteString.copyFromUtf8(data);
  }

  /** Member 2 leads: member 1 follows it and forwards its proposals. */
  private void followMember2() {
    stepFromLeader(
        Message.newBuilder()
            .setType(MessageType.MSG_HEARTBEAT)
            .setFrom(2)
            .setTo(1)
            .setTerm(2)
            .build());
  }

  private List<List<String>> forwardedProposals() {
    return sends.stream()
        .flatMap(List::stream)
        .filter(m -> m.getType() == MessageType.MSG_PROP)
        .map(m -> m.getEntriesList().stream().map(e -> e.getData().toStringUtf8()).toList())
        .toList();
  }

  /** Starts the loop; waits until member 1 has forwarded MSG_PROPs of these entries, in order. */
  @SafeVarargs
  private void startAndAwaitForwarded(List<String>... proposals) {
    loop.start();
    await()
        .atMost(10, TimeUnit.SECONDS)
        .untilAsserted(() -> assertThat(forwardedProposals()).containsExactly(proposals));
  }

  @Test
  void proposalsQueuedTogetherAreOneMsgPropAndATaskBetweenThemKeepsItsPlace() {
    followMember2();
    propose("a");
    propose("b");
    loop.submit((node, storage) -> node.propose(bytes("task")), 0);
    propose("c");
    propose("d");
    startAndAwaitForwarded(List.of("a", "b"), List.of("task"), List.of("c", "d"));
    assertThat(
            sends.stream()
                .filter(sent -> sent.stream().anyMatch(m -> m.getType() == MessageType.MSG_PROP)))
        .as("one Ready")
        .hasSize(1);
    assertThat(dropped).isEmpty();
  }

  @Test
  void theRaftThreadQueueingOntoItsOwnFullQueueIsRefusedAtOnceInsteadOfWaitingForItself() {
    CompletableFuture<List<Boolean>> queued = new CompletableFuture<>();
    loop.submit(
        (node, storage) -> {
          List<Boolean> results = new ArrayList<>();
          for (int i = 0; i <= QUEUE_CAPACITY; i++) { // one more than the queue holds
            results.add(loop.submit((n, s) -> {}, 60_000));
          }
          queued.complete(results);
        },
        0);
    loop.start();

    List<Boolean> results = queued.orTimeout(10, TimeUnit.SECONDS).join();
    assertThat(results.subList(0, QUEUE_CAPACITY)).containsOnly(true);
    assertThat(results.get(QUEUE_CAPACITY)).isFalse();
  }

  @Test
  void aBatchIsCutAtAboutOneMebibyte() {
    followMember2();
    String large = "x".repeat(600 << 10);
    propose(large);
    propose(large);
    propose("small");
    startAndAwaitForwarded(List.of(large, large), List.of("small"));
  }

  @Test
  void everyProposalOfADroppedBatchLearnsItWasDropped() {
    // No leader known yet: raft drops the proposals.
    propose("a");
    propose("b");
    propose("c");
    CompletableFuture<Void> drained = new CompletableFuture<>();
    loop.submit((node, storage) -> drained.complete(null), 0);
    loop.start();
    drained.orTimeout(10, TimeUnit.SECONDS).join();
    assertThat(dropped).containsExactly("a", "b", "c");
    assertThat(forwardedProposals()).isEmpty();
  }

  @Test
  void committedEntriesAreAppliedAfterTheirReadysEntriesAreSavedAndBeforeACommitAloneIs() {
    followMember2();
    Entry two = Entry.newBuilder().setIndex(2).setTerm(2).setData(bytes("two")).build();
    Entry three = Entry.newBuilder().setIndex(3).setTerm(2).setData(bytes("three")).build();
    stepFromLeader(appendFromMember2(1, 1, 2, List.of(two, three)));
    loop.start();
    await().atMost(10, TimeUnit.SECONDS).until(() -> offered.size() == 1);
    stepFromLeader(appendFromMember2(3, 2, 3, List.of()));
    await().atMost(10, TimeUnit.SECONDS).until(() -> offered.size() == 2);

    assertThat(offered.get(0))
        .as("entries 2-3 arrive with commit 2: saved first")
        .isEqualTo(new Offered(2, 3, 2));
    assertThat(offered.get(1))
        .as("commit 3 alone: entry 3 handed on before the commit is written")
        .isEqualTo(new Offered(3, 3, 2));
    await()
        .atMost(10, TimeUnit.SECONDS)
        .until(() -> storage.initialState().hardState().getCommit() == 3);
  }

  private static Message appendFromMember2(
      long prevIndex, long prevTerm, long commit, List<Entry> entries) {
    return Message.newBuilder()
        .setType(MessageType.MSG_APP)
        .setFrom(2)
        .setTo(1)
        .setTerm(2)
        .setIndex(prevIndex)
        .setLogTerm(prevTerm)
        .setCommit(commit)
        .addAllEntries(entries)
        .build();
  }

  private void stepFromLeader(Message m) {
    assertThat(loop.submit((node, storage) -> node.step(m), 0)).isTrue();
  }

  /**
   * A Ready's committed entries as the apply thread is handed them, with what the log had saved.
   */
  private record Offered(long lastCommitted, long savedLastIndex, long savedCommit) {}

  private final class Recorder implements RaftLoop.Listener {
    @Override
    public void onSoftState(SoftState state, long term) {}

    @Override
    public void onHardState(HardState state) {}

    @Override
    public void onSync(long nanos) {}

    @Override
    public void onReadStates(List<ReadState> states) {}

    @Override
    public boolean offerCommitted(Ready ready, long timeoutMillis) {
      List<Entry> entries = ready.committedEntries();
      offered.add(
          new Offered(
              entries.get(entries.size() - 1).getIndex(),
              storage.lastIndex(),
              storage.initialState().hardState().getCommit()));
      return true;
    }

    @Override
    public void send(List<Message> messages) {
      sends.add(List.copyOf(messages));
    }

    @Override
    public void onFatal(Throwable cause) {}
  }
}
