package io.ketch.server;

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
  REQUEST_TOO_LARGE("etcdserver: request is too large");

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
}
