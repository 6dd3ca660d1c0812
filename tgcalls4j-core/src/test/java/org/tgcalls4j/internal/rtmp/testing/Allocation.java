package org.tgcalls4j.internal.rtmp.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;

/** Bytes allocated on the heap by the current thread (HotSpot's per-thread counter). */
public final class Allocation {
  private Allocation() {}

  /** @return bytes this thread has allocated so far; skips the test if the JVM cannot tell */
  public static long allocatedBytes() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
    return threads.getThreadAllocatedBytes(Thread.currentThread().getId());
  }
}
