package io.ketch.api;

import com.google.protobuf.ByteString;
import io.ketch.pb.etcdserver.Compare;
import io.ketch.pb.etcdserver.DeleteRangeRequest;
import io.ketch.pb.etcdserver.PutRequest;
import io.ketch.pb.etcdserver.RangeRequest;
import io.ketch.pb.etcdserver.RequestOp;
import io.ketch.pb.etcdserver.TxnRequest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The checks etcd makes on a KV request before it reaches the log (api/v3rpc/key.go): a request
 * that fails one never costs a proposal. Each check throws the gRPC status etcd answers with.
 */
final class RequestChecks {
  private final int maxTxnOps;

  RequestChecks(int maxTxnOps) {
    this.maxTxnOps = maxTxnOps;
  }

  void range(RangeRequest r) {
    if (r.getKey().isEmpty()) {
      throw EtcdStatus.EMPTY_KEY.asRuntimeException();
    }
    if (r.getSortOrderValue() < 0
        || r.getSortOrderValue() > 2
        || r.getSortTargetValue() < 0
        || r.getSortTargetValue() > 4) {
      throw EtcdStatus.INVALID_SORT_OPTION.asRuntimeException();
    }
  }

  void put(PutRequest r) {
    if (r.getKey().isEmpty()) {
      throw EtcdStatus.EMPTY_KEY.asRuntimeException();
    }
    if (r.getIgnoreValue() && !r.getValue().isEmpty()) {
      throw EtcdStatus.VALUE_PROVIDED.asRuntimeException();
    }
    if (r.getIgnoreLease() && r.getLease() != 0) {
      throw EtcdStatus.LEASE_PROVIDED.asRuntimeException();
    }
  }

  void deleteRange(DeleteRangeRequest r) {
    if (r.getKey().isEmpty()) {
      throw EtcdStatus.EMPTY_KEY.asRuntimeException();
    }
  }

  void txn(TxnRequest r) {
    int ops = Math.max(r.getCompareCount(), Math.max(r.getSuccessCount(), r.getFailureCount()));
    if (ops > maxTxnOps) {
      throw EtcdStatus.TOO_MANY_OPS.asRuntimeException();
    }
    for (Compare c : r.getCompareList()) {
      if (c.getKey().isEmpty()) {
        throw EtcdStatus.EMPTY_KEY.asRuntimeException();
      }
    }
    ops(r.getSuccessList());
    ops(r.getFailureList());
    checkNoDuplicates(r.getSuccessList());
    checkNoDuplicates(r.getFailureList());
  }

  private void ops(List<RequestOp> ops) {
    for (RequestOp op : ops) {
      switch (op.getRequestCase()) {
        case REQUEST_RANGE -> range(op.getRequestRange());
        case REQUEST_PUT -> put(op.getRequestPut());
        case REQUEST_DELETE_RANGE -> deleteRange(op.getRequestDeleteRange());
        case REQUEST_TXN -> txn(op.getRequestTxn());
        case REQUEST_NOT_SET -> throw EtcdStatus.KEY_NOT_FOUND.asRuntimeException();
      }
    }
  }

  /** The keys a branch puts and the ranges it deletes, nested txns included. */
  private record Writes(Set<ByteString> puts, List<ByteString[]> deletes) {}

  /**
   * etcd's DuplicateKey rule (checkIntervals in api/v3rpc/key.go): within one branch, a key may be
   * put at most once and may not be both put and deleted, whatever the order; overlapping deletes
   * are fine. A nested txn's two branches may put the same key (only one of them runs), but neither
   * may clash with the branch around it.
   */
  private static Writes checkNoDuplicates(List<RequestOp> ops) {
    List<ByteString[]> deletes = new ArrayList<>();
    for (RequestOp op : ops) {
      if (op.hasRequestDeleteRange()) {
        DeleteRangeRequest d = op.getRequestDeleteRange();
        deletes.add(new ByteString[] {d.getKey(), d.getRangeEnd()});
      }
    }
    Set<ByteString> puts = new HashSet<>();
    List<ByteString[]> nestedDeletes = new ArrayList<>();
    for (RequestOp op : ops) {
      if (op.hasRequestTxn()) {
        Writes then = checkNoDuplicates(op.getRequestTxn().getSuccessList());
        Writes otherwise = checkNoDuplicates(op.getRequestTxn().getFailureList());
        for (ByteString key : then.puts()) {
          addPut(key, puts, deletes, false);
        }
        for (ByteString key : otherwise.puts()) {
          addPut(key, puts, deletes, then.puts().contains(key));
        }
        nestedDeletes.addAll(then.deletes());
        nestedDeletes.addAll(otherwise.deletes());
      }
    }
    deletes.addAll(nestedDeletes);
    for (RequestOp op : ops) {
      if (op.hasRequestPut()) {
        addPut(op.getRequestPut().getKey(), puts, deletes, false);
      }
    }
    return new Writes(puts, deletes);
  }

  private static void addPut(
      ByteString key, Set<ByteString> puts, List<ByteString[]> deletes, boolean mayRepeat) {
    if ((!puts.add(key) && !mayRepeat) || deletes.stream().anyMatch(d -> covers(d, key))) {
      throw EtcdStatus.DUPLICATE_KEY.asRuntimeException();
    }
  }

  /**
   * Whether the range [key, end) (etcd's forms: empty end = one key, "\0" = to the end) holds
   * {@code k}.
   */
  private static boolean covers(ByteString[] range, ByteString k) {
    ByteString key = range[0];
    ByteString end = range[1];
    if (end.isEmpty()) {
      return key.equals(k);
    }
    boolean fromKey = end.size() == 1 && end.byteAt(0) == 0;
    return ByteString.unsignedLexicographicalComparator().compare(k, key) >= 0
        && (fromKey || ByteString.unsignedLexicographicalComparator().compare(k, end) < 0);
  }
}
