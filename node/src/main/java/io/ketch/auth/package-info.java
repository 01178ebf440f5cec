/**
 * Users, roles, permissions and tokens, after etcd's server/auth. State changes are applied from
 * the log on the member's apply thread; checks and reads come from gRPC threads. See {@link
 * io.ketch.auth.AuthStore}.
 */
package io.ketch.auth;
