package io.ketch.transport;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;

/**
 * Who calls: every peer call carries the caller's cluster id and member id (etcd's
 * X-Etcd-Cluster-ID and X-Server-From headers), and the callee refuses a caller of another cluster
 * or one that was removed, with etcd's words.
 */
final class PeerIdentity {
  static final Metadata.Key<String> CLUSTER_ID =
      Metadata.Key.of("ketch-cluster-id", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> MEMBER_ID =
      Metadata.Key.of("ketch-member-id", Metadata.ASCII_STRING_MARSHALLER);

  /** etcd rafthttp's errClusterIDMismatch. */
  static final String CLUSTER_ID_MISMATCH = "cluster ID mismatch";

  /** etcd's errMemberRemoved, answered to a removed member's calls. */
  static final String MEMBER_REMOVED = "the member has been permanently removed from the cluster";

  private PeerIdentity() {}

  static Status clusterIdMismatch() {
    return Status.FAILED_PRECONDITION.withDescription(CLUSTER_ID_MISMATCH);
  }

  static Status memberRemoved() {
    return Status.FAILED_PRECONDITION.withDescription(MEMBER_REMOVED);
  }

  static boolean isMemberRemoved(Status status) {
    return status.getCode() == Status.Code.FAILED_PRECONDITION
        && MEMBER_REMOVED.equals(status.getDescription());
  }

  static long parse(String hex) {
    return hex == null ? 0 : Long.parseUnsignedLong(hex, 16);
  }

  /** Stamps every call of a channel with this member's ids. */
  static ClientInterceptor stamping(long clusterId, long memberId) {
    String cluster = Long.toHexString(clusterId);
    String member = Long.toHexString(memberId);
    return new ClientInterceptor() {
      @Override
      public <Q, R> ClientCall<Q, R> interceptCall(
          MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<>(
            next.newCall(method, options)) {
          @Override
          public void start(Listener<R> listener, Metadata headers) {
            headers.put(CLUSTER_ID, cluster);
            headers.put(MEMBER_ID, member);
            super.start(listener, headers);
          }
        };
      }
    };
  }
}
