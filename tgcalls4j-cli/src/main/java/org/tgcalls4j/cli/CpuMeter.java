package org.tgcalls4j.cli;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Sums the CPU time of the library's threads that carry calls: the event loops
 * ({@code tgcalls4j-loop-*}, shared by every call of the client), the pacing ticker
 * ({@code tgcalls4j-pacing}) and per-call source readers
 * ({@code tgcalls4j-read-*}). In the demo the client has one call, so this is that call's cost.
 */
final class CpuMeter {
  private CpuMeter() {}

  /** @return CPU time used so far by those threads while alive, ns, or -1 if the JVM cannot measure it */
  static long callThreadsCpuNanos() {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    if (!mx.isThreadCpuTimeSupported()) {
      return -1;
    }
    long total = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      String name = t.getName();
      if (name.startsWith("tgcalls4j-loop-") || name.startsWith("tgcalls4j-read-")
          || name.startsWith("tgcalls4j-pacing")) {
        long cpu = mx.getThreadCpuTime(t.getId());
        if (cpu > 0) {
          total += cpu;
        }
      }
    }
    return total;
  }
}
