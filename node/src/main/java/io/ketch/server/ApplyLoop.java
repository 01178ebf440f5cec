package io.ketch.server;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The apply thread: runs, in order, the batches of committed entries the raft thread hands over
 * (and the few tasks that need the state still, such as taking a snapshot). The queue is bounded,
 * so a slow apply holds the raft thread back instead of growing memory.
 */
final class ApplyLoop implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ApplyLoop.class);
  private static final Runnable STOP = () -> {};

  private final BlockingQueue<Runnable> tasks;
  private final Thread thread;
  private final Consumer<Throwable> onFatal;

  ApplyLoop(int capacity, Consumer<Throwable> onFatal) {
    this.tasks = new ArrayBlockingQueue<>(capacity);
    this.onFatal = onFatal;
    this.thread = new Thread(this::run, "apply");
  }

  void start() {
    thread.start();
  }

  /** Queues a task, waiting for room: the caller is the raft thread, which must not drop work. */
  void submit(Runnable task) throws InterruptedException {
    tasks.put(task);
  }

  /** Queues a task if there is room within {@code timeoutMillis}. */
  boolean offer(Runnable task, long timeoutMillis) throws InterruptedException {
    return tasks.offer(task, timeoutMillis, TimeUnit.MILLISECONDS);
  }

  private void run() {
    try {
      for (Runnable task = tasks.take(); task != STOP; task = tasks.take()) {
        task.run();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Throwable t) {
      log.error("apply loop stopped", t);
      onFatal.accept(t);
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (!tasks.offer(STOP)) {
      thread.interrupt();
    }
    thread.join();
  }
}
