package io.ketch.api;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.ketch.server.ServerError;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * etcd's hasleader metadata (its v3rpc interceptors and monitorLeader): a call whose client sent
 * hasleader=true is refused with NoLeader while this member knows no leader; a stream such a call
 * opened (Watch, LeaseKeepAlive) is cancelled with NoLeader once the member has been without a
 * leader for {@link #NO_LEADER_TICKS} election timeouts in a row, so that its client moves to a
 * member that has one.
 */
final class LeaderMonitor implements ServerInterceptor {
  /** The metadata key etcd's clients set to require a leader. */
  static final Metadata.Key<String> HAS_LEADER =
      Metadata.Key.of("hasleader", Metadata.ASCII_STRING_MARSHALLER);

  /** etcd's maxNoLeaderCnt. */
  static final int NO_LEADER_TICKS = 3;

  private static final Context.Key<Boolean> REQUIRE_LEADER = Context.key("ketch-require-leader");

  /** A stream opened with hasleader=true. */
  interface LeaderBound {
    /** Ends the stream with NoLeader; called at most once, from the monitor's thread. */
    void cancelForNoLeader();
  }

  private final BooleanSupplier hasLeader;
  private final Set<LeaderBound> streams = ConcurrentHashMap.newKeySet();
  private int noLeaderTicks; // the monitor's thread only

  /** Looks for a leader on {@code ticks} every election timeout. */
  LeaderMonitor(
      BooleanSupplier hasLeader, ScheduledExecutorService ticks, Duration electionTimeout) {
    this.hasLeader = hasLeader;
    long every = electionTimeout.toMillis();
    ticks.scheduleAtFixedRate(this::tick, every, every, TimeUnit.MILLISECONDS);
  }

  /** Whether the client of the current call sent hasleader=true. */
  static boolean leaderRequired() {
    return Boolean.TRUE.equals(REQUIRE_LEADER.get());
  }

  /** Watches a stream opened by a call that {@link #leaderRequired()}, until {@link #forget}. */
  void watch(LeaderBound stream) {
    streams.add(stream);
  }

  void forget(LeaderBound stream) {
    streams.remove(stream);
  }

  private void tick() {
    if (hasLeader.getAsBoolean()) {
      noLeaderTicks = 0;
      return;
    }
    if (++noLeaderTicks >= NO_LEADER_TICKS) {
      for (LeaderBound stream : streams) {
        if (streams.remove(stream)) {
          stream.cancelForNoLeader();
        }
      }
    }
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    if (!"true".equals(headers.get(HAS_LEADER))) {
      return next.startCall(call, headers);
    }
    if (!hasLeader.getAsBoolean()) {
      call.close(EtcdStatus.of(ServerError.NO_LEADER), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    Context context = Context.current().withValue(REQUIRE_LEADER, true);
    return Contexts.interceptCall(context, call, headers, next);
  }
}
