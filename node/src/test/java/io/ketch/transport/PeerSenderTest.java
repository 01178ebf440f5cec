package io.ketch.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.ketch.raft.pb.Entry;
import io.ketch.raft.pb.Message;
import io.ketch.raft.pb.MessageType;
import io.ketch.transport.pb.MessageBatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The per-peer queue and stream, against a fake stream: batching, back-pressure, reconnects. */
class PeerSenderTest {
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final List<Long> unreachable = new ArrayList<>();
  private final List<FakeStream> opened = new ArrayList<>();
  private volatile boolean streamsOpenReady = true;

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  final class FakeStream implements PeerSender.Outbound {
    final PeerSender.Events events;
    final List<MessageBatch> sent = new ArrayList<>();
    boolean ready = streamsOpenReady;
    boolean closed;

    FakeStream(PeerSender.Events events) {
      this.events = events;
    }

    @Override
    public boolean isReady() {
      return ready;
    }

    @Override
    public void send(MessageBatch batch) {
      sent.add(batch);
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  private PeerSender sender() {
    PeerSender sender =
        new PeerSender(
            7,
            events -> {
              FakeStream s = new FakeStream(events);
              opened.add(s);
              return s;
            },
            scheduler,
            unreachable::add);
    sender.start();
    return sender;
  }

  static Message heartbeat(int i) {
    return Message.newBuilder().setType(MessageType.MSG_HEARTBEAT).setTo(7).setCommit(i).build();
  }

  static List<Message> heartbeats(int n) {
    return IntStream.range(0, n).mapToObj(PeerSenderTest::heartbeat).toList();
  }

  @Test
  void oneSendOfManyMessagesIsOneBatchInOrder() {
    PeerSender sender = sender();
    sender.send(heartbeats(100));
    FakeStream stream = opened.get(0);
    assertThat(stream.sent).hasSize(1);
    assertThat(stream.sent.get(0).getMessagesList()).isEqualTo(heartbeats(100));
    assertThat(unreachable).isEmpty();
  }

  @Test
  void takesOnlyTheMessagesAddressedToItsPeerAndNoSnapshot() {
    PeerSender sender = sender();
    Message toOther = heartbeat(1).toBuilder().setTo(8).build();
    Message snapshot = Message.newBuilder().setType(MessageType.MSG_SNAP).setTo(7).build();
    sender.send(List.of(heartbeat(0), toOther, snapshot, heartbeat(2)));
    FakeStream stream = opened.get(0);
    assertThat(stream.sent).hasSize(1);
    assertThat(stream.sent.get(0).getMessagesList()).containsExactly(heartbeat(0), heartbeat(2));
    assertThat(unreachable).isEmpty();
  }

  @Test
  void aBatchClosesAtItsByteLimit() {
    PeerSender sender = sender();
    ByteString mib = ByteString.copyFrom(new byte[1 << 20]);
    Message big =
        Message.newBuilder()
            .setType(MessageType.MSG_APP)
            .setTo(7)
            .addEntries(Entry.newBuilder().setData(mib))
            .build();
    sender.send(List.of(big, big, big, big, big, big));
    FakeStream stream = opened.get(0);
    assertThat(stream.sent).hasSizeGreaterThan(1);
    assertThat(stream.sent.stream().mapToInt(MessageBatch::getMessagesCount).sum()).isEqualTo(6);
    assertThat(stream.sent)
        .allSatisfy(
            b ->
                assertThat(b.getSerializedSize())
                    .isLessThanOrEqualTo(PeerSender.MAX_BATCH_BYTES + 1024));
  }

  @Test
  void aStreamThatIsNotReadyHoldsMessagesUntilItIsThenDropsPastTheBound() {
    PeerSender sender = sender();
    FakeStream stream = opened.get(0);
    stream.ready = false;
    sender.send(heartbeats(10));
    assertThat(stream.sent).isEmpty();
    assertThat(sender.queued()).isEqualTo(10);

    sender.send(heartbeats(PeerSender.QUEUE_CAPACITY));
    assertThat(sender.queued()).isEqualTo(PeerSender.QUEUE_CAPACITY);
    assertThat(unreachable).containsExactly(7L); // once per send that dropped

    stream.ready = true;
    stream.events.ready();
    assertThat(sender.queued()).isZero();
    assertThat(stream.sent.stream().mapToInt(MessageBatch::getMessagesCount).sum())
        .isEqualTo(PeerSender.QUEUE_CAPACITY);
    // The oldest were kept: the first queued goes out first.
    assertThat(stream.sent.get(0).getMessages(0)).isEqualTo(heartbeat(0));
  }

  @Test
  void aBrokenStreamReportsThePeerDropsWhileDownAndReconnects() throws Exception {
    PeerSender sender = sender();
    java.util.concurrent.CountDownLatch paused = new java.util.concurrent.CountDownLatch(1);
    scheduler.execute(
        () -> {
          try {
            paused.await(); // holds the reconnect back until the test has looked
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    FakeStream first = opened.get(0);
    first.ready = false;
    sender.send(heartbeats(3));
    first.events.broken(new RuntimeException("reset"));
    assertThat(unreachable).containsExactly(7L);
    assertThat(sender.queued()).isZero();

    sender.send(heartbeats(1)); // no stream: dropped
    assertThat(unreachable).containsExactly(7L, 7L);

    assertThat(opened).hasSize(1);
    paused.countDown();
    org.awaitility.Awaitility.await().until(() -> opened.size() == 2);
    first.events.ready(); // a stale stream's events change nothing
    sender.send(heartbeats(2));
    assertThat(opened.get(1).sent).hasSize(1);
    assertThat(first.sent).isEmpty();
    sender.close();
    assertThat(opened.get(1).closed).isTrue();
  }

  @Test
  void thePeerIsActiveFromWhenTheStreamIsFirstReadyUntilItBreaks() {
    streamsOpenReady = false;
    PeerSender sender = sender();
    FakeStream first = opened.get(0);
    assertThat(sender.activeFor()).isEmpty(); // opened, but no transport yet

    first.ready = true;
    first.events.ready();
    Duration up = sender.activeFor().orElseThrow();
    first.events.ready(); // later onReady calls keep the first one's time
    assertThat(sender.activeFor().orElseThrow()).isGreaterThanOrEqualTo(up);

    first.events.broken(new RuntimeException("reset"));
    assertThat(sender.activeFor()).isEmpty();
    streamsOpenReady = true; // ready before the sender has taken it: no onReady comes
    await().until(() -> opened.size() == 2);
    await().until(() -> sender.activeFor().isPresent());

    sender.close();
    assertThat(sender.activeFor()).isEmpty();
  }
}
