package io.ketch.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.ketch.raft.pb.Entry;
import io.ketch.raft.pb.Message;
import io.ketch.raft.pb.MessageType;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Raft messages between two members' transports. */
class PeerMessagesTest {
  static final long CLUSTER = 0xc1;

  final RecordingPeerHandler follower = new RecordingPeerHandler(CLUSTER, Set.of());
  Transport leaderSide;
  Transport followerSide;

  @BeforeEach
  void start() throws Exception {
    InetSocketAddress anyPort = new InetSocketAddress("127.0.0.1", 0);
    followerSide = Transport.start(2, CLUSTER, List.of(anyPort), follower);
    leaderSide =
        Transport.start(1, CLUSTER, List.of(anyPort), new RecordingPeerHandler(CLUSTER, Set.of()));
    leaderSide.setPeer(2, List.of("http://127.0.0.1:" + followerSide.ports().get(0)));
  }

  @AfterEach
  void stop() {
    leaderSide.close();
    followerSide.close();
  }

  @Test
  void anEntryLargerThanAnyBatchReachesThePeerWhole() {
    // Above --max-request-bytes' recommended 10 MiB, and above the 64 MiB peers once refused.
    ByteString data = ByteString.copyFrom(new byte[80 << 20]);
    Message append =
        Message.newBuilder()
            .setType(MessageType.MSG_APP)
            .setFrom(1)
            .setTo(2)
            .addEntries(Entry.newBuilder().setIndex(7).setTerm(2).setData(data))
            .build();

    leaderSide.send(List.of(append));

    await().atMost(Duration.ofSeconds(30)).until(() -> !follower.received.isEmpty());
    assertThat(follower.received).hasSize(1);
    assertThat(follower.received.get(0).getEntries(0).getData().size()).isEqualTo(data.size());
    assertThat(leaderSide.activeFor(2)).isPresent();
  }
}
