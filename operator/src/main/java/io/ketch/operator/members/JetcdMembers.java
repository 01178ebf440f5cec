package io.ketch.operator.members;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.cluster.MemberAddResponse;
import io.etcd.jetcd.maintenance.StatusResponse;
import io.etcd.jetcd.options.GetOption;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;

/**
 * {@link Members} over jetcd. Clients are cached per endpoint list and closed with the factory; a
 * cluster call goes to a client over all members' URLs (jetcd fails over between them), a
 * per-member call to that member's own client.
 */
public final class JetcdMembers implements MembersFactory, AutoCloseable {
  private static final ByteSequence HEALTH_KEY =
      ByteSequence.from("health", StandardCharsets.UTF_8);

  private final Map<String, Client> clients = new ConcurrentHashMap<>();
  private final Duration timeout;
  private final UnaryOperator<String> resolve;

  /**
   * @param resolve maps a member's advertised client URL to the URL the operator dials (identity in
   *     a cluster; a test harness running members on loopback maps DNS names to ports)
   */
  public JetcdMembers(Duration timeout, UnaryOperator<String> resolve) {
    this.timeout = timeout;
    this.resolve = resolve;
  }

  @Override
  public Members forEndpoints(List<String> clientUrls) {
    return new ClusterMembers(clientUrls);
  }

  @Override
  public void close() {
    clients.values().forEach(Client::close);
    clients.clear();
  }

  private Client client(List<String> clientUrls) {
    List<String> dialed = clientUrls.stream().map(resolve).sorted().toList();
    return clients.computeIfAbsent(
        String.join(",", dialed),
        key ->
            Client.builder()
                .endpoints(dialed.toArray(String[]::new))
                .connectTimeout(timeout)
                .build());
  }

  private <T> T await(CompletableFuture<T> call, String what) {
    try {
      return call.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MembersException(what + ": interrupted", e);
    } catch (ExecutionException e) {
      throw new MembersException(what + ": " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      call.cancel(true);
      throw new MembersException(what + ": no answer within " + timeout, e);
    }
  }

  private final class ClusterMembers implements Members {
    private final List<String> clientUrls;

    ClusterMembers(List<String> clientUrls) {
      this.clientUrls = List.copyOf(clientUrls);
    }

    @Override
    public MemberList list() {
      var response = await(client(clientUrls).getClusterClient().listMember(), "member list");
      return new MemberList(
          response.getHeader().getClusterId(),
          response.getMembers().stream().map(JetcdMembers::member).toList());
    }

    @Override
    public Member addLearner(String peerUrl) {
      MemberAddResponse response =
          await(
              client(clientUrls).getClusterClient().addMember(List.of(URI.create(peerUrl)), true),
              "member add " + peerUrl);
      return member(response.getMember());
    }

    @Override
    public void promote(long memberId) {
      await(
          client(clientUrls).getClusterClient().promoteMember(memberId),
          "member promote " + Long.toHexString(memberId));
    }

    @Override
    public void remove(long memberId) {
      await(
          client(clientUrls).getClusterClient().removeMember(memberId),
          "member remove " + Long.toHexString(memberId));
    }

    @Override
    public EndpointStatus status(String clientUrl) {
      Client member = client(List.of(clientUrl));
      StatusResponse status =
          await(
              member.getMaintenanceClient().statusMember(resolve.apply(clientUrl)),
              "status " + clientUrl);
      // A learner refuses linearizable reads; it is healthy when its status has no errors.
      boolean healthy = status.getErrorList().isEmpty();
      if (!status.isLearner()) {
        healthy = readThroughRaft(member, clientUrl) && healthy;
      }
      return new EndpointStatus(
          status.getHeader().getMemberId(),
          status.getLeader(),
          status.getVersion(),
          status.getRaftIndex(),
          status.getRaftAppliedIndex(),
          status.isLearner(),
          status.getErrorList(),
          healthy);
    }

    private boolean readThroughRaft(Client member, String clientUrl) {
      try {
        await(
            member
                .getKVClient()
                .get(HEALTH_KEY, GetOption.builder().withSerializable(false).build()),
            "health " + clientUrl);
        return true;
      } catch (MembersException e) {
        // etcd's endpoint health counts "permission denied" as healthy: the member answered through
        // Raft.
        return e.getMessage().contains("permission denied");
      }
    }

    @Override
    public void moveLeader(String leaderClientUrl, long transfereeId) {
      await(
          client(List.of(leaderClientUrl)).getMaintenanceClient().moveLeader(transfereeId),
          "move leader to " + Long.toHexString(transfereeId));
    }
  }

  private static Member member(io.etcd.jetcd.cluster.Member m) {
    return new Member(
        m.getId(),
        m.getName(),
        m.getPeerURIs().stream().map(URI::toString).toList(),
        m.getClientURIs().stream().map(URI::toString).toList(),
        m.isLearner());
  }
}
