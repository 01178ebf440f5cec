package io.ketch.api;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.StatusRuntimeException;
import io.ketch.pb.etcdserver.Compare;
import io.ketch.pb.etcdserver.DeleteRangeRequest;
import io.ketch.pb.etcdserver.PutRequest;
import io.ketch.pb.etcdserver.RangeRequest;
import io.ketch.pb.etcdserver.RequestOp;
import io.ketch.pb.etcdserver.TxnRequest;
import org.junit.jupiter.api.Test;

class RequestChecksTest {
  private final RequestChecks checks = new RequestChecks(128);

  private static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  private static RequestOp put(String key) {
    return RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(b(key))).build();
  }

  private static RequestOp delete(String key, String end) {
    return RequestOp.newBuilder()
        .setRequestDeleteRange(DeleteRangeRequest.newBuilder().setKey(b(key)).setRangeEnd(b(end)))
        .build();
  }

  private static RequestOp nested(TxnRequest.Builder txn) {
    return RequestOp.newBuilder().setRequestTxn(txn).build();
  }

  private void assertRejected(Runnable check, String message) {
    assertThatThrownBy(check::run)
        .isInstanceOf(StatusRuntimeException.class)
        .hasMessageEndingWith(message);
  }

  @Test
  void emptyKeysAreRefusedEverywhere() {
    assertRejected(
        () -> checks.range(RangeRequest.getDefaultInstance()), "etcdserver: key is not provided");
    assertRejected(
        () -> checks.put(PutRequest.getDefaultInstance()), "etcdserver: key is not provided");
    assertRejected(
        () -> checks.txn(TxnRequest.newBuilder().addCompare(Compare.getDefaultInstance()).build()),
        "etcdserver: key is not provided");
  }

  @Test
  void ignoreFlagsRefuseWhatTheyIgnore() {
    assertRejected(
        () ->
            checks.put(
                PutRequest.newBuilder()
                    .setKey(b("k"))
                    .setValue(b("v"))
                    .setIgnoreValue(true)
                    .build()),
        "etcdserver: value is provided");
    assertRejected(
        () ->
            checks.put(
                PutRequest.newBuilder().setKey(b("k")).setLease(5).setIgnoreLease(true).build()),
        "etcdserver: lease is provided");
  }

  @Test
  void aTxnWithMoreOpsThanAllowedIsRefused() {
    TxnRequest.Builder txn = TxnRequest.newBuilder();
    for (int i = 0; i < 129; i++) {
      txn.addSuccess(put("k" + i));
    }
    assertRejected(() -> checks.txn(txn.build()), "etcdserver: too many operations in txn request");
  }

  @Test
  void anEmptyOpIsKeyNotFound() {
    assertRejected(
        () ->
            checks.txn(TxnRequest.newBuilder().addSuccess(RequestOp.getDefaultInstance()).build()),
        "etcdserver: key not found");
  }

  @Test
  void duplicateKeyRulesFollowEtcd() {
    String dup = "etcdserver: duplicate key given in txn request";
    assertRejected(
        () -> checks.txn(TxnRequest.newBuilder().addSuccess(put("a")).addSuccess(put("a")).build()),
        dup);
    assertRejected(
        () ->
            checks.txn(
                TxnRequest.newBuilder().addSuccess(put("b")).addSuccess(delete("a", "c")).build()),
        dup);
    assertRejected(
        () ->
            checks.txn(
                TxnRequest.newBuilder()
                    .addSuccess(put("a"))
                    .addSuccess(nested(TxnRequest.newBuilder().addFailure(put("a"))))
                    .build()),
        dup);
    // Overlapping deletes, the two branches of one txn, and then/else of a nested txn may repeat
    // keys.
    assertThatCode(
            () ->
                checks.txn(
                    TxnRequest.newBuilder()
                        .addSuccess(delete("a", "c"))
                        .addSuccess(delete("b", "d"))
                        .addSuccess(put("x"))
                        .addFailure(put("x"))
                        .addSuccess(
                            nested(
                                TxnRequest.newBuilder().addSuccess(put("y")).addFailure(put("y"))))
                        .build()))
        .doesNotThrowAnyException();
  }
}
