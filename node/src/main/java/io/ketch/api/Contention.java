package io.ketch.api;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.ketch.mvcc.WatchStream;
import io.ketch.pb.etcdserver.Compare;
import io.ketch.pb.etcdserver.PutRequest;
import io.ketch.pb.etcdserver.RangeRequest;
import io.ketch.pb.etcdserver.RangeResponse;
import io.ketch.pb.etcdserver.RequestOp;
import io.ketch.pb.etcdserver.TxnRequest;
import io.ketch.pb.etcdserver.WatchCreateRequest;
import io.ketch.pb.etcdserver.WatchResponse;
import io.ketch.pb.mvcc.KeyValue;
import io.ketch.server.EtcdServer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Queues of contenders under a key prefix, as etcd's concurrency package builds locks and elections
 * from plain keys: each contender owns the key {@code prefix + hex(lease)}; whoever's key was
 * created first holds the lock (or leads); the others wait for the deletion of the key created just
 * before theirs.
 */
final class Contention {
  private final EtcdServer server;
  private final Executor callbacks;

  Contention(EtcdServer server, Executor callbacks) {
    this.server = server;
    this.callbacks = callbacks;
  }

  static ByteString contenderKey(ByteString prefix, long lease) {
    return prefix.concat(ByteString.copyFromUtf8(Long.toHexString(lease)));
  }

  static ByteString prefixEnd(ByteString prefix) {
    byte[] end = prefix.toByteArray();
    for (int i = end.length - 1; i >= 0; i--) {
      if (end[i] != (byte) 0xff) {
        end[i]++;
        return ByteString.copyFrom(end, 0, i + 1);
      }
    }
    return ByteString.copyFrom(new byte[] {0});
  }

  /**
   * Makes a member call as the client of the gRPC call that {@code caller} was captured in: the
   * member reads who asks (auth) from the gRPC Context, which continuations on other threads do not
   * carry.
   */
  static <T> CompletableFuture<T> as(Context caller, Supplier<CompletableFuture<T>> call) {
    Context previous = caller.attach();
    try {
      return call.get();
    } finally {
      caller.detach(previous);
    }
  }

  /** Creates the contender's key (unless this lease already contends) and returns it as stored. */
  CompletableFuture<KeyValue> enter(Context caller, ByteString key, ByteString value, long lease) {
    TxnRequest txn =
        TxnRequest.newBuilder()
            .addCompare(
                Compare.newBuilder()
                    .setKey(key)
                    .setTarget(Compare.CompareTarget.CREATE)
                    .setResult(Compare.CompareResult.EQUAL)
                    .setCreateRevision(0))
            .addSuccess(
                RequestOp.newBuilder()
                    .setRequestPut(
                        PutRequest.newBuilder().setKey(key).setValue(value).setLease(lease)))
            .addFailure(
                RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(key)))
            .build();
    return as(caller, () -> server.txn(txn))
        .thenApply(
            response -> {
              if (response.getSucceeded()) {
                long revision = response.getHeader().getRevision();
                return KeyValue.newBuilder()
                    .setKey(key)
                    .setValue(value)
                    .setLease(lease)
                    .setCreateRevision(revision)
                    .setModRevision(revision)
                    .setVersion(1)
                    .build();
              }
              return response.getResponses(0).getResponseRange().getKvs(0);
            });
  }

  /** Completes once no key under {@code prefix} created before {@code createRevision} is left. */
  CompletableFuture<Void> awaitTurn(Context caller, ByteString prefix, long createRevision) {
    CompletableFuture<Void> turn = new CompletableFuture<>();
    checkTurn(caller, prefix, createRevision, turn);
    return turn;
  }

  private void checkTurn(
      Context caller, ByteString prefix, long createRevision, CompletableFuture<Void> turn) {
    RangeRequest lastBefore =
        RangeRequest.newBuilder()
            .setKey(prefix)
            .setRangeEnd(prefixEnd(prefix))
            .setSortTarget(RangeRequest.SortTarget.CREATE)
            .setSortOrder(RangeRequest.SortOrder.DESCEND)
            .setMaxCreateRevision(createRevision - 1)
            .setLimit(1)
            .build();
    as(caller, () -> server.range(lastBefore))
        .whenComplete(
            (response, failure) -> {
              if (failure != null) {
                turn.completeExceptionally(failure);
              } else if (response.getKvsCount() == 0) {
                turn.complete(null);
              } else {
                awaitDeletion(response)
                    .whenComplete(
                        (v, f) -> {
                          if (f != null) {
                            turn.completeExceptionally(f);
                          } else {
                            checkTurn(caller, prefix, createRevision, turn);
                          }
                        });
              }
            });
  }

  private CompletableFuture<Void> awaitDeletion(RangeResponse lastBefore) {
    CompletableFuture<Void> deleted = new CompletableFuture<>();
    watch(
        WatchCreateRequest.newBuilder()
            .setKey(lastBefore.getKvs(0).getKey())
            .setStartRevision(lastBefore.getHeader().getRevision() + 1)
            .addFilters(WatchCreateRequest.FilterType.NOPUT)
            .build(),
        deleted,
        response -> {
          if (response.getEventsCount() > 0 || response.getCanceled()) {
            deleted.complete(null);
          }
        });
    return deleted;
  }

  /**
   * Watches until {@code until} completes, handing each response to {@code onResponse} on the
   * callback executor, one at a time and in order.
   */
  void watch(
      WatchCreateRequest request, CompletableFuture<?> until, Consumer<WatchResponse> onResponse) {
    WatchStream stream = server.watchable().newWatchStream();
    Runnable drain =
        () -> {
          synchronized (stream) {
            for (WatchResponse r = stream.poll(); r != null && !until.isDone(); r = stream.poll()) {
              onResponse.accept(r);
            }
          }
        };
    stream.setReadyListener(() -> callbacks.execute(drain));
    until.whenComplete((v, f) -> stream.close());
    stream.watch(request);
  }
}
