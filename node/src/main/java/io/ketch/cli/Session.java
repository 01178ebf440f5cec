package io.ketch.cli;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.stub.AbstractStub;
import java.io.InputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What one ketchctl run works with: its streams and environment, the global flags, and the channels
 * it opened (closed when the run ends). Tests build one over in-memory streams and in-process
 * channels.
 */
final class Session implements AutoCloseable {
  /** How endpoints become a channel: Netty in production, in-process in tests. */
  interface Channels {
    ManagedChannel open(List<String> endpoints);
  }

  final InputStream in;
  final PrintStream out;
  final PrintStream err;
  final Map<String, String> env;
  final boolean stderrIsTerminal;
  final GlobalOptions globals = new GlobalOptions();
  private final Channels channels;
  private final List<ManagedChannel> opened = new ArrayList<>();
  private ManagedChannel channel;

  Session(
      InputStream in,
      PrintStream out,
      PrintStream err,
      Map<String, String> env,
      Channels channels,
      boolean stderrIsTerminal) {
    this.in = in;
    this.out = out;
    this.err = err;
    this.env = env;
    this.channels = channels;
    this.stderrIsTerminal = stderrIsTerminal;
  }

  /** The channel over all --endpoints, connected within --dial-timeout. */
  ManagedChannel channel() {
    if (channel == null) {
      channel = connect(globals.endpoints());
    }
    return channel;
  }

  /** A channel to the given endpoints alone (endpoint status and health ask each one). */
  ManagedChannel connect(List<String> endpoints) {
    ManagedChannel opening = channels.open(endpoints);
    opened.add(opening);
    awaitReady(opening, globals.dialTimeout(), globals.commandTimeout());
    return opening;
  }

  /** The stub with --command-timeout as its deadline. */
  <S extends AbstractStub<S>> S timed(S stub) {
    return stub.withDeadlineAfter(globals.commandTimeout().toNanos(), TimeUnit.NANOSECONDS);
  }

  Output output() {
    return new Output(out, globals.hex);
  }

  /**
   * Waits for a connection. Failed attempts are retried until --dial-timeout; an attempt still in
   * progress then gets up to --command-timeout more, so that a cold JVM on a busy machine (class
   * loading inside the first connect) is not mistaken for an unreachable endpoint.
   */
  private static void awaitReady(ManagedChannel channel, Duration dialTimeout, Duration grace) {
    long dialDeadline = System.nanoTime() + dialTimeout.toNanos();
    long finalDeadline = dialDeadline + grace.toNanos();
    ConnectivityState state = channel.getState(true);
    while (state != ConnectivityState.READY) {
      long now = System.nanoTime();
      boolean tooLate =
          now >= finalDeadline || (now >= dialDeadline && state != ConnectivityState.CONNECTING);
      if (state == ConnectivityState.SHUTDOWN || tooLate) {
        throw new CliException(CliException.ERROR, "context deadline exceeded");
      }
      CountDownLatch changed = new CountDownLatch(1);
      channel.notifyWhenStateChanged(state, changed::countDown);
      try {
        changed.await(
            (now < dialDeadline ? dialDeadline : finalDeadline) - now, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CliException(CliException.INTERRUPTED, "interrupted");
      }
      state = channel.getState(true);
    }
  }

  @Override
  public void close() {
    for (ManagedChannel c : opened) {
      c.shutdownNow();
    }
    for (ManagedChannel c : opened) {
      try {
        c.awaitTermination(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
