package io.ketch.server;

import com.google.protobuf.ByteString;
import io.ketch.raft.ProposalDroppedException;
import io.ketch.raft.RawNode;
import io.ketch.raft.ReadState;
import io.ketch.raft.Ready;
import io.ketch.raft.SoftState;
import io.ketch.raft.StateRole;
import io.ketch.raft.pb.HardState;
import io.ketch.raft.pb.Message;
import io.ketch.storage.DiskStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns the {@link RawNode} and the durable log. Everything that touches raft
 * arrives here as an {@link Event} on a bounded queue (back-pressure for proposers) and is handled
 * in batches: all events waiting are stepped in, in order, proposals queued next to each other as
 * one MSG_PROP, then one Ready is persisted with one sync (group commit) and handed to the apply
 * thread. The Ready contract (raft's package doc) is followed literally:
 *
 * <ol>
 *   <li>a leader sends its messages before its own write (thesis 10.2.1); a follower only after it;
 *   <li>the snapshot, then the entries and HardState are saved, synced once when raft asks for it;
 *   <li>committed entries go to the apply thread only after that save, so nothing is applied (and
 *       no client is answered) before it is durable here (etcd#14370); a Ready with no new entries
 *       and no snapshot hands them on first, since every earlier Ready was saved before this one
 *       (etcd's raftNode applies in parallel with its save the same way);
 *   <li>advance.
 * </ol>
 */
final class RaftLoop implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RaftLoop.class);
  private static final int MAX_EVENTS_PER_BATCH = 4096;
  // A follower forwards a MSG_PROP to the leader as one peer message: keep it about the size of a
  // MSG_APP (raft's maxSizePerMsg).
  private static final long MAX_PROPOSAL_BYTES = 1 << 20;
  private static final Task WAKE_UP = (node, storage) -> {};

  /** What the raft thread is handed: a proposal, or any other task. */
  sealed interface Event permits Task, Proposal {}

  /** Something for the raft thread to do, run with the node and the log it owns. */
  @FunctionalInterface
  non-sealed interface Task extends Event {
    void run(RawNode node, DiskStorage storage);
  }

  /**
   * A normal entry's data for the log. Proposals queued next to each other are stepped as one
   * MSG_PROP (up to about {@link #MAX_PROPOSAL_BYTES}); if raft drops it, each one's {@code
   * onDropped} runs.
   */
  record Proposal(ByteString data, Runnable onDropped) implements Event {}

  /** What the loop hands on; implemented by the member. */
  interface Listener {
    void onSoftState(SoftState state, long term);

    void onHardState(HardState state);

    /** The nanoseconds one sync of the log took. */
    void onSync(long nanos);

    void onReadStates(List<ReadState> states);

    /**
     * Called after the Ready is durable; false if it could not be handed on within {@code
     * timeoutMillis} (the apply queue is bounded): the loop then runs its urgent calls and tries
     * again.
     */
    boolean offerCommitted(Ready ready, long timeoutMillis) throws InterruptedException;

    void send(List<Message> messages);

    /** The loop cannot go on (a disk failure); the member must stop. */
    void onFatal(Throwable cause);
  }

  private final RawNode node;
  private final DiskStorage storage;
  private final Listener listener;
  private final long tickNanos;
  private final BlockingQueue<Event> events;
  // Calls another thread waits on (the apply thread applying a conf change): run before any other
  // work, and also while the raft thread itself waits for the apply queue, so neither can wait
  // for the other forever.
  private final Queue<Runnable> urgent = new ConcurrentLinkedQueue<>();
  private final Thread thread;
  // Proposals of the current batch not yet stepped: only the raft thread touches them.
  private final List<Proposal> proposals = new ArrayList<>();
  private long proposalBytes;
  private volatile boolean running = true;
  private StateRole role = StateRole.FOLLOWER;

  RaftLoop(
      RawNode node, DiskStorage storage, Listener listener, long tickMillis, int queueCapacity) {
    this.node = node;
    this.storage = storage;
    this.listener = listener;
    this.tickNanos = TimeUnit.MILLISECONDS.toNanos(tickMillis);
    this.events = new ArrayBlockingQueue<>(queueCapacity);
    this.thread = new Thread(this::run, "raft");
  }

  void start() {
    thread.start();
  }

  /**
   * Queues a task, waiting at most {@code timeoutMillis} for room (back-pressure); called on the
   * raft thread itself, it never waits.
   *
   * @return false if the queue stayed full or the loop has stopped
   */
  boolean submit(Task task, long timeoutMillis) {
    return offer(task, timeoutMillis);
  }

  /** Queues a proposal, as {@link #submit}. */
  boolean propose(Proposal proposal, long timeoutMillis) {
    return offer(proposal, timeoutMillis);
  }

  private boolean offer(Event event, long timeoutMillis) {
    if (!running) {
      return false;
    }
    if (Thread.currentThread() == thread) {
      // A callback run here (a read's next round) would wait for itself.
      return events.offer(event);
    }
    try {
      return events.offer(event, timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Runs {@code call} on the raft thread as soon as it can and completes with its result. */
  <T> CompletableFuture<T> call(Function<RawNode, T> call) {
    CompletableFuture<T> result = new CompletableFuture<>();
    if (!running) {
      result.completeExceptionally(new IllegalStateException("raft loop stopped"));
      return result;
    }
    urgent.add(
        () -> {
          try {
            result.complete(call.apply(node));
          } catch (RuntimeException e) {
            result.completeExceptionally(e);
          }
        });
    events.offer(WAKE_UP); // when full, the loop is awake anyway
    return result;
  }

  private void runUrgent() {
    for (Runnable call = urgent.poll(); call != null; call = urgent.poll()) {
      call.run();
    }
  }

  private void run() {
    List<Event> batch = new ArrayList<>();
    long nextTick = System.nanoTime() + tickNanos;
    try {
      while (running) {
        // A Ready can follow straight from the last advance (the leader commits its own entries
        // only once they are durable): then look for new work without waiting for the next tick.
        long wait = node.hasReady() ? 0 : nextTick - System.nanoTime();
        Event first = wait > 0 ? events.poll(wait, TimeUnit.NANOSECONDS) : events.poll();
        runUrgent();
        if (first != null) {
          batch.add(first);
          events.drainTo(batch, MAX_EVENTS_PER_BATCH);
          for (int i = 0; i < batch.size(); i++) {
            Event event = batch.get(i);
            if (event instanceof Proposal proposal) {
              collect(proposal);
            } else if (event instanceof Task task) {
              // Keeps the order: the proposals queued before the task are stepped before it.
              proposeCollected();
              task.run(node, storage);
            }
          }
          proposeCollected();
          batch.clear();
        }
        long now = System.nanoTime();
        if (now - nextTick >= 0) {
          node.tick();
          nextTick = now + tickNanos;
        }
        if (node.hasReady()) {
          handleReady(node.ready());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Throwable t) {
      log.error("raft loop stopped", t);
      running = false;
      listener.onFatal(t);
    }
  }

  private void collect(Proposal proposal) {
    proposals.add(proposal);
    proposalBytes += proposal.data().size();
    if (proposalBytes >= MAX_PROPOSAL_BYTES) {
      proposeCollected();
    }
  }

  /** Steps the proposals collected so far as one MSG_PROP. */
  private void proposeCollected() {
    if (proposals.isEmpty()) {
      return;
    }
    try {
      List<ByteString> data = new ArrayList<>(proposals.size());
      for (Proposal proposal : proposals) {
        data.add(proposal.data());
      }
      node.propose(data);
    } catch (ProposalDroppedException e) {
      proposals.forEach(proposal -> proposal.onDropped().run());
    }
    proposals.clear();
    proposalBytes = 0;
  }

  private void handleReady(Ready rd) throws InterruptedException {
    if (rd.softState() != null) {
      role = rd.softState().role();
      listener.onSoftState(rd.softState(), node.status().term());
    }
    boolean leader = role == StateRole.LEADER;
    if (leader && !rd.messages().isEmpty()) {
      listener.send(rd.messages());
    }
    boolean committedAreDurable = rd.entries().isEmpty() && rd.snapshot() == null;
    if (committedAreDurable) {
      handOnCommitted(rd);
    }
    if (rd.snapshot() != null) {
      storage.saveSnapshot(rd.snapshot());
    }
    long start = System.nanoTime();
    storage.save(rd.hardState(), rd.entries(), rd.mustSync());
    if (rd.mustSync()) {
      listener.onSync(System.nanoTime() - start);
    }
    if (rd.hardState() != null) {
      listener.onHardState(rd.hardState());
    }
    if (!leader && !rd.messages().isEmpty()) {
      listener.send(rd.messages());
    }
    if (!rd.readStates().isEmpty()) {
      listener.onReadStates(rd.readStates());
    }
    if (!committedAreDurable) {
      handOnCommitted(rd);
    }
    node.advance(rd);
  }

  private void handOnCommitted(Ready rd) throws InterruptedException {
    if (rd.snapshot() != null || !rd.committedEntries().isEmpty()) {
      while (!listener.offerCommitted(rd, 10)) {
        runUrgent();
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.interrupt();
    thread.join();
  }
}
