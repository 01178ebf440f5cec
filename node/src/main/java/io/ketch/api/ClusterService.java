package io.ketch.api;

import io.grpc.stub.StreamObserver;
import io.ketch.pb.etcdserver.ClusterGrpc;
import io.ketch.pb.etcdserver.MemberListRequest;
import io.ketch.pb.etcdserver.MemberListResponse;
import io.ketch.server.EtcdServer;

/**
 * etcd's Cluster service. Membership changes (add, remove, update, promote) come with the peer
 * transport; until then they answer UNIMPLEMENTED, the status gRPC gives for a method a server does
 * not offer.
 */
final class ClusterService extends ClusterGrpc.ClusterImplBase {
  private final EtcdServer server;

  ClusterService(EtcdServer server) {
    this.server = server;
  }

  @Override
  public void memberList(MemberListRequest request, StreamObserver<MemberListResponse> response) {
    Replies.now(response, server::memberList);
  }
}
