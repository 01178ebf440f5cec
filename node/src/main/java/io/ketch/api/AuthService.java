package io.ketch.api;

import io.grpc.stub.StreamObserver;
import io.ketch.pb.etcdserver.AuthDisableRequest;
import io.ketch.pb.etcdserver.AuthDisableResponse;
import io.ketch.pb.etcdserver.AuthEnableRequest;
import io.ketch.pb.etcdserver.AuthEnableResponse;
import io.ketch.pb.etcdserver.AuthGrpc;
import io.ketch.pb.etcdserver.AuthRoleAddRequest;
import io.ketch.pb.etcdserver.AuthRoleAddResponse;
import io.ketch.pb.etcdserver.AuthRoleDeleteRequest;
import io.ketch.pb.etcdserver.AuthRoleDeleteResponse;
import io.ketch.pb.etcdserver.AuthRoleGetRequest;
import io.ketch.pb.etcdserver.AuthRoleGetResponse;
import io.ketch.pb.etcdserver.AuthRoleGrantPermissionRequest;
import io.ketch.pb.etcdserver.AuthRoleGrantPermissionResponse;
import io.ketch.pb.etcdserver.AuthRoleListRequest;
import io.ketch.pb.etcdserver.AuthRoleListResponse;
import io.ketch.pb.etcdserver.AuthRoleRevokePermissionRequest;
import io.ketch.pb.etcdserver.AuthRoleRevokePermissionResponse;
import io.ketch.pb.etcdserver.AuthStatusRequest;
import io.ketch.pb.etcdserver.AuthStatusResponse;
import io.ketch.pb.etcdserver.AuthUserAddRequest;
import io.ketch.pb.etcdserver.AuthUserAddResponse;
import io.ketch.pb.etcdserver.AuthUserChangePasswordRequest;
import io.ketch.pb.etcdserver.AuthUserChangePasswordResponse;
import io.ketch.pb.etcdserver.AuthUserDeleteRequest;
import io.ketch.pb.etcdserver.AuthUserDeleteResponse;
import io.ketch.pb.etcdserver.AuthUserGetRequest;
import io.ketch.pb.etcdserver.AuthUserGetResponse;
import io.ketch.pb.etcdserver.AuthUserGrantRoleRequest;
import io.ketch.pb.etcdserver.AuthUserGrantRoleResponse;
import io.ketch.pb.etcdserver.AuthUserListRequest;
import io.ketch.pb.etcdserver.AuthUserListResponse;
import io.ketch.pb.etcdserver.AuthUserRevokeRoleRequest;
import io.ketch.pb.etcdserver.AuthUserRevokeRoleResponse;
import io.ketch.pb.etcdserver.AuthenticateRequest;
import io.ketch.pb.etcdserver.AuthenticateResponse;
import io.ketch.server.EtcdServer;

/** etcd's Auth service; who may do what is decided by the member (root for all but two). */
final class AuthService extends AuthGrpc.AuthImplBase {
  private final EtcdServer server;

  AuthService(EtcdServer server) {
    this.server = server;
  }

  @Override
  public void authEnable(AuthEnableRequest request, StreamObserver<AuthEnableResponse> response) {
    Replies.unary(response, () -> server.authEnable(request));
  }

  @Override
  public void authDisable(
      AuthDisableRequest request, StreamObserver<AuthDisableResponse> response) {
    Replies.unary(response, () -> server.authDisable(request));
  }

  @Override
  public void authStatus(AuthStatusRequest request, StreamObserver<AuthStatusResponse> response) {
    Replies.unary(response, server::authStatus);
  }

  @Override
  public void authenticate(
      AuthenticateRequest request, StreamObserver<AuthenticateResponse> response) {
    Replies.unary(response, () -> server.authenticate(request));
  }

  @Override
  public void userAdd(AuthUserAddRequest request, StreamObserver<AuthUserAddResponse> response) {
    Replies.unary(response, () -> server.userAdd(request));
  }

  @Override
  public void userGet(AuthUserGetRequest request, StreamObserver<AuthUserGetResponse> response) {
    Replies.unary(response, () -> server.userGet(request));
  }

  @Override
  public void userList(AuthUserListRequest request, StreamObserver<AuthUserListResponse> response) {
    Replies.unary(response, () -> server.userList(request));
  }

  @Override
  public void userDelete(
      AuthUserDeleteRequest request, StreamObserver<AuthUserDeleteResponse> response) {
    Replies.unary(response, () -> server.userDelete(request));
  }

  @Override
  public void userChangePassword(
      AuthUserChangePasswordRequest request,
      StreamObserver<AuthUserChangePasswordResponse> response) {
    Replies.unary(response, () -> server.userChangePassword(request));
  }

  @Override
  public void userGrantRole(
      AuthUserGrantRoleRequest request, StreamObserver<AuthUserGrantRoleResponse> response) {
    Replies.unary(response, () -> server.userGrantRole(request));
  }

  @Override
  public void userRevokeRole(
      AuthUserRevokeRoleRequest request, StreamObserver<AuthUserRevokeRoleResponse> response) {
    Replies.unary(response, () -> server.userRevokeRole(request));
  }

  @Override
  public void roleAdd(AuthRoleAddRequest request, StreamObserver<AuthRoleAddResponse> response) {
    Replies.unary(response, () -> server.roleAdd(request));
  }

  @Override
  public void roleGet(AuthRoleGetRequest request, StreamObserver<AuthRoleGetResponse> response) {
    Replies.unary(response, () -> server.roleGet(request));
  }

  @Override
  public void roleList(AuthRoleListRequest request, StreamObserver<AuthRoleListResponse> response) {
    Replies.unary(response, () -> server.roleList(request));
  }

  @Override
  public void roleDelete(
      AuthRoleDeleteRequest request, StreamObserver<AuthRoleDeleteResponse> response) {
    Replies.unary(response, () -> server.roleDelete(request));
  }

  @Override
  public void roleGrantPermission(
      AuthRoleGrantPermissionRequest request,
      StreamObserver<AuthRoleGrantPermissionResponse> response) {
    Replies.unary(response, () -> server.roleGrantPermission(request));
  }

  @Override
  public void roleRevokePermission(
      AuthRoleRevokePermissionRequest request,
      StreamObserver<AuthRoleRevokePermissionResponse> response) {
    Replies.unary(response, () -> server.roleRevokePermission(request));
  }
}
