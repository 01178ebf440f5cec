package io.ketch.transport;

import io.ketch.pb.etcdserver.LeaseKeepAliveRequest;
import io.ketch.pb.etcdserver.LeaseKeepAliveResponse;
import io.ketch.pb.etcdserver.LeaseLeasesResponse;
import io.ketch.pb.etcdserver.LeaseTimeToLiveRequest;
import io.ketch.pb.etcdserver.LeaseTimeToLiveResponse;
import io.ketch.pb.etcdserver.MemberListResponse;
import io.ketch.pb.etcdserver.MemberPromoteRequest;
import io.ketch.pb.etcdserver.MemberPromoteResponse;
import io.ketch.pb.etcdserver.ResponseHeader;
import io.ketch.raft.pb.Message;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** A member's side of the transport that records what arrives and answers only the member list. */
final class RecordingPeerHandler implements PeerHandler {
  final List<Message> received = new CopyOnWriteArrayList<>();
  final List<Long> unreachable = new CopyOnWriteArrayList<>();
  private final long clusterId;
  private final Set<Long> removed;

  RecordingPeerHandler(long clusterId, Set<Long> removed) {
    this.clusterId = clusterId;
    this.removed = removed;
  }

  @Override
  public void receive(List<Message> messages) {
    received.addAll(messages);
  }

  @Override
  public void reportUnreachable(long peer) {
    unreachable.add(peer);
  }

  @Override
  public void reportSnapshot(long peer, boolean failed) {}

  @Override
  public boolean isRemoved(long member) {
    return removed.contains(member);
  }

  @Override
  public void removedFromCluster() {}

  @Override
  public CompletableFuture<MemberListResponse> members() {
    return CompletableFuture.completedFuture(
        MemberListResponse.newBuilder()
            .setHeader(ResponseHeader.newBuilder().setClusterId(clusterId))
            .build());
  }

  @Override
  public CompletableFuture<MemberPromoteResponse> memberPromote(MemberPromoteRequest r) {
    return CompletableFuture.failedFuture(new UnsupportedOperationException());
  }

  @Override
  public CompletableFuture<LeaseKeepAliveResponse> leaseRenew(LeaseKeepAliveRequest r) {
    return CompletableFuture.failedFuture(new UnsupportedOperationException());
  }

  @Override
  public CompletableFuture<LeaseTimeToLiveResponse> leaseTimeToLive(LeaseTimeToLiveRequest r) {
    return CompletableFuture.failedFuture(new UnsupportedOperationException());
  }

  @Override
  public CompletableFuture<LeaseLeasesResponse> leases() {
    return CompletableFuture.failedFuture(new UnsupportedOperationException());
  }
}
