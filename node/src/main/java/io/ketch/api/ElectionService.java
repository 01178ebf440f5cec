package io.ketch.api;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.ketch.pb.election.CampaignRequest;
import io.ketch.pb.election.CampaignResponse;
import io.ketch.pb.election.ElectionGrpc;
import io.ketch.pb.election.LeaderKey;
import io.ketch.pb.election.LeaderRequest;
import io.ketch.pb.election.LeaderResponse;
import io.ketch.pb.election.ProclaimRequest;
import io.ketch.pb.election.ProclaimResponse;
import io.ketch.pb.election.ResignRequest;
import io.ketch.pb.election.ResignResponse;
import io.ketch.pb.etcdserver.Compare;
import io.ketch.pb.etcdserver.DeleteRangeRequest;
import io.ketch.pb.etcdserver.PutRequest;
import io.ketch.pb.etcdserver.RangeRequest;
import io.ketch.pb.etcdserver.RequestOp;
import io.ketch.pb.etcdserver.TxnRequest;
import io.ketch.pb.etcdserver.TxnResponse;
import io.ketch.pb.etcdserver.WatchCreateRequest;
import io.ketch.pb.mvcc.KeyValue;
import io.ketch.server.EtcdServer;
import java.util.concurrent.CompletableFuture;

/**
 * etcd's v3election service over {@link Contention}: the candidate whose key under {@code name/}
 * was created first leads; its key's value is the election's value. Errors are the texts of etcd's
 * concurrency package, which etcd passes through with code UNKNOWN.
 */
final class ElectionService extends ElectionGrpc.ElectionImplBase {
  static final Status NOT_LEADER = Status.UNKNOWN.withDescription("election: not leader");
  static final Status NO_LEADER = Status.UNKNOWN.withDescription("election: no leader");

  private final EtcdServer server;
  private final Contention contention;

  ElectionService(EtcdServer server, Contention contention) {
    this.server = server;
    this.contention = contention;
  }

  private static ByteString prefix(ByteString name) {
    return name.concat(ByteString.copyFromUtf8("/"));
  }

  @Override
  public void campaign(CampaignRequest request, StreamObserver<CampaignResponse> response) {
    ByteString prefix = prefix(request.getName());
    ByteString key = Contention.contenderKey(prefix, request.getLease());
    Context caller = Context.current();
    Replies.unary(
        response,
        () ->
            contention
                .enter(caller, key, request.getValue(), request.getLease())
                .thenCompose(
                    kv -> {
                      LeaderKey leader =
                          LeaderKey.newBuilder()
                              .setName(request.getName())
                              .setKey(key)
                              .setRev(kv.getCreateRevision())
                              .setLease(request.getLease())
                              .build();
                      CompletableFuture<?> value =
                          kv.getValue().equals(request.getValue())
                              ? CompletableFuture.completedFuture(null)
                              : Contention.as(caller, () -> proclaim(leader, request.getValue()));
                      return value
                          .thenCompose(
                              v -> contention.awaitTurn(caller, prefix, kv.getCreateRevision()))
                          .thenApply(
                              v ->
                                  CampaignResponse.newBuilder()
                                      .setHeader(server.currentHeader())
                                      .setLeader(leader)
                                      .build());
                    }));
  }

  @Override
  public void proclaim(ProclaimRequest request, StreamObserver<ProclaimResponse> response) {
    Replies.unary(
        response,
        () ->
            proclaim(request.getLeader(), request.getValue())
                .thenApply(t -> ProclaimResponse.newBuilder().setHeader(t.getHeader()).build()));
  }

  private CompletableFuture<TxnResponse> proclaim(LeaderKey leader, ByteString value) {
    return ifStillCandidate(
        leader,
        RequestOp.newBuilder()
            .setRequestPut(
                PutRequest.newBuilder()
                    .setKey(leader.getKey())
                    .setValue(value)
                    .setLease(leader.getLease()))
            .build());
  }

  @Override
  public void resign(ResignRequest request, StreamObserver<ResignResponse> response) {
    Replies.unary(
        response,
        () ->
            ifStillCandidate(
                    request.getLeader(),
                    RequestOp.newBuilder()
                        .setRequestDeleteRange(
                            DeleteRangeRequest.newBuilder().setKey(request.getLeader().getKey()))
                        .build())
                .thenApply(t -> ResignResponse.newBuilder().setHeader(t.getHeader()).build()));
  }

  private CompletableFuture<TxnResponse> ifStillCandidate(LeaderKey leader, RequestOp op) {
    TxnRequest txn =
        TxnRequest.newBuilder()
            .addCompare(
                Compare.newBuilder()
                    .setKey(leader.getKey())
                    .setTarget(Compare.CompareTarget.CREATE)
                    .setResult(Compare.CompareResult.EQUAL)
                    .setCreateRevision(leader.getRev()))
            .addSuccess(op)
            .build();
    return server
        .txn(txn)
        .thenApply(
            t -> {
              if (!t.getSucceeded()) {
                throw NOT_LEADER.asRuntimeException();
              }
              return t;
            });
  }

  @Override
  public void leader(LeaderRequest request, StreamObserver<LeaderResponse> response) {
    Replies.unary(
        response,
        () ->
            currentLeader(request.getName())
                .thenApply(
                    r -> {
                      if (!r.hasKv()) {
                        throw NO_LEADER.asRuntimeException();
                      }
                      return r;
                    }));
  }

  /** The leader's key, without kv when there is none. */
  private CompletableFuture<LeaderResponse> currentLeader(ByteString name) {
    ByteString prefix = prefix(name);
    return server
        .range(
            RangeRequest.newBuilder()
                .setKey(prefix)
                .setRangeEnd(Contention.prefixEnd(prefix))
                .setSortTarget(RangeRequest.SortTarget.CREATE)
                .setSortOrder(RangeRequest.SortOrder.ASCEND)
                .setLimit(1)
                .build())
        .thenApply(
            r -> {
              LeaderResponse.Builder out = LeaderResponse.newBuilder().setHeader(r.getHeader());
              if (r.getKvsCount() > 0) {
                out.setKv(r.getKvs(0));
              }
              return out.build();
            });
  }

  /** Streams the leader's key each time the leader or its value changes, until the client goes. */
  @Override
  public void observe(LeaderRequest request, StreamObserver<LeaderResponse> responses) {
    ServerCallStreamObserver<LeaderResponse> out =
        (ServerCallStreamObserver<LeaderResponse>) responses;
    CompletableFuture<Void> cancelled = new CompletableFuture<>();
    out.setOnCancelHandler(() -> cancelled.complete(null));
    ByteString prefix = prefix(request.getName());
    Observer observer = new Observer(out);
    Context caller = Context.current();
    currentLeader(request.getName())
        .thenAccept(
            first -> {
              observer.offer(first);
              contention.watch(
                  WatchCreateRequest.newBuilder()
                      .setKey(prefix)
                      .setRangeEnd(Contention.prefixEnd(prefix))
                      .setStartRevision(first.getHeader().getRevision() + 1)
                      .build(),
                  cancelled,
                  watched -> {
                    if (watched.getEventsCount() > 0) {
                      Contention.as(caller, () -> currentLeader(request.getName()))
                          .thenAccept(observer::offer);
                    }
                  });
            });
  }

  private static final class Observer {
    private final ServerCallStreamObserver<LeaderResponse> out;
    private KeyValue last;

    Observer(ServerCallStreamObserver<LeaderResponse> out) {
      this.out = out;
    }

    synchronized void offer(LeaderResponse response) {
      if (!response.hasKv() || response.getKv().equals(last) || out.isCancelled()) {
        return;
      }
      last = response.getKv();
      out.onNext(response);
    }
  }
}
