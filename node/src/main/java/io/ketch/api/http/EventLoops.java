package io.ketch.api.http;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import java.util.concurrent.Executor;

/** The Netty event loop a call runs on: the listeners hand every call to its connection's loop. */
public final class EventLoops {
  private EventLoops() {}

  /**
   * The event loop of the calling thread, or {@code elsewhere} when the caller is not on one (an
   * in-process call). Work handed to the loop runs on the connection's own thread, and a write it
   * makes is flushed there without waking another thread.
   */
  public static Executor currentOr(Executor elsewhere) {
    EventExecutor loop = ThreadExecutorMap.currentExecutor();
    return loop != null ? loop : elsewhere;
  }
}
