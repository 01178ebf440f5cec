package io.ketch;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;

/** What the tests that bound a copy measure: the heap bytes this thread has allocated so far. */
public final class Allocations {
  private Allocations() {}

  public static long onThisThread() {
    return ((ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
  }
}
