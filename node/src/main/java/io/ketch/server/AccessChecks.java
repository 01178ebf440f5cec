package io.ketch.server;

import com.google.protobuf.ByteString;
import io.ketch.auth.AuthException;
import io.ketch.auth.AuthInfo;
import io.ketch.auth.AuthStore;
import io.ketch.lease.Lessor;
import io.ketch.pb.etcdserver.AuthUserGetRequest;
import io.ketch.pb.etcdserver.RequestOp;
import io.ketch.pb.etcdserver.TxnRequest;
import io.ketch.server.pb.InternalRequestOrBuilder;
import java.util.List;

/**
 * Who may make which request, as etcd's auth applier decides it. Run twice for a write: on the
 * request thread before proposing, and again when applying with the user and auth revision the
 * entry carries, so that rights revoked in between are honoured (AUTH_OLD_REVISION).
 */
final class AccessChecks {
  private final AuthStore auth;
  private final Lessor lessor;

  AccessChecks(AuthStore auth, Lessor lessor) {
    this.auth = auth;
    this.lessor = lessor;
  }

  /** Checks a request bound for the log; no-op while auth is off. */
  void check(AuthInfo who, InternalRequestOrBuilder request) {
    switch (request.getRequestCase()) {
      case PUT -> {
        var put = request.getPut();
        auth.checkPut(who, put.getKey());
        // A user who may not write every key of a lease could not revoke it, so may not attach.
        leasePuts(who, put.getLease());
        if (put.getPrevKv()) {
          auth.checkRange(who, put.getKey(), ByteString.EMPTY);
        }
      }
      case DELETE_RANGE -> {
        var delete = request.getDeleteRange();
        if (delete.getPrevKv()) {
          auth.checkRange(who, delete.getKey(), delete.getRangeEnd());
        }
        auth.checkDeleteRange(who, delete.getKey(), delete.getRangeEnd());
      }
      case TXN -> txn(who, request.getTxn());
      case LEASE_REVOKE -> leasePuts(who, request.getLeaseRevoke().getID());
      case AUTH_ENABLE,
          AUTH_DISABLE,
          AUTH_USER_ADD,
          AUTH_USER_DELETE,
          AUTH_USER_CHANGE_PASSWORD,
          AUTH_USER_GRANT_ROLE,
          AUTH_USER_REVOKE_ROLE,
          AUTH_ROLE_ADD,
          AUTH_ROLE_DELETE,
          AUTH_ROLE_GRANT_PERMISSION,
          AUTH_ROLE_REVOKE_PERMISSION,
          AUTH_USER_LIST,
          AUTH_ROLE_LIST ->
          auth.checkAdmin(who);
      case AUTH_USER_GET -> {
        // etcd: anyone may read their own user.
        if (who == null || !who.user().equals(request.getAuthUserGet().getName())) {
          auth.checkAdmin(who);
        }
      }
      case AUTH_ROLE_GET -> {
        // etcd: anyone may read a role they hold.
        if (!holds(who, request.getAuthRoleGet().getRole())) {
          auth.checkAdmin(who);
        }
      }
      default -> {}
    }
  }

  /** etcd's checkTxnReqsPermission: every compared key and every op of both branches. */
  void txn(AuthInfo who, TxnRequest txn) {
    for (var compare : txn.getCompareList()) {
      auth.checkRange(who, compare.getKey(), compare.getRangeEnd());
    }
    for (List<RequestOp> branch : List.of(txn.getSuccessList(), txn.getFailureList())) {
      for (RequestOp op : branch) {
        switch (op.getRequestCase()) {
          case REQUEST_RANGE ->
              auth.checkRange(
                  who, op.getRequestRange().getKey(), op.getRequestRange().getRangeEnd());
          case REQUEST_PUT -> auth.checkPut(who, op.getRequestPut().getKey());
          case REQUEST_DELETE_RANGE -> {
            var delete = op.getRequestDeleteRange();
            if (delete.getPrevKv()) {
              auth.checkRange(who, delete.getKey(), delete.getRangeEnd());
            }
            auth.checkDeleteRange(who, delete.getKey(), delete.getRangeEnd());
          }
          case REQUEST_TXN -> txn(who, op.getRequestTxn());
          case REQUEST_NOT_SET -> {}
        }
      }
    }
  }

  /** etcd's checkLeasePuts: root may always; others must be able to write every attached key. */
  private void leasePuts(AuthInfo who, long leaseId) {
    if (leaseId == Lessor.NO_LEASE || !lessor.contains(leaseId) || auth.isAdmin(who)) {
      return;
    }
    for (ByteString key : lessor.timeToLive(leaseId, true).keys()) {
      auth.checkPut(who, key);
    }
  }

  private boolean holds(AuthInfo who, String role) {
    if (who == null || !auth.isEnabled()) {
      return false;
    }
    try {
      return auth.userGet(AuthUserGetRequest.newBuilder().setName(who.user()).build())
          .getRolesList()
          .contains(role);
    } catch (AuthException e) {
      return false; // no such user
    }
  }
}
