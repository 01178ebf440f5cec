package io.ketch.cluster;

import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Client;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.ketch.api.ClientApi;
import io.ketch.pb.etcdserver.ClusterGrpc;
import io.ketch.pb.etcdserver.KVGrpc;
import io.ketch.pb.etcdserver.MaintenanceGrpc;
import io.ketch.server.EtcdServer;
import io.ketch.server.Versions;
import io.ketch.server.config.ServerConfigParser;
import io.ketch.server.metrics.Metrics;
import io.ketch.testing.Ports;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * N members in this JVM on free ports, each with its own data dir under {@code dir}: started
 * together as a new cluster, stoppable and restartable one by one, and able to take a new member
 * that joins after MemberAdd.
 */
final class TestCluster implements AutoCloseable {
  static final String TOKEN = "test-cluster";

  private final Path dir;
  private final List<String> extraFlags;
  private final List<Member> members = new ArrayList<>();

  private TestCluster(Path dir, List<String> extraFlags) {
    this.dir = dir;
    this.extraFlags = extraFlags;
  }

  /** Starts {@code n} members of a new cluster and waits until every one is ready. */
  static TestCluster start(Path dir, int n, String... extraFlags) throws Exception {
    TestCluster cluster = new TestCluster(dir, List.of(extraFlags));
    for (int i = 0; i < n; i++) {
      cluster.members.add(new Member(cluster, "m" + i, Ports.free(), Ports.free()));
    }
    String initial = cluster.initialCluster(cluster.members);
    for (Member m : cluster.members) {
      m.flags = m.flags(initial, "new");
      m.start();
    }
    for (Member m : cluster.members) {
      m.awaitReady();
    }
    return cluster;
  }

  /**
   * A new member that joins with --initial-cluster-state existing (after MemberAdd with {@link
   * Member#peerUrl}); not started.
   */
  Member newJoiner(String name) throws IOException {
    Member joiner = new Member(this, name, Ports.free(), Ports.free());
    List<Member> all = new ArrayList<>(running());
    all.add(joiner);
    joiner.flags = joiner.flags(initialCluster(all), "existing");
    members.add(joiner);
    return joiner;
  }

  Member member(int i) {
    return members.get(i);
  }

  List<Member> members() {
    return List.copyOf(members);
  }

  List<Member> running() {
    return members.stream().filter(Member::running).toList();
  }

  /** The member every running member agrees leads, once they do. */
  Member awaitLeader() {
    return await()
        .atMost(Duration.ofSeconds(15))
        .until(this::agreedLeader, Optional::isPresent)
        .orElseThrow();
  }

  private Optional<Member> agreedLeader() {
    List<Member> up = running();
    long leader = up.get(0).server().status().getLeader();
    if (leader == 0 || up.stream().anyMatch(m -> m.server().status().getLeader() != leader)) {
      return Optional.empty();
    }
    return up.stream().filter(m -> m.server().memberId() == leader).findFirst();
  }

  List<Member> followers() {
    Member leader = awaitLeader();
    return running().stream().filter(m -> m != leader).toList();
  }

  private String initialCluster(List<Member> of) {
    return of.stream().map(m -> m.name + "=" + m.peerUrl()).collect(Collectors.joining(","));
  }

  @Override
  public void close() {
    for (Member m : members) {
      m.stop();
    }
  }

  static final class Member {
    private final TestCluster cluster;
    final String name;
    private final int peerPort;
    private final int clientPort;
    private List<String> flags;
    private EtcdServer server;
    private ClientApi api;
    private Client client;
    private ManagedChannel channel;

    private Member(TestCluster cluster, String name, int peerPort, int clientPort) {
      this.cluster = cluster;
      this.name = name;
      this.peerPort = peerPort;
      this.clientPort = clientPort;
    }

    private List<String> flags(String initialCluster, String state) {
      List<String> args = new ArrayList<>();
      args.add("--name=" + name);
      args.add("--data-dir=" + cluster.dir.resolve(name));
      args.add("--listen-client-urls=" + endpoint());
      args.add("--advertise-client-urls=" + endpoint());
      args.add("--listen-peer-urls=" + peerUrl());
      args.add("--initial-advertise-peer-urls=" + peerUrl());
      args.add("--initial-cluster=" + initialCluster);
      args.add("--initial-cluster-state=" + state);
      args.add("--initial-cluster-token=" + TOKEN);
      // etcd's defaults: shorter timeouts made leadership flap when the machine was loaded, and the
      // tests assume a leader that stays put unless they move it.
      args.add("--heartbeat-interval=100");
      args.add("--election-timeout=1000");
      args.addAll(cluster.extraFlags);
      return args;
    }

    String peerUrl() {
      return "http://127.0.0.1:" + peerPort;
    }

    String endpoint() {
      return "http://127.0.0.1:" + clientPort;
    }

    /** Starts (or restarts, from its data dir) the member; does not wait for it to be ready. */
    void start() throws Exception {
      var config = ServerConfigParser.parse(flags, Map.of()).config();
      Metrics metrics = new Metrics(Versions.SERVER);
      server = EtcdServer.start(config, metrics);
      api = ClientApi.start(server, metrics);
    }

    void awaitReady() throws Exception {
      server.ready().get(20, TimeUnit.SECONDS);
    }

    boolean running() {
      return server != null;
    }

    EtcdServer server() {
      return server;
    }

    long id() {
      return server.memberId();
    }

    /** A jetcd client of this member only (closed with the cluster). */
    Client client() {
      if (client == null) {
        client = Client.builder().endpoints(endpoint()).build();
      }
      return client;
    }

    /** Ketch's own stubs (jetcd 0.8.5 lacks learners), on a channel closed with the member. */
    ClusterGrpc.ClusterBlockingStub clusterApi() {
      return ClusterGrpc.newBlockingStub(channel()).withDeadlineAfter(15, TimeUnit.SECONDS);
    }

    MaintenanceGrpc.MaintenanceBlockingStub maintenance() {
      return MaintenanceGrpc.newBlockingStub(channel()).withDeadlineAfter(15, TimeUnit.SECONDS);
    }

    KVGrpc.KVBlockingStub kv() {
      return KVGrpc.newBlockingStub(channel()).withDeadlineAfter(15, TimeUnit.SECONDS);
    }

    ManagedChannel channel() {
      if (channel == null) {
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", clientPort).usePlaintext().build();
      }
      return channel;
    }

    void stop() {
      if (channel != null) {
        channel.shutdownNow();
        channel = null;
      }
      if (client != null) {
        client.close();
        client = null;
      }
      if (api != null) {
        api.close();
        api = null;
      }
      if (server != null) {
        try {
          server.close();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        server = null;
      }
    }
  }
}
