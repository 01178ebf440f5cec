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
import io.ketch.server.ServerError;

/**
 * etcd's Lease service. Keep-alives renew on this member, answering TTL 0 for a lease that is gone;
 * a keep-alive stream opened with hasleader=true ends with NoLeader when the member has long been
 * without a leader ({@link LeaderMonitor}), as etcd's LeaseKeepAlive does.
 */
final class LeaseService extends LeaseGrpc.LeaseImplBase {
  private final EtcdServer server;
  private final LeaderMonitor leaders;

  LeaseService(EtcdServer server, LeaderMonitor leaders) {
    this.server = server;
    this.leaders = leaders;
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
    KeepAliveStream stream = new KeepAliveStream(out);
    if (LeaderMonitor.leaderRequired()) {
      leaders.watch(stream);
    }
    return stream;
  }

  private final class KeepAliveStream
      implements StreamObserver<LeaseKeepAliveRequest>, LeaderMonitor.LeaderBound {
    private final ServerCallStreamObserver<LeaseKeepAliveResponse> out;
    private boolean failed; // guarded by out

    KeepAliveStream(ServerCallStreamObserver<LeaseKeepAliveResponse> out) {
      this.out = out;
    }

    @Override
    public void onNext(LeaseKeepAliveRequest request) {
      // On a follower the renewal is the leader's: answered when it answers.
      server.leaseKeepAlive(request.getID()).whenComplete(this::answer);
    }

    private void answer(LeaseKeepAliveResponse renewed, Throwable failure) {
      synchronized (out) {
        if (failed) {
          return;
        }
        if (failure != null) {
          fail(failure);
        } else {
          out.onNext(renewed);
        }
      }
    }

    private void fail(Throwable failure) {
      failed = true;
      leaders.forget(this);
      out.onError(EtcdStatus.of(failure));
    }

    @Override
    public void cancelForNoLeader() {
      synchronized (out) {
        if (!failed) {
          fail(ServerError.NO_LEADER.exception());
        }
      }
    }

    @Override
    public void onError(Throwable t) {
      leaders.forget(this);
    }

    @Override
    public void onCompleted() {
      leaders.forget(this);
      out.onCompleted();
    }
  }
}
