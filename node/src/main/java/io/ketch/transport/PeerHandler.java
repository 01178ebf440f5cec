package io.ketch.transport;

import io.ketch.pb.etcdserver.LeaseKeepAliveRequest;
import io.ketch.pb.etcdserver.LeaseKeepAliveResponse;
import io.ketch.pb.etcdserver.LeaseLeasesResponse;
import io.ketch.pb.etcdserver.LeaseTimeToLiveRequest;
import io.ketch.pb.etcdserver.LeaseTimeToLiveResponse;
import io.ketch.pb.etcdserver.MemberListResponse;
import io.ketch.pb.etcdserver.MemberPromoteRequest;
import io.ketch.pb.etcdserver.MemberPromoteResponse;
import io.ketch.raft.pb.Message;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the transport hands on: implemented by the member, which the transport knows nothing of
 * (etcd's rafthttp.Raft). Every method is called on a network thread and must not block.
 */
public interface PeerHandler {
  /**
   * Raft messages from a peer, in the order it sent them; may be dropped when the member is busy.
   */
  void receive(List<Message> messages);

  /** A peer could not be reached, or a message to it was dropped (raft then probes it). */
  void reportUnreachable(long peer);

  /** Whether a snapshot sent to {@code peer} arrived (raft's ReportSnapshot). */
  void reportSnapshot(long peer, boolean failed);

  /** Whether {@code member} was removed from the cluster: its calls are refused. */
  boolean isRemoved(long member);

  /** A peer refused this member because it was removed from the cluster. */
  void removedFromCluster();

  /** The members, with the cluster id in the header (asked by a member joining). */
  CompletableFuture<MemberListResponse> members();

  /** A follower hands a learner's promotion to the leader. */
  CompletableFuture<MemberPromoteResponse> memberPromote(MemberPromoteRequest request);

  CompletableFuture<LeaseKeepAliveResponse> leaseRenew(LeaseKeepAliveRequest request);

  CompletableFuture<LeaseTimeToLiveResponse> leaseTimeToLive(LeaseTimeToLiveRequest request);

  CompletableFuture<LeaseLeasesResponse> leases();
}
