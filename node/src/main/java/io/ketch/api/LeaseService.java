package io.ketch.api;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.ketch.pb.etcdserver.LeaseGrantRequest;
import io.ketch.pb.etcdserver.LeaseGrantResponse;
import io.ketch.pb.etcdserver.LeaseGrpc;
import io.ketch.pb.etcdserver.LeaseKeepAliveRequest;
import io.ketch.pb.etcdserver.LeaseKeepAliveResponse;
import io.ketch.pb.etcdserver.LeaseLeasesRequest;
import io.ketch.pb.etcdserver.LeaseLeasesResponse;
import io.ketch.pb.etcdserver.LeaseRevokeRequest;
import io.ketch.pb.etcdserver.LeaseRevokeResponse;
import io.ketch.pb.etcdserver.LeaseTimeToLiveRequest;
import io.ketch.pb.etcdserver.LeaseTimeToLiveResponse;
import io.ketch.server.EtcdServer;

/**
 * etcd's Lease service. Keep-alives renew on this member, answering TTL 0 for a lease that is gone.
 */
final class LeaseService extends LeaseGrpc.LeaseImplBase {
  private final EtcdServer server;

  LeaseService(EtcdServer server) {
    this.server = server;
  }

  @Override
  public void leaseGrant(LeaseGrantRequest request, StreamObserver<LeaseGrantResponse> response) {
    Replies.unary(response, () -> server.leaseGrant(request));
  }

  @Override
  public void leaseRevoke(
      LeaseRevokeRequest request, StreamObserver<LeaseRevokeResponse> response) {
    Replies.unary(response, () -> server.leaseRevoke(request));
  }

  @Override
  public void leaseTimeToLive(
      LeaseTimeToLiveRequest request, StreamObserver<LeaseTimeToLiveResponse> response) {
    Replies.unary(response, () -> server.leaseTimeToLive(request.getID(), request.getKeys()));
  }

  @Override
  public void leaseLeases(
      LeaseLeasesRequest request, StreamObserver<LeaseLeasesResponse> response) {
    Replies.unary(response, server::leases);
  }

  @Override
  public StreamObserver<LeaseKeepAliveRequest> leaseKeepAlive(
      StreamObserver<LeaseKeepAliveResponse> responses) {
    ServerCallStreamObserver<LeaseKeepAliveResponse> out =
        (ServerCallStreamObserver<LeaseKeepAliveResponse>) responses;
    return new StreamObserver<>() {
      private boolean failed; // guarded by out

      @Override
      public void onNext(LeaseKeepAliveRequest request) {
        // On a follower the renewal is the leader's: answered when it answers.
        server
            .leaseKeepAlive(request.getID())
            .whenComplete(
                (renewed, failure) -> {
                  synchronized (out) {
                    if (failed) {
                      return;
                    }
                    if (failure != null) {
                      failed = true;
                      out.onError(EtcdStatus.of(failure));
                    } else {
                      out.onNext(renewed);
                    }
                  }
                });
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        out.onCompleted();
      }
    };
  }
}
