package io.ketch.server;

import io.ketch.raft.pb.ConfState;
import io.ketch.storage.DiskStorage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the member's own snapshots on a thread of its own, one at a time: the apply thread only
 * captures the state (references, see {@link MemberState#captureSnapshot}) and goes on, and the
 * raft thread never waits for a snapshot's bytes or its fsync. The log is compacted once the file
 * is durable (etcd does the same from a goroutine of its own).
 */
final class Snapshotter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Snapshotter.class);

  private final DiskStorage storage;
  private final Consumer<Throwable> fatal;
  private final ExecutorService thread =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "snapshotter");
            t.setDaemon(true);
            return t;
          });
  private final AtomicBoolean writing = new AtomicBoolean();

  /** {@code fatal} gets a failure to write (the disk): the member cannot go on. */
  Snapshotter(DiskStorage storage, Consumer<Throwable> fatal) {
    this.storage = storage;
    this.fatal = fatal;
  }

  /**
   * Captures a snapshot (on the caller's thread) and starts writing it.
   *
   * @return false, capturing nothing, while the previous snapshot is still being written
   */
  boolean offer(Supplier<MemberState.PendingSnapshot> capture, ConfState confState) {
    if (!writing.compareAndSet(false, true)) {
      return false;
    }
    MemberState.PendingSnapshot pending;
    try {
      pending = capture.get();
    } catch (RuntimeException e) {
      writing.set(false);
      throw e;
    }
    try {
      thread.execute(() -> write(pending, confState));
      return true;
    } catch (RejectedExecutionException e) {
      writing.set(false); // closing
      return false;
    }
  }

  private void write(MemberState.PendingSnapshot pending, ConfState confState) {
    try {
      long start = System.nanoTime();
      storage.createSnapshot(pending.appliedIndex(), confState, pending);
      log.info(
          "saved snapshot at index {} ({} bytes) in {} ms",
          pending.appliedIndex(),
          pending.size(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    } catch (Throwable t) {
      fatal.accept(t);
    } finally {
      writing.set(false);
    }
  }

  @Override
  public void close() throws InterruptedException {
    thread.shutdown();
    thread.awaitTermination(1, TimeUnit.MINUTES);
  }
}
