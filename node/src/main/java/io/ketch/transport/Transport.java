package io.ketch.transport;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.ketch.pb.etcdserver.LeaseKeepAliveRequest;
import io.ketch.pb.etcdserver.LeaseKeepAliveResponse;
import io.ketch.pb.etcdserver.LeaseLeasesRequest;
import io.ketch.pb.etcdserver.LeaseLeasesResponse;
import io.ketch.pb.etcdserver.LeaseTimeToLiveRequest;
import io.ketch.pb.etcdserver.LeaseTimeToLiveResponse;
import io.ketch.pb.etcdserver.MemberListRequest;
import io.ketch.pb.etcdserver.MemberListResponse;
import io.ketch.pb.etcdserver.MemberPromoteRequest;
import io.ketch.pb.etcdserver.MemberPromoteResponse;
import io.ketch.raft.pb.Message;
import io.ketch.raft.pb.MessageType;
import io.ketch.storage.DiskStorage;
import io.ketch.transport.pb.MessageBatch;
import io.ketch.transport.pb.PeerGrpc;
import io.ketch.transport.pb.StreamClosed;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Peer-to-peer gRPC for one member (etcd's rafthttp): a server on its --listen-peer-urls, and to
 * every peer one channel carrying a long-lived stream of raft message batches ({@link PeerSender}),
 * a separate stream per snapshot ({@link SnapshotUpload}), and the few unary calls members make of
 * each other (join, lease forwarding). What arrives goes to the {@link PeerHandler}.
 *
 * <p>{@link #send} is called by the raft thread with a Ready's messages: they are grouped per peer
 * and each peer's stream is flushed once, so one Ready costs one batch per peer.
 */
public final class Transport implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Transport.class);

  /**
   * The largest peer message: a batch is at most {@link PeerSender#MAX_BATCH_BYTES} or one message,
   * and a message carries at most raft's 1 MiB budget of entries or one entry of any size a member
   * can be configured to take.
   */
  static final int MAX_INBOUND_BYTES =
      Math.toIntExact(DiskStorage.MAX_ENTRY_BYTES + PeerSender.MAX_BATCH_BYTES);

  private final long memberId;
  private final long clusterId;
  private final PeerHandler handler;
  private final List<Server> servers;
  private final ScheduledExecutorService scheduler;
  // Copy-on-write, replaced under this: a cluster has a handful of peers, and the raft thread's
  // sends scan them without boxing an id or taking a lock.
  private volatile List<Peer> peers = List.of();
  private volatile boolean closed;

  private record Peer(long id, List<String> urls, ManagedChannel channel, PeerSender sender) {}

  private Transport(
      long memberId,
      long clusterId,
      PeerHandler handler,
      List<Server> servers,
      ScheduledExecutorService scheduler) {
    this.memberId = memberId;
    this.clusterId = clusterId;
    this.handler = handler;
    this.servers = servers;
    this.scheduler = scheduler;
  }

  /** Serves the peer calls on every listen address and returns the transport, with no peers. */
  public static Transport start(
      long memberId, long clusterId, List<InetSocketAddress> listen, PeerHandler handler)
      throws IOException {
    ScheduledExecutorService scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "peer-reconnect");
              t.setDaemon(true);
              return t;
            });
    List<Server> servers = new ArrayList<>();
    try {
      for (InetSocketAddress address : listen) {
        servers.add(
            NettyServerBuilder.forAddress(address)
                .directExecutor()
                .maxInboundMessageSize(MAX_INBOUND_BYTES)
                .permitKeepAliveTime(5, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true)
                .addService(
                    ServerInterceptors.intercept(
                        new PeerService(handler), PeerService.admission(clusterId, handler)))
                .build()
                .start());
      }
    } catch (IOException | RuntimeException e) {
      servers.forEach(Server::shutdownNow);
      scheduler.shutdownNow();
      throw e;
    }
    return new Transport(memberId, clusterId, handler, servers, scheduler);
  }

  /** The bound peer ports, in listen order (the real ones for port 0). */
  public List<Integer> ports() {
    return servers.stream().map(Server::getPort).toList();
  }

  /** Adds a peer, or points it at new URLs (MemberUpdate); the same URLs change nothing. */
  public synchronized void setPeer(long id, List<String> urls) {
    if (closed || id == memberId) {
      return;
    }
    Peer current = peer(id);
    if (current != null && current.urls().equals(urls)) {
      return;
    }
    removePeer(id);
    ManagedChannel channel = channel(urls, clusterId, memberId);
    PeerSender sender =
        new PeerSender(id, events -> openStream(id, channel, events), scheduler, this::unreachable);
    List<Peer> next = new ArrayList<>(peers);
    next.add(new Peer(id, List.copyOf(urls), channel, sender));
    peers = List.copyOf(next);
    sender.start();
    log.info("peer {} at {}", Long.toHexString(id), urls);
  }

  /**
   * How long the message stream to {@code peer} has been up (etcd's ActiveSince), empty while it is
   * down or the peer unknown.
   */
  public Optional<Duration> activeFor(long peer) {
    Peer known = peer(peer);
    return known == null ? Optional.empty() : known.sender().activeFor();
  }

  public synchronized void removePeer(long id) {
    Peer gone = peer(id);
    if (gone != null) {
      peers = peers.stream().filter(p -> p != gone).toList();
      gone.sender().close();
      gone.channel().shutdownNow();
    }
  }

  /**
   * Sends a Ready's messages: each peer's sender takes those addressed to it as one batch,
   * snapshots each go on a stream of their own. Called on every Ready, so it allocates nothing of
   * its own.
   */
  public void send(List<Message> messages) {
    List<Peer> known = peers;
    for (int i = 0; i < messages.size(); i++) {
      Message m = messages.get(i);
      if (m.getType() == MessageType.MSG_SNAP) {
        sendSnapshot(m);
      } else if (peer(known, m.getTo()) == null && firstTo(messages, i)) {
        unreachable(m.getTo());
      }
    }
    for (int i = 0; i < known.size(); i++) {
      known.get(i).sender().send(messages);
    }
  }

  /** Whether no message before the i-th is addressed to its peer. */
  private static boolean firstTo(List<Message> messages, int i) {
    for (int j = 0; j < i; j++) {
      if (messages.get(j).getTo() == messages.get(i).getTo()) {
        return false;
      }
    }
    return true;
  }

  private Peer peer(long id) {
    return peer(peers, id);
  }

  private static Peer peer(List<Peer> known, long id) {
    for (int i = 0; i < known.size(); i++) {
      Peer p = known.get(i);
      if (p.id() == id) {
        return p;
      }
    }
    return null;
  }

  private void sendSnapshot(Message m) {
    Peer peer = peer(m.getTo());
    if (peer == null) {
      handler.reportSnapshot(m.getTo(), true);
      return;
    }
    long to = m.getTo();
    log.info(
        "sending snapshot at index {} ({} bytes) to {}",
        m.getSnapshot().getMetadata().getIndex(),
        m.getSnapshot().getData().size(),
        Long.toHexString(to));
    PeerGrpc.newStub(peer.channel())
        .snapshot(
            new SnapshotUpload(
                m,
                (failed, cause) -> {
                  if (failed) {
                    log.warn("snapshot to {} failed: {}", Long.toHexString(to), cause.toString());
                    unreachable(to);
                  }
                  handler.reportSnapshot(to, failed);
                }));
  }

  public CompletableFuture<LeaseKeepAliveResponse> leaseRenew(
      long to, LeaseKeepAliveRequest request) {
    return call(to, (stub, response) -> stub.leaseRenew(request, response));
  }

  public CompletableFuture<MemberPromoteResponse> memberPromote(
      long to, MemberPromoteRequest request) {
    return call(to, (stub, response) -> stub.memberPromote(request, response));
  }

  public CompletableFuture<LeaseTimeToLiveResponse> leaseTimeToLive(
      long to, LeaseTimeToLiveRequest request) {
    return call(to, (stub, response) -> stub.leaseTimeToLive(request, response));
  }

  public CompletableFuture<LeaseLeasesResponse> leases(long to) {
    return call(
        to, (stub, response) -> stub.leases(LeaseLeasesRequest.getDefaultInstance(), response));
  }

  private <T> CompletableFuture<T> call(
      long to, BiConsumer<PeerGrpc.PeerStub, StreamObserver<T>> call) {
    Peer peer = peer(to);
    if (peer == null) {
      return CompletableFuture.failedFuture(
          new PeerCallException("unknown peer " + Long.toHexString(to), null));
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    call.accept(
        PeerGrpc.newStub(peer.channel()).withDeadlineAfter(5, TimeUnit.SECONDS), observer(result));
    return result.exceptionallyCompose(
        failure ->
            CompletableFuture.failedFuture(
                new PeerCallException(Status.fromThrowable(failure).getDescription(), failure)));
  }

  /**
   * Asks the members of an existing cluster, at any of {@code peerUrls}, who they are: what a
   * member started with --initial-cluster-state existing learns first (etcd's
   * GetClusterFromRemotePeers).
   */
  public static MemberListResponse fetchMembers(List<String> peerUrls, long timeoutMillis)
      throws IOException {
    IOException last = new IOException("no peer URL to ask");
    for (String url : peerUrls) {
      ManagedChannel channel = channel(List.of(url), 0, 0);
      try {
        CompletableFuture<MemberListResponse> result = new CompletableFuture<>();
        PeerGrpc.newStub(channel)
            .withDeadlineAfter(timeoutMillis, TimeUnit.MILLISECONDS)
            .members(MemberListRequest.getDefaultInstance(), observer(result));
        return result.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      } catch (Exception e) {
        last = new IOException("could not get the members from " + url + ": " + e.getMessage(), e);
      } finally {
        channel.shutdownNow();
      }
    }
    throw last;
  }

  private void unreachable(long peer) {
    if (!closed) {
      handler.reportUnreachable(peer);
    }
  }

  private PeerSender.Outbound openStream(
      long peer, ManagedChannel channel, PeerSender.Events events) {
    // Our own back-off has run: gRPC's (up to two minutes) must not delay a peer that is back.
    channel.resetConnectBackoff();
    MessageStream stream = new MessageStream(peer, events);
    PeerGrpc.newStub(channel).messages(stream);
    return stream;
  }

  /** One gRPC client stream of message batches, seen from a {@link PeerSender}. */
  private final class MessageStream
      implements PeerSender.Outbound, ClientResponseObserver<MessageBatch, StreamClosed> {
    private final long peer;
    private final PeerSender.Events events;
    private volatile ClientCallStreamObserver<MessageBatch> out;

    MessageStream(long peer, PeerSender.Events events) {
      this.peer = peer;
      this.events = events;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<MessageBatch> requestStream) {
      out = requestStream;
      out.setOnReadyHandler(events::ready);
    }

    @Override
    public boolean isReady() {
      return out.isReady();
    }

    @Override
    public void send(MessageBatch batch) {
      out.onNext(batch);
    }

    @Override
    public void close() {
      out.cancel("closed", null);
    }

    @Override
    public void onNext(StreamClosed value) {}

    @Override
    public void onError(Throwable t) {
      Status status = Status.fromThrowable(t);
      if (PeerIdentity.isMemberRemoved(status)) {
        log.error("peer {} says: {}", Long.toHexString(peer), status.getDescription());
        handler.removedFromCluster();
      } else if (PeerIdentity.CLUSTER_ID_MISMATCH.equals(status.getDescription())) {
        log.error(
            "peer {} refused this member: {} (local cluster {})",
            Long.toHexString(peer),
            status.getDescription(),
            Long.toHexString(clusterId));
      }
      events.broken(t);
    }

    @Override
    public void onCompleted() {
      events.broken(new IOException("peer closed the stream"));
    }
  }

  private static ManagedChannel channel(List<String> urls, long clusterId, long memberId) {
    URI uri = URI.create(urls.get(0));
    return NettyChannelBuilder.forAddress(uri.getHost(), uri.getPort())
        .usePlaintext()
        .directExecutor()
        .maxInboundMessageSize(MAX_INBOUND_BYTES)
        // A peer that stops answering (paused, partitioned) is noticed within seconds.
        .keepAliveTime(5, TimeUnit.SECONDS)
        .keepAliveTimeout(5, TimeUnit.SECONDS)
        .keepAliveWithoutCalls(true)
        .intercept(PeerIdentity.stamping(clusterId, memberId))
        .build();
  }

  private static <T> StreamObserver<T> observer(CompletableFuture<T> result) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        result.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        result.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {}
    };
  }

  @Override
  public synchronized void close() {
    closed = true;
    for (Peer peer : peers) {
      removePeer(peer.id());
    }
    servers.forEach(Server::shutdownNow);
    scheduler.shutdownNow();
  }
}
