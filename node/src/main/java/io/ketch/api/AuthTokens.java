package io.ketch.api;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.ketch.auth.AuthException;
import io.ketch.auth.AuthInfo;
import io.ketch.auth.AuthStore;
import io.ketch.pb.etcdserver.AuthGrpc;
import io.ketch.pb.etcdserver.MaintenanceGrpc;

/**
 * Resolves the token a call carries to the user it stands for (etcd's AuthInfoFromCtx) and makes it
 * the call's {@link #current() requester}; the member checks each request against it. While auth is
 * off, tokens are ignored. Maintenance is for root only (etcd's authMaintenanceServer), but for
 * Alarm (which etcd does not check either) and Status, which etcd 3.5 answers anyone (health
 * checkers and Kubernetes read the version with it; etcd 3.6 asks for root).
 */
final class AuthTokens implements ServerInterceptor {
  /** etcd's clients send the token under "token"; its HTTP gateway under "authorization". */
  private static final Metadata.Key<String> TOKEN =
      Metadata.Key.of("token", Metadata.ASCII_STRING_MARSHALLER);

  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final Context.Key<AuthInfo> REQUESTER = Context.key("ketch-requester");

  private final AuthStore auth;

  AuthTokens(AuthStore auth) {
    this.auth = auth;
  }

  /** Who makes the call being served on this thread; null if it carried no token. */
  static AuthInfo current() {
    return REQUESTER.get();
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    if (!auth.isEnabled() || method.equals(AuthGrpc.getAuthenticateMethod().getFullMethodName())) {
      // Authenticate never looks at a token: an expired one must not stop getting a new one.
      return next.startCall(call, headers);
    }
    AuthInfo who;
    try {
      who = resolve(headers);
      if (MaintenanceGrpc.SERVICE_NAME.equals(call.getMethodDescriptor().getServiceName())
          && !method.equals(MaintenanceGrpc.getAlarmMethod().getFullMethodName())
          && !method.equals(MaintenanceGrpc.getStatusMethod().getFullMethodName())) {
        auth.checkAdmin(who);
      }
    } catch (AuthException e) {
      call.close(EtcdStatus.of(e).getStatus(), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return Contexts.interceptCall(Context.current().withValue(REQUESTER, who), call, headers, next);
  }

  private AuthInfo resolve(Metadata headers) {
    String token = headers.get(TOKEN);
    if (token == null) {
      token = headers.get(AUTHORIZATION);
    }
    return token == null ? null : auth.authInfo(token);
  }
}
