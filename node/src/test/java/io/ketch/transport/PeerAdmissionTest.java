package io.ketch.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.ketch.pb.etcdserver.MemberListResponse;
import io.ketch.raft.pb.Message;
import io.ketch.raft.pb.MessageType;
import io.ketch.transport.pb.MessageBatch;
import io.ketch.transport.pb.PeerGrpc;
import io.ketch.transport.pb.StreamClosed;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Who may talk to a member's peer port: its own cluster's members, and a member joining. */
class PeerAdmissionTest {
  static final long CLUSTER = 0xc1;
  static final long REMOVED = 0x99;

  final RecordingPeerHandler handler = new RecordingPeerHandler(CLUSTER, Set.of(REMOVED));
  Transport transport;
  ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    transport =
        Transport.start(1, CLUSTER, List.of(new InetSocketAddress("127.0.0.1", 0)), handler);
  }

  @AfterEach
  void stop() {
    if (channel != null) {
      channel.shutdownNow();
    }
    transport.close();
  }

  private PeerGrpc.PeerStub stub(long clusterId, long memberId) {
    channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", transport.ports().get(0))
            .usePlaintext()
            .intercept(PeerIdentity.stamping(clusterId, memberId))
            .build();
    return PeerGrpc.newStub(channel);
  }

  private Status streamOneBatch(PeerGrpc.PeerStub stub, long from) throws Exception {
    CompletableFuture<Status> outcome = new CompletableFuture<>();
    StreamObserver<MessageBatch> out =
        stub.messages(
            new StreamObserver<StreamClosed>() {
              @Override
              public void onNext(StreamClosed value) {}

              @Override
              public void onError(Throwable t) {
                outcome.complete(Status.fromThrowable(t));
              }

              @Override
              public void onCompleted() {
                outcome.complete(Status.OK);
              }
            });
    out.onNext(
        MessageBatch.newBuilder()
            .addMessages(
                Message.newBuilder().setType(MessageType.MSG_HEARTBEAT).setFrom(from).setTo(1))
            .build());
    out.onCompleted();
    return outcome.get(5, TimeUnit.SECONDS);
  }

  @Test
  void aMemberOfTheClusterIsHeard() throws Exception {
    assertThat(streamOneBatch(stub(CLUSTER, 2), 2).isOk()).isTrue();
    assertThat(handler.received).hasSize(1);
  }

  @Test
  void aMemberOfAnotherClusterIsRefused() throws Exception {
    Status refused = streamOneBatch(stub(0xbad, 2), 2);
    assertThat(refused.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(refused.getDescription()).isEqualTo("cluster ID mismatch");
    assertThat(handler.received).isEmpty();
  }

  @Test
  void aRemovedMemberIsToldSo() throws Exception {
    Status refused = streamOneBatch(stub(CLUSTER, REMOVED), REMOVED);
    assertThat(refused.getDescription())
        .isEqualTo("the member has been permanently removed from the cluster");
    assertThat(handler.received).isEmpty();
  }

  @Test
  void aJoiningMemberMayAskForTheMembersOnly() throws Exception {
    MemberListResponse members =
        Transport.fetchMembers(List.of("http://127.0.0.1:" + transport.ports().get(0)), 5000);
    assertThat(members.getHeader().getClusterId()).isEqualTo(CLUSTER);
    Status refused = streamOneBatch(stub(0, 5), 5);
    assertThat(refused.getDescription()).isEqualTo("cluster ID mismatch");
  }

  @Test
  void aMessageToAnUnknownPeerIsReportedUnreachableOncePerSend() {
    Message heartbeat = Message.newBuilder().setType(MessageType.MSG_HEARTBEAT).setTo(42).build();
    transport.send(List.of(heartbeat, heartbeat.toBuilder().setCommit(1).build()));
    assertThat(handler.unreachable).containsExactly(42L);
  }
}
