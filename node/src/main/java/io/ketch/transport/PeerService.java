package io.ketch.transport;

import com.google.protobuf.ByteString;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.ketch.pb.etcdserver.LeaseKeepAliveRequest;
import io.ketch.pb.etcdserver.LeaseKeepAliveResponse;
import io.ketch.pb.etcdserver.LeaseLeasesRequest;
import io.ketch.pb.etcdserver.LeaseLeasesResponse;
import io.ketch.pb.etcdserver.LeaseTimeToLiveRequest;
import io.ketch.pb.etcdserver.LeaseTimeToLiveResponse;
import io.ketch.pb.etcdserver.MemberListRequest;
import io.ketch.pb.etcdserver.MemberListResponse;
import io.ketch.pb.etcdserver.MemberPromoteRequest;
import io.ketch.pb.etcdserver.MemberPromoteResponse;
import io.ketch.raft.pb.Message;
import io.ketch.transport.pb.MessageBatch;
import io.ketch.transport.pb.PeerGrpc;
import io.ketch.transport.pb.SnapshotChunk;
import io.ketch.transport.pb.SnapshotReceived;
import io.ketch.transport.pb.StreamClosed;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/** The callee's side of the peer calls: everything goes straight to the {@link PeerHandler}. */
final class PeerService extends PeerGrpc.PeerImplBase {
  private final PeerHandler handler;

  PeerService(PeerHandler handler) {
    this.handler = handler;
  }

  @Override
  public StreamObserver<MessageBatch> messages(StreamObserver<StreamClosed> response) {
    return new StreamObserver<>() {
      private boolean refused;

      @Override
      public void onNext(MessageBatch batch) {
        if (refused) {
          return;
        }
        // A stream opened before its sender was removed is cut at the next batch.
        if (batch.getMessagesCount() > 0 && handler.isRemoved(batch.getMessages(0).getFrom())) {
          refused = true;
          response.onError(PeerIdentity.memberRemoved().asException());
          return;
        }
        handler.receive(batch.getMessagesList());
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        if (!refused) {
          response.onNext(StreamClosed.getDefaultInstance());
          response.onCompleted();
        }
      }
    };
  }

  @Override
  public StreamObserver<SnapshotChunk> snapshot(StreamObserver<SnapshotReceived> response) {
    return new StreamObserver<>() {
      private Message header;
      private ByteString data = ByteString.EMPTY; // a rope: pieces are not copied

      @Override
      public void onNext(SnapshotChunk chunk) {
        if (chunk.hasMessage()) {
          header = chunk.getMessage();
        }
        data = data.concat(chunk.getData());
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        if (header == null) {
          response.onError(Status.INVALID_ARGUMENT.withDescription("empty snapshot").asException());
          return;
        }
        Message whole =
            header.toBuilder().setSnapshot(header.getSnapshot().toBuilder().setData(data)).build();
        handler.receive(List.of(whole));
        response.onNext(SnapshotReceived.getDefaultInstance());
        response.onCompleted();
      }
    };
  }

  @Override
  public void members(MemberListRequest request, StreamObserver<MemberListResponse> response) {
    answer(response, handler::members);
  }

  @Override
  public void memberPromote(
      MemberPromoteRequest request, StreamObserver<MemberPromoteResponse> response) {
    answer(response, () -> handler.memberPromote(request));
  }

  @Override
  public void leaseRenew(
      LeaseKeepAliveRequest request, StreamObserver<LeaseKeepAliveResponse> response) {
    answer(response, () -> handler.leaseRenew(request));
  }

  @Override
  public void leaseTimeToLive(
      LeaseTimeToLiveRequest request, StreamObserver<LeaseTimeToLiveResponse> response) {
    answer(response, () -> handler.leaseTimeToLive(request));
  }

  @Override
  public void leases(LeaseLeasesRequest request, StreamObserver<LeaseLeasesResponse> response) {
    answer(response, handler::leases);
  }

  private static <T> void answer(StreamObserver<T> response, Supplier<CompletableFuture<T>> call) {
    call.get()
        .whenComplete(
            (value, failure) -> {
              if (failure != null) {
                Status status = Status.fromThrowable(failure);
                response.onError(
                    (status.getCode() == Status.Code.UNKNOWN
                            ? Status.UNAVAILABLE.withDescription(rootMessage(failure))
                            : status)
                        .asException());
              } else {
                response.onNext(value);
                response.onCompleted();
              }
            });
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }

  /**
   * Refuses a caller of another cluster ("cluster ID mismatch") and one that was removed from this
   * cluster, as etcd's peer handlers do. A member joining does not know the cluster id yet: it may
   * ask for the members without one.
   */
  static ServerInterceptor admission(long clusterId, PeerHandler handler) {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(
          ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        long caller = PeerIdentity.parse(headers.get(PeerIdentity.CLUSTER_ID));
        long from = PeerIdentity.parse(headers.get(PeerIdentity.MEMBER_ID));
        boolean joining =
            caller == 0 && call.getMethodDescriptor().equals(PeerGrpc.getMembersMethod());
        Status refusal =
            !joining && caller != clusterId
                ? PeerIdentity.clusterIdMismatch()
                : handler.isRemoved(from) ? PeerIdentity.memberRemoved() : null;
        if (refusal != null) {
          call.close(refusal, new Metadata());
          return new ServerCall.Listener<>() {};
        }
        return next.startCall(call, headers);
      }
    };
  }
}
