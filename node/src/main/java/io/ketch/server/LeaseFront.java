package io.ketch.server;

import com.google.protobuf.ByteString;
import io.ketch.auth.AuthInfo;
import io.ketch.lease.LeaseException;
import io.ketch.lease.TimeToLive;
import io.ketch.pb.etcdserver.LeaseKeepAliveRequest;
import io.ketch.pb.etcdserver.LeaseKeepAliveResponse;
import io.ketch.pb.etcdserver.LeaseLeasesResponse;
import io.ketch.pb.etcdserver.LeaseStatus;
import io.ketch.pb.etcdserver.LeaseTimeToLiveRequest;
import io.ketch.pb.etcdserver.LeaseTimeToLiveResponse;
import io.ketch.pb.etcdserver.ResponseHeader;
import io.ketch.transport.Transport;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The lease calls that need the lease's clock, which is on the leader (etcd forwards them the same
 * way): answered here if this member leads, else forwarded through the peer transport. The {@code
 * local*} methods are what the leader answers its peers.
 */
final class LeaseFront {
  private final MemberState state;
  private final Transport transport;
  private final long memberId;
  private final LongSupplier leader;
  private final Supplier<Optional<ServerError>> unavailable;
  private final Supplier<AuthInfo> requester;
  private final Supplier<ResponseHeader> header;

  LeaseFront(
      MemberState state,
      Transport transport,
      long memberId,
      LongSupplier leader,
      Supplier<Optional<ServerError>> unavailable,
      Supplier<AuthInfo> requester,
      Supplier<ResponseHeader> header) {
    this.state = state;
    this.transport = transport;
    this.memberId = memberId;
    this.leader = leader;
    this.unavailable = unavailable;
    this.requester = requester;
    this.header = header;
  }

  CompletableFuture<LeaseKeepAliveResponse> keepAlive(long id) {
    LeaseKeepAliveRequest request = LeaseKeepAliveRequest.newBuilder().setID(id).build();
    return onLeader(
        () -> localKeepAlive(request),
        lead -> transport.leaseRenew(lead, request),
        r -> r.toBuilder().setHeader(header.get()).build());
  }

  LeaseKeepAliveResponse localKeepAlive(LeaseKeepAliveRequest request) {
    return LeaseKeepAliveResponse.newBuilder()
        .setHeader(header.get())
        .setID(request.getID())
        .setTTL(renew(request.getID()))
        .build();
  }

  /** The new TTL in seconds, or 0 if there is no such lease (etcd answers TTL=0, not an error). */
  private long renew(long id) {
    try {
      return state.lessor().renew(id);
    } catch (LeaseException e) {
      if (e.kind() == LeaseException.Kind.NOT_FOUND) {
        return 0;
      }
      throw e;
    }
  }

  /**
   * With keys, the caller must be able to read every attached key (etcd's checkLeaseTimeToLive).
   */
  CompletableFuture<LeaseTimeToLiveResponse> timeToLive(long id, boolean keys) {
    AuthInfo who = requester.get();
    LeaseTimeToLiveRequest request =
        LeaseTimeToLiveRequest.newBuilder().setID(id).setKeys(keys).build();
    return onLeader(
            () -> localTimeToLive(id, keys),
            lead -> transport.leaseTimeToLive(lead, request),
            r -> r.toBuilder().setHeader(header.get()).build())
        .thenApply(
            r -> {
              for (ByteString key : r.getKeysList()) {
                state.auth().checkRange(who, key, ByteString.EMPTY);
              }
              return r;
            });
  }

  LeaseTimeToLiveResponse localTimeToLive(long id, boolean keys) {
    TimeToLive ttl = state.lessor().timeToLive(id, keys);
    return LeaseTimeToLiveResponse.newBuilder()
        .setHeader(header.get())
        .setID(id)
        .setTTL(ttl.remainingTtlSeconds())
        .setGrantedTTL(ttl.grantedTtlSeconds())
        .addAllKeys(ttl.keys())
        .build();
  }

  CompletableFuture<LeaseLeasesResponse> leases() {
    return onLeader(
        this::localLeases, transport::leases, r -> r.toBuilder().setHeader(header.get()).build());
  }

  LeaseLeasesResponse localLeases() {
    LeaseLeasesResponse.Builder response = LeaseLeasesResponse.newBuilder().setHeader(header.get());
    for (long id : state.lessor().leases()) {
      response.addLeases(LeaseStatus.newBuilder().setID(id));
    }
    return response.build();
  }

  private <T> CompletableFuture<T> onLeader(
      Supplier<T> local, LongFunction<CompletableFuture<T>> remote, Function<T, T> restamp) {
    Optional<ServerError> refused = unavailable.get();
    if (refused.isPresent()) {
      return CompletableFuture.failedFuture(refused.get().exception());
    }
    if (state.lessor().isPrimary()) {
      try {
        return CompletableFuture.completedFuture(local.get());
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
    long lead = leader.getAsLong();
    if (lead == 0 || lead == memberId) {
      return CompletableFuture.failedFuture(
          (lead == 0 ? ServerError.NO_LEADER : ServerError.LEADER_CHANGED).exception());
    }
    return remote
        .apply(lead)
        .thenApply(restamp)
        .exceptionallyCompose(f -> CompletableFuture.failedFuture(ServerError.fromPeer(f)));
  }
}
