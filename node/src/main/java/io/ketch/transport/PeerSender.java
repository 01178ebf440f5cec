package io.ketch.transport;

import io.ketch.raft.pb.Message;
import io.ketch.raft.pb.MessageType;
import io.ketch.transport.pb.MessageBatch;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The raft messages for one peer: a bounded queue drained into one long-lived stream, a batch at a
 * time, without waiting for any reply (etcd's streamWriter). A message that finds the queue full,
 * or no stream open, is dropped and the peer reported unreachable, so raft probes it instead of
 * streaming on (etcd drops the same way). A broken stream is reopened after a back-off that doubles
 * up to {@link #MAX_BACKOFF_MILLIS}.
 */
final class PeerSender {
  private static final Logger log = LoggerFactory.getLogger(PeerSender.class);

  /** etcd's streamBufSize. */
  static final int QUEUE_CAPACITY = 4096;

  /** A batch closes at this many bytes of messages (one message may be larger on its own). */
  static final int MAX_BATCH_BYTES = 4 << 20;

  static final long MIN_BACKOFF_MILLIS = 50;
  static final long MAX_BACKOFF_MILLIS = 2000;

  /** One open stream to the peer. */
  interface Outbound {
    boolean isReady();

    void send(MessageBatch batch);

    void close();
  }

  /** What the stream tells its sender. */
  interface Events {
    /** The stream can take more (gRPC's onReady). */
    void ready();

    /** The stream broke (or could not be opened). */
    void broken(Throwable cause);
  }

  /** Opens a stream to the peer; failures arrive through the events, never thrown. */
  interface Connector {
    Outbound open(Events events);
  }

  private final long peer;
  private final Connector connector;
  private final ScheduledExecutorService scheduler;
  private final LongConsumer unreachable;

  // Guarded by this.
  private final ArrayDeque<Message> queue = new ArrayDeque<>();
  private Outbound stream;
  private long backoffMillis = MIN_BACKOFF_MILLIS;
  private boolean closed;
  // When the current stream first took messages (System.nanoTime); meaningful while active.
  private boolean active;
  private long activeSinceNanos;

  PeerSender(
      long peer,
      Connector connector,
      ScheduledExecutorService scheduler,
      LongConsumer unreachable) {
    this.peer = peer;
    this.connector = connector;
    this.scheduler = scheduler;
    this.unreachable = unreachable;
  }

  void start() {
    connect();
  }

  /**
   * Queues those of the messages addressed to this peer, snapshots aside (they go on streams of
   * their own), and sends what the stream takes now; never blocks.
   */
  void send(List<Message> messages) {
    int dropped = 0;
    synchronized (this) {
      for (int i = 0; i < messages.size(); i++) {
        Message m = messages.get(i);
        if (m.getTo() != peer || m.getType() == MessageType.MSG_SNAP) {
          continue;
        }
        if (stream == null || queue.size() >= QUEUE_CAPACITY) {
          dropped++;
        } else {
          queue.add(m);
        }
      }
      flushLocked();
    }
    if (dropped > 0) {
      unreachable.accept(peer);
    }
  }

  synchronized int queued() {
    return queue.size();
  }

  /**
   * How long the current stream has been up (etcd's peer ActiveSince), empty while there is none:
   * from when it was first ready, which gRPC's call is once it has a connected transport.
   */
  synchronized Optional<Duration> activeFor() {
    return active
        ? Optional.of(Duration.ofNanos(System.nanoTime() - activeSinceNanos))
        : Optional.empty();
  }

  private void flushLocked() {
    while (stream != null && !queue.isEmpty() && stream.isReady()) {
      MessageBatch.Builder batch = MessageBatch.newBuilder();
      int bytes = 0;
      while (!queue.isEmpty()
          && (batch.getMessagesCount() == 0
              || bytes + queue.peek().getSerializedSize() <= MAX_BATCH_BYTES)) {
        Message m = queue.poll();
        bytes += m.getSerializedSize();
        batch.addMessages(m);
      }
      stream.send(batch.build());
    }
  }

  private void markActiveLocked() {
    if (!active && stream.isReady()) {
      active = true;
      activeSinceNanos = System.nanoTime();
    }
  }

  private void connect() {
    StreamEvents events = new StreamEvents();
    Outbound opened = connector.open(events);
    synchronized (this) {
      if (closed || events.broken) {
        opened.close(); // broke while opening: broken() has scheduled the next attempt
        return;
      }
      stream = opened;
      events.stream = opened;
      // Its first onReady may have come before it was the current stream.
      markActiveLocked();
      flushLocked();
    }
  }

  /** The events of one stream; a stale stream's events are ignored. Guarded by the sender. */
  private final class StreamEvents implements Events {
    private Outbound stream;
    private boolean broken;

    @Override
    public void ready() {
      synchronized (PeerSender.this) {
        if (!broken && stream != null && PeerSender.this.stream == stream) {
          markActiveLocked();
          backoffMillis = MIN_BACKOFF_MILLIS;
          flushLocked();
        }
      }
    }

    @Override
    public void broken(Throwable cause) {
      long delay;
      synchronized (PeerSender.this) {
        if (closed || broken) {
          return;
        }
        broken = true;
        active = false;
        PeerSender.this.stream = null;
        queue.clear();
        delay = backoffMillis;
        backoffMillis = Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
      }
      log.debug("stream to peer {} broke ({}); reconnecting in {} ms", hex(peer), cause, delay);
      unreachable.accept(peer);
      try {
        scheduler.schedule(PeerSender.this::connect, delay, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        // the transport is closing
      }
    }
  }

  void close() {
    Outbound open;
    synchronized (this) {
      closed = true;
      active = false;
      open = stream;
      stream = null;
      queue.clear();
    }
    if (open != null) {
      open.close();
    }
  }

  static String hex(long id) {
    return Long.toHexString(id);
  }
}
