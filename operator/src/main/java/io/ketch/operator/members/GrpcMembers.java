package io.ketch.operator.members;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.ClusterGrpc;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcd.jetcd.api.MemberAddRequest;
import io.etcd.jetcd.api.MemberListRequest;
import io.etcd.jetcd.api.MemberPromoteRequest;
import io.etcd.jetcd.api.MemberRemoveRequest;
import io.etcd.jetcd.api.MoveLeaderRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.StatusRequest;
import io.etcd.jetcd.api.StatusResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * {@link Members} over etcd's v3 gRPC API (the stubs jetcd ships, without jetcd's client: it brings
 * Vert.x 5, and the operator needs none of its retry or watch machinery). One channel per member,
 * cached and closed with the factory; a cluster call goes to the members in order until one
 * answers, a per-member call to that member.
 */
public final class GrpcMembers implements MembersFactory, AutoCloseable {
  private static final ByteString HEALTH_KEY = ByteString.copyFromUtf8("health");

  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final Duration timeout;
  private final UnaryOperator<String> resolve;

  /**
   * @param resolve maps a member's advertised client URL to the URL the operator dials (identity in
   *     a cluster; a test harness running members on loopback maps DNS names to ports)
   */
  public GrpcMembers(Duration timeout, UnaryOperator<String> resolve) {
    this.timeout = timeout;
    this.resolve = resolve;
  }

  @Override
  public Members forEndpoints(List<String> clientUrls) {
    return new ClusterMembers(List.copyOf(clientUrls));
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    channels.clear();
  }

  private ManagedChannel channel(String clientUrl) {
    URI uri = URI.create(resolve.apply(clientUrl));
    return channels.computeIfAbsent(
        uri.getHost() + ":" + uri.getPort(),
        target ->
            NettyChannelBuilder.forAddress(uri.getHost(), uri.getPort()).usePlaintext().build());
  }

  private <T> T call(String clientUrl, String what, Function<ManagedChannel, T> rpc) {
    try {
      return rpc.apply(channel(clientUrl));
    } catch (StatusRuntimeException e) {
      throw new MembersException(
          what + " at " + clientUrl + ": " + e.getStatus().getDescription(), e);
    }
  }

  private final class ClusterMembers implements Members {
    private final List<String> clientUrls;

    ClusterMembers(List<String> clientUrls) {
      this.clientUrls = clientUrls;
    }

    private ClusterGrpc.ClusterBlockingStub cluster(ManagedChannel channel) {
      return ClusterGrpc.newBlockingStub(channel)
          .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private MaintenanceGrpc.MaintenanceBlockingStub maintenance(ManagedChannel channel) {
      return MaintenanceGrpc.newBlockingStub(channel)
          .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * The first member that answers; an error etcd returns (not an unreachable member) ends the
     * search.
     */
    private <T> T anyMember(String what, Function<ManagedChannel, T> rpc) {
      MembersException last = new MembersException(what + ": no member to ask");
      for (String url : clientUrls) {
        try {
          return call(url, what, rpc);
        } catch (MembersException e) {
          last = e;
          var code = ((StatusRuntimeException) e.getCause()).getStatus().getCode();
          if (code != Status.Code.UNAVAILABLE && code != Status.Code.DEADLINE_EXCEEDED) {
            throw e;
          }
        }
      }
      throw last;
    }

    @Override
    public MemberList list() {
      var response =
          anyMember(
              "member list", c -> cluster(c).memberList(MemberListRequest.getDefaultInstance()));
      return new MemberList(
          response.getHeader().getClusterId(),
          response.getMembersList().stream().map(GrpcMembers::member).toList());
    }

    @Override
    public Member addLearner(String peerUrl) {
      var response =
          anyMember(
              "member add " + peerUrl,
              c ->
                  cluster(c)
                      .memberAdd(
                          MemberAddRequest.newBuilder()
                              .addPeerURLs(peerUrl)
                              .setIsLearner(true)
                              .build()));
      return member(response.getMember());
    }

    @Override
    public void promote(long memberId) {
      anyMember(
          "member promote " + Long.toHexString(memberId),
          c -> cluster(c).memberPromote(MemberPromoteRequest.newBuilder().setID(memberId).build()));
    }

    @Override
    public void remove(long memberId) {
      anyMember(
          "member remove " + Long.toHexString(memberId),
          c -> cluster(c).memberRemove(MemberRemoveRequest.newBuilder().setID(memberId).build()));
    }

    @Override
    public EndpointStatus status(String clientUrl) {
      StatusResponse status =
          call(clientUrl, "status", c -> maintenance(c).status(StatusRequest.getDefaultInstance()));
      // A learner refuses linearizable reads; it is healthy when its status has no errors.
      boolean healthy =
          status.getErrorsList().isEmpty() && (status.getIsLearner() || readThroughRaft(clientUrl));
      return new EndpointStatus(
          status.getHeader().getMemberId(),
          status.getLeader(),
          status.getVersion(),
          status.getRaftIndex(),
          status.getRaftAppliedIndex(),
          status.getIsLearner(),
          status.getErrorsList(),
          healthy);
    }

    /**
     * etcd's endpoint health: a linearizable read answered; "permission denied" also proves Raft
     * answered.
     */
    private boolean readThroughRaft(String clientUrl) {
      try {
        call(
            clientUrl,
            "health",
            c ->
                KVGrpc.newBlockingStub(c)
                    .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .range(RangeRequest.newBuilder().setKey(HEALTH_KEY).setKeysOnly(true).build()));
        return true;
      } catch (MembersException e) {
        return ((StatusRuntimeException) e.getCause()).getStatus().getCode()
            == Status.Code.PERMISSION_DENIED;
      }
    }

    @Override
    public void moveLeader(String leaderClientUrl, long transfereeId) {
      call(
          leaderClientUrl,
          "move leader to " + Long.toHexString(transfereeId),
          c ->
              maintenance(c)
                  .moveLeader(MoveLeaderRequest.newBuilder().setTargetID(transfereeId).build()));
    }
  }

  private static Member member(io.etcd.jetcd.api.Member m) {
    return new Member(
        m.getID(), m.getName(), m.getPeerURLsList(), m.getClientURLsList(), m.getIsLearner());
  }
}
