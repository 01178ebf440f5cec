package io.ketch.api;

import io.grpc.stub.StreamObserver;
import io.ketch.pb.etcdserver.ClusterGrpc;
import io.ketch.pb.etcdserver.MemberAddRequest;
import io.ketch.pb.etcdserver.MemberAddResponse;
import io.ketch.pb.etcdserver.MemberListRequest;
import io.ketch.pb.etcdserver.MemberListResponse;
import io.ketch.pb.etcdserver.MemberPromoteRequest;
import io.ketch.pb.etcdserver.MemberPromoteResponse;
import io.ketch.pb.etcdserver.MemberRemoveRequest;
import io.ketch.pb.etcdserver.MemberRemoveResponse;
import io.ketch.pb.etcdserver.MemberUpdateRequest;
import io.ketch.pb.etcdserver.MemberUpdateResponse;
import io.ketch.server.EtcdServer;

/** etcd's Cluster service: membership changes go through the log as raft conf changes. */
final class ClusterService extends ClusterGrpc.ClusterImplBase {
  private final EtcdServer server;

  ClusterService(EtcdServer server) {
    this.server = server;
  }

  @Override
  public void memberAdd(MemberAddRequest request, StreamObserver<MemberAddResponse> response) {
    Replies.unary(
        response, () -> server.memberAdd(request.getPeerURLsList(), request.getIsLearner()));
  }

  @Override
  public void memberRemove(
      MemberRemoveRequest request, StreamObserver<MemberRemoveResponse> response) {
    Replies.unary(response, () -> server.memberRemove(request.getID()));
  }

  @Override
  public void memberUpdate(
      MemberUpdateRequest request, StreamObserver<MemberUpdateResponse> response) {
    Replies.unary(response, () -> server.memberUpdate(request.getID(), request.getPeerURLsList()));
  }

  @Override
  public void memberPromote(
      MemberPromoteRequest request, StreamObserver<MemberPromoteResponse> response) {
    Replies.unary(response, () -> server.memberPromote(request.getID()));
  }

  @Override
  public void memberList(MemberListRequest request, StreamObserver<MemberListResponse> response) {
    Replies.unary(response, () -> server.memberList(request.getLinearizable()));
  }
}
