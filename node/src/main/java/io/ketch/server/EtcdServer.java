package io.ketch.server;

import com.google.protobuf.ByteString;
import io.ketch.auth.AuthException;
import io.ketch.auth.AuthInfo;
import io.ketch.auth.AuthStore;
import io.ketch.lease.LeaseCheckpoint;
import io.ketch.lease.Lessor;
import io.ketch.lease.LessorConfig;
import io.ketch.mvcc.KvHash;
import io.ketch.mvcc.KvStore;
import io.ketch.mvcc.WatchableStore;
import io.ketch.pb.etcdserver.AlarmRequest;
import io.ketch.pb.etcdserver.AlarmResponse;
import io.ketch.pb.etcdserver.AlarmType;
import io.ketch.pb.etcdserver.AuthDisableRequest;
import io.ketch.pb.etcdserver.AuthDisableResponse;
import io.ketch.pb.etcdserver.AuthEnableRequest;
import io.ketch.pb.etcdserver.AuthEnableResponse;
import io.ketch.pb.etcdserver.AuthRoleAddRequest;
import io.ketch.pb.etcdserver.AuthRoleAddResponse;
import io.ketch.pb.etcdserver.AuthRoleDeleteRequest;
import io.ketch.pb.etcdserver.AuthRoleDeleteResponse;
import io.ketch.pb.etcdserver.AuthRoleGetRequest;
import io.ketch.pb.etcdserver.AuthRoleGetResponse;
import io.ketch.pb.etcdserver.AuthRoleGrantPermissionRequest;
import io.ketch.pb.etcdserver.AuthRoleGrantPermissionResponse;
import io.ketch.pb.etcdserver.AuthRoleListRequest;
import io.ketch.pb.etcdserver.AuthRoleListResponse;
import io.ketch.pb.etcdserver.AuthRoleRevokePermissionRequest;
import io.ketch.pb.etcdserver.AuthRoleRevokePermissionResponse;
import io.ketch.pb.etcdserver.AuthStatusResponse;
import io.ketch.pb.etcdserver.AuthUserAddRequest;
import io.ketch.pb.etcdserver.AuthUserAddResponse;
import io.ketch.pb.etcdserver.AuthUserChangePasswordRequest;
import io.ketch.pb.etcdserver.AuthUserChangePasswordResponse;
import io.ketch.pb.etcdserver.AuthUserDeleteRequest;
import io.ketch.pb.etcdserver.AuthUserDeleteResponse;
import io.ketch.pb.etcdserver.AuthUserGetRequest;
import io.ketch.pb.etcdserver.AuthUserGetResponse;
import io.ketch.pb.etcdserver.AuthUserGrantRoleRequest;
import io.ketch.pb.etcdserver.AuthUserGrantRoleResponse;
import io.ketch.pb.etcdserver.AuthUserListRequest;
import io.ketch.pb.etcdserver.AuthUserListResponse;
import io.ketch.pb.etcdserver.AuthUserRevokeRoleRequest;
import io.ketch.pb.etcdserver.AuthUserRevokeRoleResponse;
import io.ketch.pb.etcdserver.AuthenticateRequest;
import io.ketch.pb.etcdserver.AuthenticateResponse;
import io.ketch.pb.etcdserver.CompactionRequest;
import io.ketch.pb.etcdserver.CompactionResponse;
import io.ketch.pb.etcdserver.DeleteRangeRequest;
import io.ketch.pb.etcdserver.DeleteRangeResponse;
import io.ketch.pb.etcdserver.HashKVResponse;
import io.ketch.pb.etcdserver.HashResponse;
import io.ketch.pb.etcdserver.LeaseGrantRequest;
import io.ketch.pb.etcdserver.LeaseGrantResponse;
import io.ketch.pb.etcdserver.LeaseKeepAliveRequest;
import io.ketch.pb.etcdserver.LeaseKeepAliveResponse;
import io.ketch.pb.etcdserver.LeaseLeasesResponse;
import io.ketch.pb.etcdserver.LeaseRevokeRequest;
import io.ketch.pb.etcdserver.LeaseRevokeResponse;
import io.ketch.pb.etcdserver.LeaseTimeToLiveRequest;
import io.ketch.pb.etcdserver.LeaseTimeToLiveResponse;
import io.ketch.pb.etcdserver.Member;
import io.ketch.pb.etcdserver.MemberAddResponse;
import io.ketch.pb.etcdserver.MemberListResponse;
import io.ketch.pb.etcdserver.MemberPromoteRequest;
import io.ketch.pb.etcdserver.MemberPromoteResponse;
import io.ketch.pb.etcdserver.MemberRemoveResponse;
import io.ketch.pb.etcdserver.MemberUpdateResponse;
import io.ketch.pb.etcdserver.MoveLeaderResponse;
import io.ketch.pb.etcdserver.PutRequest;
import io.ketch.pb.etcdserver.PutResponse;
import io.ketch.pb.etcdserver.RangeRequest;
import io.ketch.pb.etcdserver.RangeResponse;
import io.ketch.pb.etcdserver.ResponseHeader;
import io.ketch.pb.etcdserver.StatusResponse;
import io.ketch.pb.etcdserver.TxnRequest;
import io.ketch.pb.etcdserver.TxnResponse;
import io.ketch.pb.etcdserver.WatchCreateRequest;
import io.ketch.raft.Config;
import io.ketch.raft.ProposalDroppedException;
import io.ketch.raft.RawNode;
import io.ketch.raft.ReadState;
import io.ketch.raft.Ready;
import io.ketch.raft.SoftState;
import io.ketch.raft.StateRole;
import io.ketch.raft.pb.ConfChange;
import io.ketch.raft.pb.ConfState;
import io.ketch.raft.pb.HardState;
import io.ketch.raft.pb.Message;
import io.ketch.server.config.EndpointUrl;
import io.ketch.server.config.ServerConfig;
import io.ketch.server.metrics.Metrics;
import io.ketch.server.pb.InternalAuthenticateRequest;
import io.ketch.server.pb.InternalRequest;
import io.ketch.server.pb.MemberAttributes;
import io.ketch.server.pb.MemberRecord;
import io.ketch.server.pb.StateSnapshot;
import io.ketch.storage.DiskStorage;
import io.ketch.transport.PeerHandler;
import io.ketch.transport.Transport;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A member: the raft thread and its durable log, the apply thread and the state it builds, and the
 * requests clients make of them (etcd's EtcdServer). Every change goes through the log; a request's
 * future completes once its entry is applied. Reads are served from the local state, after a
 * ReadIndex round unless the client asked for a serializable read.
 *
 * <p>Nothing here blocks a caller: every request returns a future, completed on the apply thread
 * (writes) or on the read executor (linearizable reads), so the gRPC layer may call in from its
 * network threads.
 */
public final class EtcdServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EtcdServer.class);
  private static final int RAFT_QUEUE = 1 << 16;
  private static final int APPLY_QUEUE = 1024;
  private static final long LEASE_TICK_MILLIS = 500;
  // How late past its deadline a request may be failed.
  private static final long DEADLINE_SWEEP_MILLIS = 50;
  private static final long REMOVED_STOP_DELAY_MILLIS = 1000;

  private final ServerConfig config;
  private final MemberIdentity identity;
  private final DiskStorage storage;
  private final RaftLoop raft;
  private final ApplyLoop applier;
  private final MemberState state;
  private final Waiters waiters = new Waiters();
  private final AppliedIndex applied;
  private final LinearizableReads reads;
  private final RequestIds ids;
  private final ScheduledExecutorService timer;
  private final ExecutorService readExecutor;
  // PBKDF2 is slow by design: password checks and hashes run here, off the network threads.
  private final ExecutorService passwordExecutor;
  private volatile Supplier<AuthInfo> requester = () -> null;
  private final long requestTimeoutMillis;
  private final RequestDeadlines deadlines;
  private final Metrics metrics;

  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private volatile long leader;
  private volatile long term;
  private volatile long commitIndex;
  private volatile boolean stopped;
  private final CompletableFuture<MemberStop> stoppedOnItsOwn = new CompletableFuture<>();
  // Set once this member learns it was removed from the cluster; it then refuses every request.
  private volatile boolean removed;
  private final Transport transport;
  private final AtomicBoolean publishing = new AtomicBoolean();
  private final List<LeaderWatch> leaderWatchers = new CopyOnWriteArrayList<>();

  private record LeaderWatch(long target, Runnable reached) {}

  private final Snapshotter snapshotter;
  private final CommittedEntries committed;
  private final LeaseFront leaseFront;
  private final MembershipChanges membershipChanges;

  private EtcdServer(
      ServerConfig config,
      MemberIdentity identity,
      DiskStorage storage,
      StateSnapshot start,
      Metrics metrics)
      throws IOException {
    this.config = config;
    this.metrics = metrics;
    this.identity = identity;
    this.storage = storage;
    this.requestTimeoutMillis = config.requestTimeout().toMillis();
    this.deadlines = new RequestDeadlines(config.requestTimeout().toNanos(), System::nanoTime);
    Lessor lessor =
        new Lessor(LessorConfig.forElectionTimeout(config.electionTimeout()), Lessor.systemClock());
    this.state = MemberState.restore(start, lessor, this::header);
    this.applied = new AppliedIndex(start.getAppliedIndex());
    this.commitIndex = storage.initialState().hardState().getCommit();
    this.ids = new RequestIds(identity.memberId(), System.currentTimeMillis());
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "member-timer"));
    this.readExecutor = Executors.newFixedThreadPool(2, r -> daemon(r, "linearizable-read"));
    this.passwordExecutor = Executors.newFixedThreadPool(2, r -> daemon(r, "password-hash"));
    this.applier = new ApplyLoop(APPLY_QUEUE, this::fatal);
    int heartbeat = (int) config.heartbeatInterval().toMillis();
    Config raftConfig =
        Config.defaults(identity.memberId(), storage)
            .withHeartbeatTick(1)
            .withElectionTick((int) (config.electionTimeout().toMillis() / heartbeat))
            .withApplied(start.getAppliedIndex())
            .withRefusedConfChange(CommittedEntries::refusedConfChange);
    this.raft =
        new RaftLoop(new RawNode(raftConfig), storage, new RaftListener(), heartbeat, RAFT_QUEUE);
    this.reads = new LinearizableReads(raft, applied, timer, 500);
    this.transport =
        Transport.start(
            identity.memberId(),
            identity.clusterId(),
            config.listenPeerUrls().stream().map(EndpointUrl::socketAddress).toList(),
            new PeerInbox());
    this.snapshotter = new Snapshotter(storage, this::fatal);
    this.committed =
        new CommittedEntries(
            config,
            identity.memberId(),
            state,
            applied,
            waiters,
            raft,
            snapshotter,
            transport,
            metrics,
            this::markRemoved,
            start,
            storage.initialState().confState());
    this.leaseFront =
        new LeaseFront(
            state,
            transport,
            identity.memberId(),
            () -> leader,
            this::unavailable,
            () -> requester.get(),
            this::currentHeader);
    this.membershipChanges =
        new MembershipChanges(
            state,
            ids,
            raft,
            transport,
            identity.memberId(),
            () -> leader,
            this::proposeConfChange,
            this::memberList,
            this::header,
            config.requestTimeout());
  }

  /** Opens (or bootstraps) the data dir and starts the member's threads. */
  public static EtcdServer start(ServerConfig config, Metrics metrics) throws IOException {
    CompletableFuture<EtcdServer> started = new CompletableFuture<>();
    DiskStorage storage =
        DiskStorage.open(
            config.dataDir(),
            DiskStorage.Options.defaults(failure -> started.thenAccept(s -> s.fatal(failure)))
                .withEntriesToKeep(config.snapshotCatchUpEntries())
                .withMaxEntryBytes(config.maxRequestBytes() + ServerConfig.GRPC_OVERHEAD_BYTES));
    MemberIdentity identity;
    StateSnapshot start;
    if (!isFresh(storage)) {
      start = MemberState.parseSnapshot(storage.snapshot().getData());
      identity =
          MemberIdentity.load(config.dataDir(), start.getCluster().getMembersList())
              .orElseGet(() -> MemberIdentity.of(config));
      log.info(
          "restarting member {} from snapshot at index {} (bootstrap flags ignored)",
          Long.toHexString(identity.memberId()),
          start.getAppliedIndex());
    } else if (config.initialClusterState() == io.ketch.server.config.ClusterState.EXISTING) {
      identity =
          MemberIdentity.joining(
              config,
              Transport.fetchMembers(otherPeerUrls(config), config.requestTimeout().toMillis()));
      start = identity.joiningState();
      identity.save(config.dataDir());
      log.info(
          "member {} joining existing cluster {}",
          Long.toHexString(identity.memberId()),
          Long.toHexString(identity.clusterId()));
    } else {
      identity = MemberIdentity.of(config);
      start = identity.bootstrapState(config);
      StartingState.write(storage, start, identity.bootstrapConfState());
      identity.save(config.dataDir());
      log.info(
          "bootstrapped member {} of new cluster {}",
          Long.toHexString(identity.memberId()),
          Long.toHexString(identity.clusterId()));
    }
    EtcdServer server;
    try {
      server = new EtcdServer(config, identity, storage, start, metrics);
    } catch (IOException | RuntimeException e) {
      storage.close();
      throw e;
    }
    started.complete(server);
    server.committed.syncPeers(server.state.cluster());
    metrics.setServerId(identity.memberId());
    metrics.setQuotaBackendBytes(config.quotaBackendBytes());
    metrics.setClusterVersion(Versions.CLUSTER);
    server.state.watchable().start();
    server.applier.start();
    ConfState voters = server.committed.confState();
    if (voters.getVotersCount() == 1 && voters.getVotersList().contains(identity.memberId())) {
      // The only voter need not wait an election timeout to find out nobody else will lead.
      server.raft.submit((node, log) -> node.campaign(), 0);
    }
    server.raft.start();
    server.timer.scheduleWithFixedDelay(
        server::leaseDuties, LEASE_TICK_MILLIS, LEASE_TICK_MILLIS, TimeUnit.MILLISECONDS);
    server.timer.scheduleWithFixedDelay(
        server.deadlines::sweep,
        DEADLINE_SWEEP_MILLIS,
        DEADLINE_SWEEP_MILLIS,
        TimeUnit.MILLISECONDS);
    if (config.autoCompaction().enabled()) {
      Compactor compactor = new Compactor(config.autoCompaction());
      long every = compactor.interval().toMillis();
      server.timer.scheduleWithFixedDelay(
          () -> server.autoCompact(compactor), every, every, TimeUnit.MILLISECONDS);
    }
    return server;
  }

  /** The peer URLs of --initial-cluster that are not this member's: whom a joining member asks. */
  private static List<String> otherPeerUrls(ServerConfig config) {
    List<String> mine = MemberIdentity.peerUrls(config.initialAdvertisePeerUrls());
    return config.initialCluster().values().stream()
        .flatMap(List::stream)
        .map(EndpointUrl::toString)
        .filter(u -> !mine.contains(u))
        .distinct()
        .toList();
  }

  private static boolean isFresh(DiskStorage storage) {
    return storage.lastIndex() == 0
        && storage.snapshotMetadata().getIndex() == 0
        && storage.initialState().hardState().equals(HardState.getDefaultInstance());
  }

  /**
   * Completes once the member knows a leader and has applied what was committed when it started:
   * from then on it answers with its current state (etcd serves clients only after its
   * ReadyNotify).
   */
  public CompletableFuture<Void> ready() {
    return ready;
  }

  // ---- KV ----

  public CompletableFuture<RangeResponse> range(RangeRequest request) {
    metrics.range();
    try {
      state.auth().checkRange(requester.get(), request.getKey(), request.getRangeEnd());
    } catch (AuthException e) {
      return CompletableFuture.failedFuture(e);
    }
    return read(request.getSerializable(), () -> state.kv().range(request));
  }

  public CompletableFuture<PutResponse> put(PutRequest request) {
    metrics.put();
    return proposeAs(requester.get(), InternalRequest.newBuilder().setPut(request));
  }

  public CompletableFuture<DeleteRangeResponse> deleteRange(DeleteRangeRequest request) {
    metrics.delete();
    return proposeAs(requester.get(), InternalRequest.newBuilder().setDeleteRange(request));
  }

  /** A txn that writes goes through the log; a read-only one is served like a range. */
  public CompletableFuture<TxnResponse> txn(TxnRequest request) {
    metrics.txn();
    if (KvApplier.isReadOnly(request)) {
      try {
        state.access().txn(requester.get(), request);
      } catch (AuthException e) {
        return CompletableFuture.failedFuture(e);
      }
      boolean serializable = isSerializable(request);
      return read(serializable, () -> state.kv().readOnlyTxn(request));
    }
    return proposeAs(requester.get(), InternalRequest.newBuilder().setTxn(request));
  }

  public CompletableFuture<CompactionResponse> compact(CompactionRequest request) {
    return propose(InternalRequest.newBuilder().setCompaction(request));
  }

  // ---- Lease ----

  public CompletableFuture<LeaseGrantResponse> leaseGrant(LeaseGrantRequest request) {
    LeaseGrantRequest withId =
        request.getID() != 0
            ? request
            : request.toBuilder().setID(ids.next() & Long.MAX_VALUE).build();
    return propose(InternalRequest.newBuilder().setLeaseGrant(withId));
  }

  public CompletableFuture<LeaseRevokeResponse> leaseRevoke(LeaseRevokeRequest request) {
    return proposeAs(requester.get(), InternalRequest.newBuilder().setLeaseRevoke(request));
  }

  /** Renews a lease on the leader; TTL 0 if there is no such lease. */
  public CompletableFuture<LeaseKeepAliveResponse> leaseKeepAlive(long id) {
    return leaseFront.keepAlive(id);
  }

  public CompletableFuture<LeaseTimeToLiveResponse> leaseTimeToLive(long id, boolean keys) {
    return leaseFront.timeToLive(id, keys);
  }

  public CompletableFuture<LeaseLeasesResponse> leases() {
    return leaseFront.leases();
  }

  // ---- Auth ----

  /**
   * Names who makes the requests that reach this member on the calling thread (etcd reads it from
   * the request's context): the API layer plugs in its token resolution here. Without it, every
   * request is anonymous, which only works while auth is off.
   */
  public void identifyRequestersBy(Supplier<AuthInfo> requester) {
    this.requester = requester;
  }

  /** The auth store, for resolving tokens and for admin checks in the API layer. */
  public AuthStore auth() {
    return state.auth();
  }

  /** May the caller watch [key, range_end)? etcd refuses such a watch with a cancel. */
  public boolean watchPermitted(WatchCreateRequest request) {
    return state.auth().isRangePermitted(requester.get(), request.getKey(), request.getRangeEnd());
  }

  public CompletableFuture<AuthEnableResponse> authEnable(AuthEnableRequest request) {
    return proposeAs(requester.get(), InternalRequest.newBuilder().setAuthEnable(request));
  }

  public CompletableFuture<AuthDisableResponse> authDisable(AuthDisableRequest request) {
    return proposeAs(requester.get(), InternalRequest.newBuilder().setAuthDisable(request));
  }

  public CompletableFuture<AuthStatusResponse> authStatus() {
    return read(
        false, () -> state.auth().authStatus().toBuilder().setHeader(currentHeader()).build());
  }

  /**
   * etcd's Authenticate: check the password on this member (slow, so on the password executor)
   * against up-to-date users, then propose the user and a token prefix, never the password. If the
   * auth store moved between the check and the apply, the check is done again.
   */
  public CompletableFuture<AuthenticateResponse> authenticate(AuthenticateRequest request) {
    return withTimeout(reads.barrier())
        .thenComposeAsync(v -> authenticateOnce(request, 3), passwordExecutor);
  }

  private CompletableFuture<AuthenticateResponse> authenticateOnce(
      AuthenticateRequest request, int attempts) {
    long checked = state.auth().checkPassword(request.getName(), request.getPassword());
    InternalAuthenticateRequest authenticate =
        InternalAuthenticateRequest.newBuilder()
            .setName(request.getName())
            .setTokenPrefix(AuthStore.newTokenPrefix())
            .setCheckedRevision(checked)
            .build();
    return this.<AuthenticateResponse>propose(
            InternalRequest.newBuilder().setAuthenticate(authenticate))
        .exceptionallyComposeAsync(
            failure ->
                attempts > 1
                        && failure.getCause() instanceof AuthException e
                        && e.kind() == AuthException.Kind.AUTH_OLD_REVISION
                    ? authenticateOnce(request, attempts - 1)
                    : CompletableFuture.failedFuture(failure),
            passwordExecutor);
  }

  /** The password is hashed here, so the log and snapshots only ever hold its hash. */
  public CompletableFuture<AuthUserAddResponse> userAdd(AuthUserAddRequest request) {
    AuthInfo who = requester.get();
    if (request.getOptions().getNoPassword()) {
      return proposeAs(who, InternalRequest.newBuilder().setAuthUserAdd(request));
    }
    return withPasswordHashed(
        who,
        request.getPassword(),
        hash ->
            InternalRequest.newBuilder()
                .setAuthUserAdd(request.toBuilder().clearPassword().setHashedPassword(hash)));
  }

  public CompletableFuture<AuthUserChangePasswordResponse> userChangePassword(
      AuthUserChangePasswordRequest request) {
    return withPasswordHashed(
        requester.get(),
        request.getPassword(),
        hash ->
            InternalRequest.newBuilder()
                .setAuthUserChangePassword(
                    request.toBuilder().clearPassword().setHashedPassword(hash)));
  }

  private <T> CompletableFuture<T> withPasswordHashed(
      AuthInfo who, String password, Function<String, InternalRequest.Builder> request) {
    try {
      state.auth().checkAdmin(who); // before spending a hash on a refused request
    } catch (AuthException e) {
      return CompletableFuture.failedFuture(e);
    }
    return CompletableFuture.supplyAsync(
            () -> state.auth().hashPassword(password), passwordExecutor)
        .thenCompose(hash -> proposeAs(who, request.apply(hash)));
  }

  public CompletableFuture<AuthUserGetResponse> userGet(AuthUserGetRequest request) {
    return readAs(
        InternalRequest.newBuilder().setAuthUserGet(request),
        () -> state.auth().userGet(request).toBuilder().setHeader(currentHeader()).build());
  }

  public CompletableFuture<AuthUserListResponse> userList(AuthUserListRequest request) {
    return readAs(
        InternalRequest.newBuilder().setAuthUserList(request),
        () -> state.auth().userList().toBuilder().setHeader(currentHeader()).build());
  }

  public CompletableFuture<AuthUserDeleteResponse> userDelete(AuthUserDeleteRequest request) {
    return proposeAs(requester.get(), InternalRequest.newBuilder().setAuthUserDelete(request));
  }

  public CompletableFuture<AuthUserGrantRoleResponse> userGrantRole(
      AuthUserGrantRoleRequest request) {
    return proposeAs(requester.get(), InternalRequest.newBuilder().setAuthUserGrantRole(request));
  }

  public CompletableFuture<AuthUserRevokeRoleResponse> userRevokeRole(
      AuthUserRevokeRoleRequest request) {
    return proposeAs(requester.get(), InternalRequest.newBuilder().setAuthUserRevokeRole(request));
  }

  public CompletableFuture<AuthRoleAddResponse> roleAdd(AuthRoleAddRequest request) {
    return proposeAs(requester.get(), InternalRequest.newBuilder().setAuthRoleAdd(request));
  }

  public CompletableFuture<AuthRoleGetResponse> roleGet(AuthRoleGetRequest request) {
    return readAs(
        InternalRequest.newBuilder().setAuthRoleGet(request),
        () -> state.auth().roleGet(request).toBuilder().setHeader(currentHeader()).build());
  }

  public CompletableFuture<AuthRoleListResponse> roleList(AuthRoleListRequest request) {
    return readAs(
        InternalRequest.newBuilder().setAuthRoleList(request),
        () -> state.auth().roleList().toBuilder().setHeader(currentHeader()).build());
  }

  public CompletableFuture<AuthRoleDeleteResponse> roleDelete(AuthRoleDeleteRequest request) {
    return proposeAs(requester.get(), InternalRequest.newBuilder().setAuthRoleDelete(request));
  }

  public CompletableFuture<AuthRoleGrantPermissionResponse> roleGrantPermission(
      AuthRoleGrantPermissionRequest request) {
    return proposeAs(
        requester.get(), InternalRequest.newBuilder().setAuthRoleGrantPermission(request));
  }

  public CompletableFuture<AuthRoleRevokePermissionResponse> roleRevokePermission(
      AuthRoleRevokePermissionRequest request) {
    return proposeAs(
        requester.get(), InternalRequest.newBuilder().setAuthRoleRevokePermission(request));
  }

  // ---- Cluster and Maintenance ----

  public MemberListResponse memberList() {
    MemberListResponse.Builder response =
        MemberListResponse.newBuilder().setHeader(header(0)); // etcd's carries no revision
    // etcd lists members by id (unsigned), whatever order they joined in.
    state.cluster().getMembersList().stream()
        .sorted((a, b) -> Long.compareUnsigned(a.getId(), b.getId()))
        .forEach(m -> response.addMembers(MembershipChanges.toMember(m)));
    return response.build();
  }

  /** etcd 3.5: a linearizable member list is served after a ReadIndex round. */
  public CompletableFuture<MemberListResponse> memberList(boolean linearizable) {
    return read(!linearizable, this::memberList);
  }

  /**
   * Adds a member (etcd's AddMember): its id from its peer URLs and the time, as etcd; checked now,
   * and again when applied.
   */
  public CompletableFuture<MemberAddResponse> memberAdd(List<String> peerUrls, boolean learner) {
    return membershipChanges.add(peerUrls, learner);
  }

  public CompletableFuture<MemberRemoveResponse> memberRemove(long id) {
    return membershipChanges.remove(id);
  }

  public CompletableFuture<MemberUpdateResponse> memberUpdate(long id, List<String> peerUrls) {
    return membershipChanges.update(id, peerUrls);
  }

  /** Promotes a learner that has caught up; a follower hands the request to the leader. */
  public CompletableFuture<MemberPromoteResponse> memberPromote(long id) {
    return membershipChanges.promote(id);
  }

  /**
   * Hands leadership to {@code target} (etcd's MoveLeader): only the leader may, only to a voter;
   * completes once the target leads.
   */
  public CompletableFuture<MoveLeaderResponse> moveLeader(long target) {
    if (leader != identity.memberId()) {
      return CompletableFuture.failedFuture(ServerError.NOT_LEADER.exception());
    }
    Optional<MemberRecord> member = Membership.find(state.cluster(), target);
    if (member.isEmpty() || member.get().getIsLearner()) {
      return CompletableFuture.failedFuture(ServerError.BAD_LEADER_TRANSFEREE.exception());
    }
    MoveLeaderResponse done = MoveLeaderResponse.newBuilder().setHeader(currentHeader()).build();
    if (target == identity.memberId()) {
      return CompletableFuture.completedFuture(done);
    }
    CompletableFuture<MoveLeaderResponse> moved = new CompletableFuture<>();
    leaderWatchers.add(
        new LeaderWatch(
            target, () -> moved.complete(done.toBuilder().setHeader(currentHeader()).build())));
    raft.submit((node, storage) -> node.transferLeadership(target), requestTimeoutMillis);
    return withTimeout(moved);
  }

  public boolean isLearner() {
    return Membership.find(state.cluster(), identity.memberId())
        .map(MemberRecord::getIsLearner)
        .orElse(false);
  }

  public Member self() {
    return state.cluster().getMembersList().stream()
        .filter(m -> m.getId() == identity.memberId())
        .findFirst()
        .map(MembershipChanges::toMember)
        .orElseThrow();
  }

  public StatusResponse status() {
    KvStore store = state.store();
    StatusResponse.Builder response =
        StatusResponse.newBuilder()
            .setHeader(currentHeader())
            .setVersion(Versions.SERVER)
            .setDbSize(store.totalBytes())
            .setDbSizeInUse(store.inUseBytes())
            .setLeader(leader)
            .setRaftIndex(commitIndex)
            .setRaftTerm(term)
            .setRaftAppliedIndex(applied.get())
            .setDbSizeQuota(config.quotaBackendBytes())
            .setStorageVersion(Versions.STORAGE)
            .setIsLearner(isLearner());
    if (leader == 0) {
      response.addErrors(ServerError.NO_LEADER.message());
    }
    if (removed) {
      response.addErrors(ServerError.MEMBER_REMOVED.message());
    }
    state
        .alarms()
        .forEach(a -> response.addErrors("memberID:" + a.getMemberID() + " alarm:" + a.getAlarm()));
    return response.build();
  }

  public CompletableFuture<AlarmResponse> alarm(AlarmRequest request) {
    if (request.getAction() == AlarmRequest.AlarmAction.GET) {
      return read(true, () -> state.alarm(request));
    }
    return propose(InternalRequest.newBuilder().setAlarm(request));
  }

  public HashResponse hash() {
    return HashResponse.newBuilder()
        .setHeader(currentHeader())
        .setHash(state.store().hash())
        .build();
  }

  public HashKVResponse hashKv(long revision) {
    KvHash hash = state.store().hashKv(revision);
    return HashKVResponse.newBuilder()
        .setHeader(currentHeader())
        .setHash(hash.hash())
        .setCompactRevision(hash.compactRevision())
        .setHashRevision(hash.hashRevision())
        .build();
  }

  /**
   * Writes the member's whole state as of the applied index: the same bytes a Raft snapshot
   * carries, which {@code ketchctl snapshot restore} turns back into a data dir.
   */
  public CompletableFuture<ByteString> snapshotData() {
    CompletableFuture<ByteString> data = new CompletableFuture<>();
    try {
      // Captured in apply order, written on a pool thread so the apply thread goes on meanwhile.
      applier.submit(
          () -> {
            MemberState.PendingSnapshot pending =
                state.captureSnapshot(applied.get(), committed.appliedTerm());
            data.completeAsync(() -> SnapshotFormat.encode(pending));
          });
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      data.completeExceptionally(ServerError.STOPPED.exception());
    }
    return data;
  }

  /** The store's watchable side; the Watch API opens its streams on it. */
  public WatchableStore watchable() {
    return state.watchable();
  }

  public long memberId() {
    return identity.memberId();
  }

  public long clusterId() {
    return identity.clusterId();
  }

  public boolean hasLeader() {
    return leader != 0;
  }

  /** How long the raft stream to {@code peer} has been up (etcd's ActiveSince); empty if down. */
  public Optional<Duration> peerActiveFor(long peer) {
    return transport.activeFor(peer);
  }

  public List<AlarmType> activeAlarms() {
    return state.alarms().stream().map(a -> a.getAlarm()).distinct().toList();
  }

  public ServerConfig config() {
    return config;
  }

  /** A header for a response about the current state. */
  public ResponseHeader currentHeader() {
    return header(state.store().currentRevision());
  }

  public ResponseHeader header(long revision) {
    return ResponseHeader.newBuilder()
        .setClusterId(identity.clusterId())
        .setMemberId(identity.memberId())
        .setRevision(revision)
        .setRaftTerm(term)
        .build();
  }

  // ---- the paths through the member ----

  private static boolean isSerializable(TxnRequest request) {
    for (var branch : List.of(request.getSuccessList(), request.getFailureList())) {
      for (var op : branch) {
        if ((op.hasRequestRange() && !op.getRequestRange().getSerializable())
            || (op.hasRequestTxn() && !isSerializable(op.getRequestTxn()))) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * A serializable read runs at once on the caller's thread; a linearizable one after a ReadIndex
   * round.
   */
  private <T> CompletableFuture<T> read(boolean serializable, Supplier<T> read) {
    Optional<ServerError> refused = unavailable();
    if (refused.isPresent()) {
      return CompletableFuture.failedFuture(refused.get().exception());
    }
    if (serializable) {
      try {
        return CompletableFuture.completedFuture(read.get());
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
    return withTimeout(reads.barrier()).thenApplyAsync(v -> read.get(), readExecutor);
  }

  /**
   * A client's write: checked as {@code who} now, and stamped with who and the auth revision so the
   * apply checks it again (etcd's RequestHeader username and auth_revision).
   */
  private <T> CompletableFuture<T> proposeAs(AuthInfo who, InternalRequest.Builder request) {
    try {
      state.access().check(who, request);
    } catch (AuthException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (who != null) {
      request.setUsername(who.user()).setAuthRevision(who.revision());
    }
    return propose(request);
  }

  /**
   * Auth reads that etcd sends through the log: checked like their proposal would be, then served
   * after a ReadIndex round, which orders them after every earlier write just the same.
   */
  private <T> CompletableFuture<T> readAs(InternalRequest.Builder request, Supplier<T> read) {
    try {
      state.access().check(requester.get(), request);
    } catch (AuthException e) {
      return CompletableFuture.failedFuture(e);
    }
    return read(false, read);
  }

  @SuppressWarnings("unchecked")
  private <T> CompletableFuture<T> propose(InternalRequest.Builder request) {
    long id = ids.next();
    ByteString data = request.setId(id).build().toByteString();
    if (data.size() > config.maxRequestBytes()) {
      return CompletableFuture.failedFuture(ServerError.REQUEST_TOO_LARGE.exception());
    }
    if (needsSpace(request) && !quotaAllows(data.size())) {
      return noSpace();
    }
    return proposeEntry(id, dropped -> raft.propose(new RaftLoop.Proposal(data, dropped), 0));
  }

  /** Proposes a membership change; completes once it is applied here. */
  private CompletableFuture<Boolean> proposeConfChange(ConfChange.Builder change) {
    long id = ids.next();
    ConfChange built = change.setId(id).build();
    return proposeEntry(
        id,
        dropped ->
            raft.submit(
                (node, storage) -> {
                  try {
                    node.proposeConfChange(built);
                  } catch (ProposalDroppedException e) {
                    dropped.run();
                  }
                },
                0));
  }

  /**
   * Registers the waiter of request {@code id} and queues its proposal with {@code queue}, which is
   * handed what to run if raft drops the proposal and answers whether the raft queue took it.
   */
  @SuppressWarnings("unchecked")
  private <T> CompletableFuture<T> proposeEntry(long id, Predicate<Runnable> queue) {
    Optional<ServerError> refused = unavailable();
    if (refused.isPresent()) {
      return CompletableFuture.failedFuture(refused.get().exception());
    }
    CompletableFuture<Object> waiter = waiters.register(id);
    boolean queued =
        queue.test(
            () ->
                waiters.fail(
                    id,
                    (leader == 0 ? ServerError.NO_LEADER : ServerError.LEADER_CHANGED)
                        .exception()));
    if (!queued) {
      waiters.fail(id, ServerError.TOO_MANY_REQUESTS.exception());
    }
    metrics.setProposalsPending(waiters.size());
    return withTimeout(waiter)
        .thenApply(
            result -> {
              if (result instanceof RuntimeException e) {
                throw e;
              }
              return (T) result;
            })
        .whenComplete(
            (result, failure) -> {
              if (failure != null) {
                metrics.proposalFailed();
              }
            });
  }

  /**
   * etcd's backend quota: a write that would take the store past --quota-backend-bytes raises the
   * NOSPACE alarm (through the log, so every member agrees) and is refused, as is every later write
   * until an operator frees space and disarms the alarm. Reads and deletes go on.
   */
  private boolean quotaAllows(long cost) {
    return !state.noSpace() && state.store().totalBytes() + cost <= config.quotaBackendBytes();
  }

  /**
   * Raises the NOSPACE alarm unless it is up, and refuses once it is applied (as etcd's quota
   * check): a client told "database space exceeded" then finds the alarm listed.
   */
  private <T> CompletableFuture<T> noSpace() {
    CompletableFuture<Object> raised =
        state.noSpace()
            ? CompletableFuture.completedFuture(null)
            : propose(
                InternalRequest.newBuilder()
                    .setAlarm(
                        AlarmRequest.newBuilder()
                            .setAction(AlarmRequest.AlarmAction.ACTIVATE)
                            .setMemberID(identity.memberId())
                            .setAlarm(AlarmType.NOSPACE)));
    return raised
        .handle((applied, failure) -> null)
        .thenCompose(ignored -> CompletableFuture.failedFuture(ServerError.NO_SPACE.exception()));
  }

  private static boolean needsSpace(InternalRequest.Builder request) {
    return switch (request.getRequestCase()) {
      case PUT, TXN, LEASE_GRANT -> true;
      default -> false;
    };
  }

  private <T> CompletableFuture<T> withTimeout(CompletableFuture<T> future) {
    return deadlines
        .limit(future)
        .exceptionallyCompose(
            failure ->
                CompletableFuture.failedFuture(
                    failure instanceof TimeoutException
                        ? (leader == 0 ? ServerError.NO_LEADER : ServerError.TIMEOUT).exception()
                        : failure));
  }

  /** The leader expires leases and checkpoints their remaining TTLs, both through the log. */
  private void leaseDuties() {
    if (leader != identity.memberId() || stopped) {
      return;
    }
    Lessor lessor = state.lessor();
    for (long id : lessor.expired(64)) {
      propose(
          InternalRequest.newBuilder().setLeaseRevoke(LeaseRevokeRequest.newBuilder().setID(id)));
    }
    List<LeaseCheckpoint> due = lessor.checkpointsDue(64);
    if (!due.isEmpty()) {
      propose(MemberState.checkpoints(due).toBuilder());
    }
  }

  private void autoCompact(Compactor compactor) {
    if (leader != identity.memberId() || stopped) {
      return;
    }
    KvStore store = state.store();
    compactor.tick(
        System.currentTimeMillis(),
        store.currentRevision(),
        store::compactRevision,
        revision -> {
          log.info("auto-compacting to revision {}", revision);
          compact(CompactionRequest.newBuilder().setRevision(revision).build());
        });
  }

  /** Why this member refuses every request, if it does. */
  private Optional<ServerError> unavailable() {
    if (removed) {
      return Optional.of(ServerError.MEMBER_REMOVED);
    }
    return stopped ? Optional.of(ServerError.STOPPED) : Optional.empty();
  }

  /**
   * Refuses every request from now on and stops a second later, as etcd's stopWithDelay: the delay
   * lets a removed leader hand over and the removal's own answer reach its client.
   */
  private synchronized void markRemoved() {
    if (removed) {
      return;
    }
    removed = true;
    log.error(
        "member {} has been permanently removed from the cluster: stopping; remove its data dir"
            + " before it joins again",
        Long.toHexString(identity.memberId()));
    waiters.failAll(ServerError.MEMBER_REMOVED.exception());
    try {
      timer.schedule(
          () -> {
            stopped = true;
            stoppedOnItsOwn.complete(MemberStop.REMOVED);
          },
          REMOVED_STOP_DELAY_MILLIS,
          TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closing anyway
    }
  }

  private final class RaftListener implements RaftLoop.Listener {
    @Override
    public void onSoftState(SoftState soft, long currentTerm) {
      long previous = leader;
      leader = soft.leader();
      term = currentTerm;
      metrics.setHasLeader(leader != 0);
      metrics.setIsLeader(soft.role() == StateRole.LEADER);
      if (leader != 0 && leader != previous) {
        metrics.leaderChanged();
      }
      for (LeaderWatch watch : leaderWatchers) {
        if (watch.target() == leader && leaderWatchers.remove(watch)) {
          watch.reached().run();
        }
      }
      if (leader != 0 && publishing.compareAndSet(false, true)) {
        timer.execute(EtcdServer.this::publish);
      }
      if (soft.role() == StateRole.LEADER) {
        state.lessor().promote(config.electionTimeout().toMillis());
      } else if (previous == identity.memberId()) {
        state.lessor().demote();
      }
      log.info(
          "member {}: leader is now {}",
          Long.toHexString(identity.memberId()),
          Long.toHexString(leader));
    }

    @Override
    public void onHardState(HardState hardState) {
      term = hardState.getTerm();
      commitIndex = hardState.getCommit();
      metrics.setProposalsCommitted(commitIndex);
    }

    @Override
    public void onSync(long nanos) {
      metrics.observeWalFsync(nanos);
    }

    @Override
    public void onReadStates(List<ReadState> states) {
      reads.onReadStates(states);
    }

    @Override
    public boolean offerCommitted(Ready ready, long timeoutMillis) throws InterruptedException {
      return applier.offer(() -> committed.apply(ready), timeoutMillis);
    }

    @Override
    public void send(List<Message> messages) {
      transport.send(messages);
    }

    @Override
    public void onFatal(Throwable cause) {
      fatal(cause);
    }
  }

  /** What the peer transport hands this member. */
  private final class PeerInbox implements PeerHandler {
    @Override
    public void receive(List<Message> messages) {
      // Dropped when the raft queue is full: raft retries what matters.
      raft.submit(
          (node, storage) -> {
            for (Message m : messages) {
              node.step(m);
            }
          },
          0);
    }

    @Override
    public void reportUnreachable(long peer) {
      raft.submit((node, storage) -> node.reportUnreachable(peer), 0);
    }

    @Override
    public void reportSnapshot(long peer, boolean failed) {
      raft.submit((node, storage) -> node.reportSnapshot(peer, failed), requestTimeoutMillis);
    }

    @Override
    public boolean isRemoved(long member) {
      return state.cluster().getRemovedIdsList().contains(member);
    }

    @Override
    public void removedFromCluster() {
      markRemoved();
    }

    @Override
    public CompletableFuture<MemberListResponse> members() {
      return CompletableFuture.completedFuture(memberList());
    }

    @Override
    public CompletableFuture<MemberPromoteResponse> memberPromote(MemberPromoteRequest request) {
      if (leader != identity.memberId()) {
        return CompletableFuture.failedFuture(ServerError.NOT_LEADER.exception());
      }
      return EtcdServer.this.memberPromote(request.getID());
    }

    @Override
    public CompletableFuture<LeaseKeepAliveResponse> leaseRenew(LeaseKeepAliveRequest request) {
      return onPrimary(() -> leaseFront.localKeepAlive(request));
    }

    @Override
    public CompletableFuture<LeaseTimeToLiveResponse> leaseTimeToLive(
        LeaseTimeToLiveRequest request) {
      return onPrimary(() -> leaseFront.localTimeToLive(request.getID(), request.getKeys()));
    }

    @Override
    public CompletableFuture<LeaseLeasesResponse> leases() {
      return onPrimary(leaseFront::localLeases);
    }

    private <T> CompletableFuture<T> onPrimary(Supplier<T> call) {
      if (!state.lessor().isPrimary()) {
        return CompletableFuture.failedFuture(ServerError.NOT_LEADER.exception());
      }
      try {
        return CompletableFuture.completedFuture(call.get());
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
  }

  /**
   * Records this member's name and client URLs in the membership through the log, as etcd's publish
   * does; the member is ready once that is applied here, which is after everything committed when
   * it started. Retried until it succeeds.
   */
  private void publish() {
    if (stopped || removed) {
      return;
    }
    MemberAttributes.Builder attributes =
        MemberAttributes.newBuilder().setMemberId(identity.memberId()).setName(config.name());
    config.advertiseClientUrls().forEach(u -> attributes.addClientUrls(u.toString()));
    this.<Object>propose(InternalRequest.newBuilder().setMemberAttributes(attributes))
        .whenComplete(
            (ok, failure) -> {
              if (failure == null) {
                ready.complete(null);
              } else if (!stopped) {
                timer.schedule(this::publish, 200, TimeUnit.MILLISECONDS);
              }
            });
  }

  private void fatal(Throwable cause) {
    log.error("member stopping after a fatal error", cause);
    stopped = true;
    waiters.failAll(ServerError.STOPPED.exception());
    stoppedOnItsOwn.complete(MemberStop.FATAL_ERROR);
  }

  /**
   * Completes once the member has stopped of its own accord (a fatal error, or its removal from the
   * cluster): the process should then exit with the reason's code, as etcd's does. Not completed by
   * {@link #close()}.
   */
  public CompletableFuture<MemberStop> stopped() {
    return stoppedOnItsOwn;
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  @Override
  public void close() throws Exception {
    stopped = true;
    timer.shutdownNow();
    transport.close();
    raft.close();
    applier.close();
    snapshotter.close();
    state.watchable().close();
    readExecutor.shutdownNow();
    passwordExecutor.shutdownNow();
    storage.close();
    waiters.failAll(ServerError.STOPPED.exception());
    deadlines.failAll(ServerError.STOPPED.exception());
  }
}
