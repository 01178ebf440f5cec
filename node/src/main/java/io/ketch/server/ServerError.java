package io.ketch.server;

import io.ketch.transport.PeerCallException;
import java.util.concurrent.CompletionException;

/** The errors the member itself raises, with etcd's exact texts (api/v3rpc/rpctypes/error.go). */
public enum ServerError {
  NO_LEADER("etcdserver: no leader"),
  LEADER_CHANGED("etcdserver: leader changed"),
  STOPPED("etcdserver: server stopped"),
  TIMEOUT("etcdserver: request timed out"),
  TOO_MANY_REQUESTS("etcdserver: too many requests"),
  NO_SPACE("etcdserver: mvcc: database space exceeded"),
  KEY_NOT_FOUND("etcdserver: key not found"),
  LEASE_NOT_FOUND("etcdserver: requested lease not found"),
  BAD_LEADER_TRANSFEREE("etcdserver: bad leader transferee"),
  REQUEST_TOO_LARGE("etcdserver: request is too large"),
  NOT_LEADER("etcdserver: not leader"),
  UNHEALTHY("etcdserver: unhealthy cluster"),
  MEMBER_EXIST("etcdserver: member ID already exist"),
  PEER_URL_EXIST("etcdserver: Peer URLs already exists"),
  MEMBER_NOT_ENOUGH_STARTED(
      "etcdserver: re-configuration failed due to not enough started members"),
  MEMBER_BAD_URLS("etcdserver: given member URLs are invalid"),
  MEMBER_NOT_FOUND("etcdserver: member not found"),
  MEMBER_NOT_LEARNER("etcdserver: can only promote a learner member"),
  LEARNER_NOT_READY("etcdserver: can only promote a learner member which is in sync with leader"),
  TOO_MANY_LEARNERS("etcdserver: too many learner members in cluster"),
  NOT_SUPPORTED_FOR_LEARNER("etcdserver: rpc not supported for learner"),
  /** etcd's rafthttp wording: the answer of a removed member until it stops. */
  MEMBER_REMOVED("etcdserver: the member has been permanently removed from the cluster");

  private final String message;

  ServerError(String message) {
    this.message = message;
  }

  public String message() {
    return message;
  }

  public ServerException exception() {
    return new ServerException(this);
  }

  /**
   * A peer's answer as the member's own error (a leader's words carry over), else LeaderChanged.
   */
  static RuntimeException fromPeer(Throwable failure) {
    Throwable t = failure;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof PeerCallException call) {
      for (ServerError error : values()) {
        if (error.message().equals(call.description())) {
          return error.exception();
        }
      }
    }
    return LEADER_CHANGED.exception();
  }
}
