package io.ketch.auth;

/**
 * Who a request runs as, and the auth revision its credentials were checked at (etcd's AuthInfo). A
 * request checked at an older revision than the store's is refused with AUTH_OLD_REVISION when it
 * is applied, since the user's rights may have changed meanwhile.
 */
public record AuthInfo(String user, long revision) {}
