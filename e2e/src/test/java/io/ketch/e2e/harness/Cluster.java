package io.ketch.e2e.harness;

import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.api.HashKVRequest;
import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcd.jetcd.api.StatusRequest;
import io.etcd.jetcd.api.StatusResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A cluster of member processes of one target on loopback, each behind a {@link PeerProxy} so
 * {@link #links()} can partition it. Members are started as a one-member cluster is (one way to
 * start members, whatever the size); membership changes go through etcdctl, as an operator's would.
 */
public final class Cluster implements AutoCloseable {

  private static final Pattern ADDED = Pattern.compile("Member ([0-9a-f]+) added");
  private static final Pattern INITIAL_CLUSTER = Pattern.compile("ETCD_INITIAL_CLUSTER=\"(.*)\"");
  private static final AtomicInteger tokens = new AtomicInteger();

  private final Target target;
  private final List<String> flags;
  private final List<Member> members = new CopyOnWriteArrayList<>();
  private final List<Member> everyMember = new CopyOnWriteArrayList<>();
  private final List<PeerProxy> proxies = new CopyOnWriteArrayList<>();
  private final Map<Member, PeerProxy> proxyOf = new ConcurrentHashMap<>();
  private final Map<Member, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final LinkFaults links = new LinkFaults(proxies);

  private Cluster(Target target, List<String> flags) {
    this.target = target;
    this.flags = List.copyOf(flags);
  }

  /**
   * Starts {@code size} members of {@code target} as a new cluster, with etcd's {@code flags} added
   * to each (e.g. "--snapshot-count=100"), and waits until every member serves.
   */
  public static Cluster start(Target target, int size, List<String> flags) {
    target.requireTools();
    Cluster cluster = new Cluster(target, flags);
    try {
      List<MemberProcess> created = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        created.add(cluster.create());
      }
      String initialCluster =
          created.stream().map(m -> m.name() + "=" + m.peerUrl()).collect(Collectors.joining(","));
      String token = "ketch-e2e-" + ProcessHandle.current().pid() + "-" + tokens.incrementAndGet();
      for (MemberProcess m : created) {
        m.bootstrap(
            List.of(
                "--initial-cluster=" + initialCluster,
                "--initial-cluster-state=new",
                "--initial-cluster-token=" + token));
        m.launch();
      }
      created.forEach(MemberProcess::awaitServing);
      cluster.members.addAll(created);
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  public Target target() {
    return target;
  }

  /** The current members, in the order they joined. */
  public List<Member> members() {
    return List.copyOf(members);
  }

  public Member member(int index) {
    return members.get(index);
  }

  public LinkFaults links() {
    return links;
  }

  /** What a member's Status RPC says of itself. */
  public record Status(long memberId, long leader, long raftTerm, long raftIndex, long revision) {}

  /** The member's Status, or empty if it does not answer within a second. */
  public Optional<Status> status(Member member) {
    try {
      StatusResponse r =
          MaintenanceGrpc.newBlockingStub(channel(member))
              .withDeadlineAfter(1, TimeUnit.SECONDS)
              .status(StatusRequest.getDefaultInstance());
      return Optional.of(
          new Status(
              r.getHeader().getMemberId(),
              r.getLeader(),
              r.getRaftTerm(),
              r.getRaftIndex(),
              r.getHeader().getRevision()));
    } catch (StatusRuntimeException e) {
      return Optional.empty();
    }
  }

  /** The member's id, from its Status. */
  public long memberId(Member member) {
    return await("member id of " + member)
        .atMost(Duration.ofSeconds(30))
        .until(() -> status(member), Optional::isPresent)
        .orElseThrow()
        .memberId();
  }

  /**
   * The leader among the running members: one whose Status names itself leader. Waits up to {@code
   * timeout} for one.
   */
  public Member awaitLeader(Duration timeout) {
    return await("a leader")
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(20))
        .until(this::currentLeader, Optional::isPresent)
        .orElseThrow();
  }

  public Member awaitLeader() {
    return awaitLeader(Duration.ofSeconds(30));
  }

  /** A running member that reports itself as leader, if there is one now. */
  public Optional<Member> currentLeader() {
    for (Member m : members) {
      if (!m.isAlive()) {
        continue;
      }
      Optional<Status> s = status(m);
      if (s.isPresent() && s.get().leader() != 0 && s.get().leader() == s.get().memberId()) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }

  /**
   * Waits until every running member reports the same revision and Raft index (after healing, the
   * cluster has converged), and returns that revision.
   */
  public long awaitConverged(Duration timeout) {
    return await("members converged")
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              List<Status> all = new ArrayList<>();
              for (Member m : members) {
                Optional<Status> s = status(m);
                if (s.isEmpty()) {
                  return -1L;
                }
                all.add(s.get());
              }
              boolean same =
                  all.stream().map(s -> List.of(s.revision(), s.raftIndex())).distinct().count()
                      == 1;
              return same ? all.get(0).revision() : -1L;
            },
            rev -> rev > 0);
  }

  /** Each member's HashKV at {@code revision}: equal across members of one implementation. */
  public Map<String, Long> hashKV(long revision) {
    Map<String, Long> hashes = new LinkedHashMap<>();
    for (Member m : members) {
      hashes.put(
          m.name(),
          Integer.toUnsignedLong(
              MaintenanceGrpc.newBlockingStub(channel(m))
                  .withDeadlineAfter(10, TimeUnit.SECONDS)
                  .hashKV(HashKVRequest.newBuilder().setRevision(revision).build())
                  .getHash()));
    }
    return hashes;
  }

  /**
   * MemberAdd (as a learner or a voter) through a current member, then starts the new member with
   * --initial-cluster-state existing and waits until it runs: a voter until it serves, a learner
   * until it answers Status (etcd's learners refuse linearizable reads).
   */
  public Member addMember(boolean learner) {
    MemberProcess added = create();
    added.learner(learner);
    List<String> args = new ArrayList<>(List.of("member", "add", added.name()));
    args.add("--peer-urls=" + added.peerUrl());
    if (learner) {
      args.add("--learner");
    }
    Etcdctl.Result result = changeMembership(args);
    Matcher initial = INITIAL_CLUSTER.matcher(result.out());
    if (!initial.find()) {
      throw new AssertionError("no ETCD_INITIAL_CLUSTER in: " + result.out());
    }
    added.bootstrap(
        List.of("--initial-cluster=" + initial.group(1), "--initial-cluster-state=existing"));
    added.start();
    members.add(added);
    return added;
  }

  /** MemberPromote, retried while etcd's rule refuses a learner that has not caught up. */
  public void promote(Member learner) {
    String id = Long.toHexString(memberId(learner));
    await("promote " + learner)
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> etcdctl(learner).run("member", "promote", id).exit() == 0);
    ((MemberProcess) learner).learner(false);
  }

  /** MemberRemove through another member; the removed member's process is then closed. */
  public void remove(Member member) {
    String id = Long.toHexString(memberId(member));
    changeMembership(List.of("member", "remove", id), member);
    members.remove(member);
    member.close();
    PeerProxy proxy = proxyOf.remove(member);
    proxies.remove(proxy);
    proxy.close();
  }

  /** Removes {@code old} and adds a fresh voter in its place (remove first: quorum stays). */
  public Member replace(Member old) {
    remove(old);
    return addMember(false);
  }

  /**
   * Runs an etcdctl member command. Etcd refuses a change that would leave fewer active voters than
   * a quorum, counting a member as active only seconds after it connected ("unhealthy cluster"):
   * retried; any other error fails.
   */
  private Etcdctl.Result changeMembership(List<String> command, Member... except) {
    awaitLeader();
    List<String> args = new ArrayList<>(command);
    args.add("--command-timeout=15s");
    return await(String.join(" ", args))
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> etcdctl(except).run(null, args),
            r -> r.exit() == 0 || !r.err().contains("unhealthy cluster"))
        .assertOk();
  }

  /** Etcdctl against a running member other than {@code except}. */
  private Etcdctl etcdctl(Member... except) {
    List<Member> excluded = List.of(except);
    return new Etcdctl(
        members.stream()
            .filter(m -> m.isAlive() && !excluded.contains(m))
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("no running member")));
  }

  private MemberProcess create() {
    MemberProcess m = target.newMember();
    m.addFlags(flags);
    PeerProxy proxy = new PeerProxy(m, m.peerListenPort(), links, () -> everyMember);
    m.advertisePeerPort(proxy.port());
    proxies.add(proxy);
    proxyOf.put(m, proxy);
    everyMember.add(m);
    return m;
  }

  private ManagedChannel channel(Member member) {
    return channels.computeIfAbsent(
        member, m -> ManagedChannelBuilder.forTarget(m.endpoint()).usePlaintext().build());
  }

  @Override
  public void close() {
    links.heal();
    channels.values().forEach(ManagedChannel::shutdownNow);
    everyMember.forEach(Member::close);
    proxies.forEach(PeerProxy::close);
  }

  @Override
  public String toString() {
    return target.label() + " cluster " + members;
  }
}
