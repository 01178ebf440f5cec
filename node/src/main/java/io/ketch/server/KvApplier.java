package io.ketch.server;

import com.google.protobuf.ByteString;
import io.ketch.lease.Lessor;
import io.ketch.mvcc.DeleteResult;
import io.ketch.mvcc.KvStore;
import io.ketch.mvcc.RangeResult;
import io.ketch.mvcc.TxnWrite;
import io.ketch.pb.etcdserver.Compare;
import io.ketch.pb.etcdserver.DeleteRangeRequest;
import io.ketch.pb.etcdserver.DeleteRangeResponse;
import io.ketch.pb.etcdserver.PutRequest;
import io.ketch.pb.etcdserver.PutResponse;
import io.ketch.pb.etcdserver.RangeRequest;
import io.ketch.pb.etcdserver.RangeResponse;
import io.ketch.pb.etcdserver.RequestOp;
import io.ketch.pb.etcdserver.ResponseHeader;
import io.ketch.pb.etcdserver.ResponseOp;
import io.ketch.pb.etcdserver.TxnRequest;
import io.ketch.pb.etcdserver.TxnResponse;
import io.ketch.pb.mvcc.KeyValue;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.LongFunction;

/**
 * Applies KV requests to the store as etcd's txn package does (server/etcdserver/txn): a put, a
 * delete and a txn each run as one write txn, so a whole txn gets one revision; leases follow their
 * keys. Read-only txns run against a read view without a write txn. Used by the apply thread for
 * writes and by readers for reads; responses carry headers from {@code headers} (revision: the
 * produced one for writes, the current for reads).
 */
final class KvApplier {
  private final KvStore store;
  private final Lessor lessor;
  private final LongFunction<ResponseHeader> headers;

  KvApplier(KvStore store, Lessor lessor, LongFunction<ResponseHeader> headers) {
    this.store = store;
    this.lessor = lessor;
    this.headers = headers;
  }

  /** A view the request's reads and compares run against: the write txn, or the store itself. */
  private interface View {
    RangeResult range(RangeRequest request);
  }

  RangeResponse range(RangeRequest request) {
    RangeResult result = store.range(request);
    return rangeResponse(result).setHeader(headers.apply(result.currentRevision())).build();
  }

  PutResponse put(PutRequest request) {
    try (TxnWrite txn = store.write()) {
      checkPut(request, txn::range);
      PutResponse.Builder response = put(txn, request);
      txn.end();
      return response.setHeader(headers.apply(revisionAfter(txn))).build();
    }
  }

  DeleteRangeResponse deleteRange(DeleteRangeRequest request) {
    try (TxnWrite txn = store.write()) {
      DeleteRangeResponse.Builder response = delete(txn, request);
      txn.end();
      return response.setHeader(headers.apply(revisionAfter(txn))).build();
    }
  }

  /** A txn with writes in it; runs as one write txn, so it gets one revision. */
  TxnResponse txn(TxnRequest request) {
    try (TxnWrite txn = store.write()) {
      View view = txn::range;
      List<Boolean> path = path(request, view);
      checkPuts(request, path.iterator(), view);
      TxnResponse.Builder response = execute(request, path.iterator(), view, txn);
      txn.end();
      return response.setHeader(headers.apply(revisionAfter(txn))).build();
    }
  }

  /** A txn without writes in either branch (nested included): no log entry, no write lock. */
  TxnResponse readOnlyTxn(TxnRequest request) {
    long revision = store.currentRevision();
    View view =
        r -> store.range(r.getRevision() > 0 ? r : r.toBuilder().setRevision(revision).build());
    return execute(request, path(request, view).iterator(), view, null)
        .setHeader(headers.apply(revision))
        .build();
  }

  /**
   * Deletes the keys of a revoked lease in one write txn; the lessor has already forgotten them.
   */
  long deleteKeys(List<ByteString> keys) {
    try (TxnWrite txn = store.write()) {
      for (ByteString key : keys) {
        txn.deleteRange(key, ByteString.EMPTY);
      }
      txn.end();
      return revisionAfter(txn);
    }
  }

  static boolean isReadOnly(TxnRequest request) {
    return isReadOnly(request.getSuccessList()) && isReadOnly(request.getFailureList());
  }

  private static boolean isReadOnly(List<RequestOp> ops) {
    for (RequestOp op : ops) {
      if (op.hasRequestPut()
          || op.hasRequestDeleteRange()
          || (op.hasRequestTxn() && !isReadOnly(op.getRequestTxn()))) {
        return false;
      }
    }
    return true;
  }

  private long revisionAfter(TxnWrite txn) {
    return txn.changed() ? txn.revision() : store.currentRevision();
  }

  /**
   * Which branch each txn takes, outer first then its nested txns depth-first, all decided against
   * the state before the txn writes anything (etcd's compareToPath): a nested compare does not see
   * its own txn's earlier writes.
   */
  private static List<Boolean> path(TxnRequest request, View view) {
    List<Boolean> path = new ArrayList<>();
    addPath(request, view, path);
    return path;
  }

  private static void addPath(TxnRequest request, View view, List<Boolean> path) {
    boolean succeeded = compares(request.getCompareList(), view);
    path.add(succeeded);
    for (RequestOp op : succeeded ? request.getSuccessList() : request.getFailureList()) {
      if (op.hasRequestTxn()) {
        addPath(op.getRequestTxn(), view, path);
      }
    }
  }

  private TxnResponse.Builder execute(
      TxnRequest request, Iterator<Boolean> path, View view, TxnWrite txn) {
    long before = store.currentRevision();
    boolean succeeded = path.next();
    TxnResponse.Builder response = TxnResponse.newBuilder().setSucceeded(succeeded);
    for (RequestOp op : succeeded ? request.getSuccessList() : request.getFailureList()) {
      ResponseOp.Builder out = ResponseOp.newBuilder();
      switch (op.getRequestCase()) {
        case REQUEST_RANGE -> {
          RangeResponse.Builder range = rangeResponse(view.range(op.getRequestRange()));
          out.setResponseRange(range.setHeader(revisionHeader(txn, before)));
        }
        case REQUEST_PUT -> {
          PutResponse.Builder put = put(txn, op.getRequestPut());
          out.setResponsePut(put.setHeader(revisionHeader(txn, before)));
        }
        case REQUEST_DELETE_RANGE -> {
          DeleteRangeResponse.Builder delete = delete(txn, op.getRequestDeleteRange());
          out.setResponseDeleteRange(delete.setHeader(revisionHeader(txn, before)));
        }
        case REQUEST_TXN -> {
          TxnResponse.Builder nested = execute(op.getRequestTxn(), path, view, txn);
          out.setResponseTxn(nested.setHeader(revisionHeader(txn, before)));
        }
        case REQUEST_NOT_SET -> throw ServerError.KEY_NOT_FOUND.exception();
      }
      response.addResponses(out);
    }
    return response;
  }

  /**
   * The header of a response inside a txn: only the revision, as of that op (etcd's): the old one
   * until the txn has written something, the txn's own after.
   */
  private static ResponseHeader revisionHeader(TxnWrite txn, long before) {
    long revision = txn != null && txn.changed() ? txn.revision() : before;
    return ResponseHeader.newBuilder().setRevision(revision).build();
  }

  /** etcd checks every put on the path before writing anything, so a failing txn writes nothing. */
  private void checkPuts(TxnRequest request, Iterator<Boolean> path, View view) {
    for (RequestOp op : path.next() ? request.getSuccessList() : request.getFailureList()) {
      if (op.hasRequestPut()) {
        checkPut(op.getRequestPut(), view);
      } else if (op.hasRequestTxn()) {
        checkPuts(op.getRequestTxn(), path, view);
      }
    }
  }

  private void checkPut(PutRequest request, View view) {
    if (request.getLease() != Lessor.NO_LEASE && !lessor.contains(request.getLease())) {
      throw ServerError.LEASE_NOT_FOUND.exception();
    }
    if ((request.getIgnoreValue() || request.getIgnoreLease())
        && latest(request.getKey(), view) == null) {
      throw ServerError.KEY_NOT_FOUND.exception();
    }
  }

  private PutResponse.Builder put(TxnWrite txn, PutRequest request) {
    ByteString value = request.getValue();
    long lease = request.getLease();
    if (request.getIgnoreValue() || request.getIgnoreLease()) {
      // Only these need the current value before the put (checkPut made sure it exists).
      KeyValue current = latest(request.getKey(), txn::range);
      value = request.getIgnoreValue() ? current.getValue() : value;
      lease = request.getIgnoreLease() ? current.getLease() : lease;
    }
    KeyValue prev = txn.put(request.getKey(), value, lease);
    long prevLease = prev == null ? Lessor.NO_LEASE : prev.getLease();
    if (prevLease != lease) {
      if (prevLease != Lessor.NO_LEASE) {
        lessor.detach(prevLease, request.getKey());
      }
      if (lease != Lessor.NO_LEASE) {
        lessor.attach(lease, request.getKey());
      }
    }
    PutResponse.Builder response = PutResponse.newBuilder();
    if (request.getPrevKv() && prev != null) {
      response.setPrevKv(prev);
    }
    return response;
  }

  private DeleteRangeResponse.Builder delete(TxnWrite txn, DeleteRangeRequest request) {
    DeleteResult result = txn.deleteRange(request.getKey(), request.getRangeEnd());
    for (KeyValue kv : result.prevKvs()) {
      if (kv.getLease() != Lessor.NO_LEASE) {
        lessor.detach(kv.getLease(), kv.getKey());
      }
    }
    DeleteRangeResponse.Builder response =
        DeleteRangeResponse.newBuilder().setDeleted(result.deleted());
    if (request.getPrevKv()) {
      response.addAllPrevKvs(result.prevKvs());
    }
    return response;
  }

  private static RangeResponse.Builder rangeResponse(RangeResult result) {
    return RangeResponse.newBuilder()
        .addAllKvs(result.kvs())
        .setCount(result.count())
        .setMore(result.more());
  }

  private static KeyValue latest(ByteString key, View view) {
    List<KeyValue> kvs = view.range(RangeRequest.newBuilder().setKey(key).build()).kvs();
    return kvs.isEmpty() ? null : kvs.get(0);
  }

  private static boolean compares(List<Compare> compares, View view) {
    for (Compare compare : compares) {
      if (!matches(compare, view)) {
        return false;
      }
    }
    return true;
  }

  /**
   * etcd's applyCompare: every key of the compare's range must match; a missing key compares as a
   * KeyValue of zeros (so mod_revision == 0 means absent), except that a VALUE compare on it is
   * always false.
   */
  private static boolean matches(Compare compare, View view) {
    List<KeyValue> kvs =
        view.range(
                RangeRequest.newBuilder()
                    .setKey(compare.getKey())
                    .setRangeEnd(compare.getRangeEnd())
                    .build())
            .kvs();
    if (kvs.isEmpty()) {
      return compare.getTarget() != Compare.CompareTarget.VALUE
          && matches(compare, KeyValue.getDefaultInstance());
    }
    for (KeyValue kv : kvs) {
      if (!matches(compare, kv)) {
        return false;
      }
    }
    return true;
  }

  private static boolean matches(Compare compare, KeyValue kv) {
    int order =
        switch (compare.getTarget()) {
          case VERSION -> Long.compare(kv.getVersion(), compare.getVersion());
          case CREATE -> Long.compare(kv.getCreateRevision(), compare.getCreateRevision());
          case MOD -> Long.compare(kv.getModRevision(), compare.getModRevision());
          case VALUE ->
              ByteString.unsignedLexicographicalComparator()
                  .compare(kv.getValue(), compare.getValue());
          case LEASE -> Long.compare(kv.getLease(), compare.getLease());
          case UNRECOGNIZED -> throw new IllegalArgumentException("unknown compare target");
        };
    return switch (compare.getResult()) {
      case EQUAL -> order == 0;
      case GREATER -> order > 0;
      case LESS -> order < 0;
      case NOT_EQUAL -> order != 0;
      case UNRECOGNIZED -> throw new IllegalArgumentException("unknown compare result");
    };
  }
}
