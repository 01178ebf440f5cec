package io.ketch.api;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.ketch.api.http.EventLoops;
import io.ketch.auth.AuthException;
import io.ketch.mvcc.WatchStream;
import io.ketch.mvcc.WatchableStore;
import io.ketch.pb.etcdserver.ResponseHeader;
import io.ketch.pb.etcdserver.WatchCreateRequest;
import io.ketch.pb.etcdserver.WatchGrpc;
import io.ketch.pb.etcdserver.WatchRequest;
import io.ketch.pb.etcdserver.WatchResponse;
import io.ketch.server.EtcdServer;
import io.ketch.server.ServerError;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * etcd's Watch service: one {@link WatchStream} per client stream. Requests go straight to the
 * stream; its responses are drained to the client only while the client keeps up (isReady), so a
 * slow client leaves its events in the bounded stream, whose watchers then fall back to catching up
 * from history: memory stays bounded and the apply thread never waits for a client.
 *
 * <p>A stream is drained on its connection's event loop, where the gRPC call runs: the store's
 * thread only schedules the drain, and the drain's writes are flushed on that same thread.
 */
final class WatchService extends WatchGrpc.WatchImplBase {
  private final EtcdServer server;
  private final WatchableStore store;
  private final Executor drains;
  private final int maxResponseBytes;
  private final LeaderMonitor leaders;

  private final Set<ClientStream> streams = ConcurrentHashMap.newKeySet();

  /**
   * @param drains where a stream is drained whose call did not arrive on an event loop
   * @param progressTicks where the progress_notify timer runs, every {@code progressInterval}
   */
  WatchService(
      EtcdServer server,
      WatchableStore store,
      Executor drains,
      int maxResponseBytes,
      ScheduledExecutorService progressTicks,
      Duration progressInterval,
      LeaderMonitor leaders) {
    this.server = server;
    this.store = store;
    this.drains = drains;
    this.maxResponseBytes = maxResponseBytes;
    this.leaders = leaders;
    long every = progressInterval.toMillis();
    progressTicks.scheduleAtFixedRate(
        () -> streams.forEach(ClientStream::notifyProgress), every, every, TimeUnit.MILLISECONDS);
  }

  @Override
  public StreamObserver<WatchRequest> watch(StreamObserver<WatchResponse> responses) {
    ServerCallStreamObserver<WatchResponse> out =
        (ServerCallStreamObserver<WatchResponse>) responses;
    ClientStream stream =
        new ClientStream(out, store.newWatchStream(), EventLoops.currentOr(drains));
    streams.add(stream);
    if (LeaderMonitor.leaderRequired()) {
      leaders.watch(stream);
    }
    out.setOnReadyHandler(stream::scheduleDrain);
    out.setOnCancelHandler(stream::close);
    return stream;
  }

  private final class ClientStream
      implements StreamObserver<WatchRequest>, LeaderMonitor.LeaderBound {
    private final ServerCallStreamObserver<WatchResponse> out;
    private final WatchStream watchers;
    private final Set<Long> fragmented = ConcurrentHashMap.newKeySet();
    private final Set<Long> progressNotify = ConcurrentHashMap.newKeySet();
    private final Set<Long> sentEvents = ConcurrentHashMap.newKeySet();
    private final Executor drainer;
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private volatile boolean closed;

    ClientStream(
        ServerCallStreamObserver<WatchResponse> out, WatchStream watchers, Executor drainer) {
      this.out = out;
      this.watchers = watchers;
      this.drainer = drainer;
      watchers.setReadyListener(this::scheduleDrain);
    }

    @Override
    public void onNext(WatchRequest request) {
      switch (request.getRequestUnionCase()) {
        case CREATE_REQUEST -> {
          if (!server.watchPermitted(request.getCreateRequest())) {
            refuse();
            return;
          }
          create(request.getCreateRequest());
        }
        case CANCEL_REQUEST -> {
          long id = request.getCancelRequest().getWatchId();
          fragmented.remove(id);
          progressNotify.remove(id);
          watchers.cancel(id);
        }
        case PROGRESS_REQUEST -> watchers.requestProgress();
        case REQUESTUNION_NOT_SET -> {}
      }
    }

    /** etcd answers a watch the user may not read with a cancel, keeping the stream open. */
    private synchronized void refuse() {
      send(
          WatchResponse.newBuilder()
              .setHeader(server.currentHeader())
              .setWatchId(-1)
              .setCreated(true)
              .setCanceled(true)
              .setCancelReason(AuthException.Kind.PERMISSION_DENIED.message())
              .build());
    }

    /**
     * Holds the drain lock while the watcher is made, so none of its responses (the catch-up may be
     * ready at once, drained on another thread) goes out before its options are recorded here. Lock
     * order: this stream, then the store's lock; the store's callbacks only schedule drains.
     */
    private synchronized void create(WatchCreateRequest create) {
      long id = watchers.watch(create);
      if (id != WatchStream.NO_WATCH_ID && create.getFragment()) {
        fragmented.add(id);
      }
      if (id != WatchStream.NO_WATCH_ID && create.getProgressNotify()) {
        progressNotify.add(id);
      }
    }

    @Override
    public void onError(Throwable t) {
      close();
    }

    @Override
    public void onCompleted() {
      close();
      out.onCompleted();
    }

    void close() {
      closed = true;
      streams.remove(this);
      leaders.forget(this);
      watchers.close();
    }

    @Override
    public void cancelForNoLeader() {
      synchronized (this) {
        if (closed) {
          return;
        }
        close();
        out.onError(EtcdStatus.of(ServerError.NO_LEADER.exception()));
      }
    }

    /**
     * etcd's progress_notify: an empty response to each watcher that asked for it and got no events
     * since the last tick, when it is synced (the store answers nothing otherwise).
     */
    void notifyProgress() {
      for (long id : progressNotify) {
        if (!sentEvents.remove(id)) {
          watchers.requestProgress(id);
        }
      }
    }

    /** Called from the store's threads with its lock held: only schedules. */
    void scheduleDrain() {
      if (!closed && drainScheduled.compareAndSet(false, true)) {
        try {
          drainer.execute(this::drain);
        } catch (RejectedExecutionException e) {
          // The connection's event loop has shut down, and the stream with it.
        }
      }
    }

    private void drain() {
      drainScheduled.set(false);
      synchronized (this) {
        while (!closed && out.isReady()) {
          WatchResponse response = watchers.poll();
          if (response == null) {
            return;
          }
          send(response);
        }
      }
    }

    private void send(WatchResponse response) {
      ResponseHeader header = server.header(response.getHeader().getRevision());
      WatchResponse full = response.toBuilder().setHeader(header).build();
      if (fragmented.contains(full.getWatchId()) && full.getSerializedSize() > maxResponseBytes) {
        sendFragments(full);
      } else {
        out.onNext(full);
      }
      if (response.getEventsCount() > 0 && progressNotify.contains(response.getWatchId())) {
        sentEvents.add(response.getWatchId());
      }
      if (response.getCanceled()) {
        fragmented.remove(response.getWatchId());
        progressNotify.remove(response.getWatchId());
      }
    }

    /** etcd's fragment option: pieces under the size limit, each marked fragment but the last. */
    private void sendFragments(WatchResponse full) {
      WatchResponse.Builder piece = full.toBuilder().clearEvents().setFragment(true);
      int size = piece.build().getSerializedSize();
      for (var event : full.getEventsList()) {
        int eventSize = event.getSerializedSize() + 8;
        if (piece.getEventsCount() > 0 && size + eventSize > maxResponseBytes) {
          out.onNext(piece.build());
          piece.clearEvents();
          size = piece.build().getSerializedSize();
        }
        piece.addEvents(event);
        size += eventSize;
      }
      out.onNext(piece.setFragment(false).build());
    }
  }
}
