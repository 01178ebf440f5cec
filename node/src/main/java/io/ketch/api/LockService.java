package io.ketch.api;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import io.ketch.pb.etcdserver.DeleteRangeRequest;
import io.ketch.pb.lock.LockGrpc;
import io.ketch.pb.lock.LockRequest;
import io.ketch.pb.lock.LockResponse;
import io.ketch.pb.lock.UnlockRequest;
import io.ketch.pb.lock.UnlockResponse;
import io.ketch.server.EtcdServer;

/**
 * etcd's v3lock service: Lock(name, lease) queues the key {@code name/hex(lease)} and answers once
 * every key created before it under {@code name/} is gone; Unlock deletes the key. The lock lives
 * as long as the lease.
 */
final class LockService extends LockGrpc.LockImplBase {
  private final EtcdServer server;
  private final Contention contention;

  LockService(EtcdServer server, Contention contention) {
    this.server = server;
    this.contention = contention;
  }

  @Override
  public void lock(LockRequest request, StreamObserver<LockResponse> response) {
    ByteString prefix = request.getName().concat(ByteString.copyFromUtf8("/"));
    ByteString key = Contention.contenderKey(prefix, request.getLease());
    Context caller = Context.current();
    Replies.unary(
        response,
        () ->
            contention
                .enter(caller, key, ByteString.EMPTY, request.getLease())
                .thenCompose(kv -> contention.awaitTurn(caller, prefix, kv.getCreateRevision()))
                .thenApply(
                    v ->
                        LockResponse.newBuilder()
                            .setHeader(server.currentHeader())
                            .setKey(key)
                            .build()));
  }

  @Override
  public void unlock(UnlockRequest request, StreamObserver<UnlockResponse> response) {
    Replies.unary(
        response,
        () ->
            server
                .deleteRange(DeleteRangeRequest.newBuilder().setKey(request.getKey()).build())
                .thenApply(d -> UnlockResponse.newBuilder().setHeader(d.getHeader()).build()));
  }
}
