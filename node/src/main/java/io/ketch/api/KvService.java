package io.ketch.api;

import io.grpc.stub.StreamObserver;
import io.ketch.pb.etcdserver.CompactionRequest;
import io.ketch.pb.etcdserver.CompactionResponse;
import io.ketch.pb.etcdserver.DeleteRangeRequest;
import io.ketch.pb.etcdserver.DeleteRangeResponse;
import io.ketch.pb.etcdserver.KVGrpc;
import io.ketch.pb.etcdserver.PutRequest;
import io.ketch.pb.etcdserver.PutResponse;
import io.ketch.pb.etcdserver.RangeRequest;
import io.ketch.pb.etcdserver.RangeResponse;
import io.ketch.pb.etcdserver.TxnRequest;
import io.ketch.pb.etcdserver.TxnResponse;
import io.ketch.server.EtcdServer;

/**
 * etcd's KV service: check the request, hand it to the member, answer when its future completes.
 */
final class KvService extends KVGrpc.KVImplBase {
  private final EtcdServer server;
  private final RequestChecks checks;

  KvService(EtcdServer server, RequestChecks checks) {
    this.server = server;
    this.checks = checks;
  }

  @Override
  public void range(RangeRequest request, StreamObserver<RangeResponse> response) {
    Replies.unary(
        response,
        () -> {
          checks.range(request);
          return server.range(request);
        });
  }

  @Override
  public void put(PutRequest request, StreamObserver<PutResponse> response) {
    Replies.unary(
        response,
        () -> {
          checks.put(request);
          return server.put(request);
        });
  }

  @Override
  public void deleteRange(
      DeleteRangeRequest request, StreamObserver<DeleteRangeResponse> response) {
    Replies.unary(
        response,
        () -> {
          checks.deleteRange(request);
          return server.deleteRange(request);
        });
  }

  @Override
  public void txn(TxnRequest request, StreamObserver<TxnResponse> response) {
    Replies.unary(
        response,
        () -> {
          checks.txn(request);
          return server.txn(request);
        });
  }

  @Override
  public void compact(CompactionRequest request, StreamObserver<CompactionResponse> response) {
    Replies.unary(response, () -> server.compact(request));
  }
}
