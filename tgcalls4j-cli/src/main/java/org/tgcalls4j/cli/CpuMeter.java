package org.tgcalls4j.cli;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/** Sums the CPU time of the library's per-call threads (named {@code tgcalls4j-io-*}, {@code -send-*}). */
final class CpuMeter {
  private CpuMeter() {}

  /** @return CPU time used so far by live call threads, ns, or -1 if the JVM cannot measure it */
  static long callThreadsCpuNanos() {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    if (!mx.isThreadCpuTimeSupported()) {
      return -1;
    }
    long total = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      String name = t.getName();
      if (name.startsWith("tgcalls4j-io-") || name.startsWith("tgcalls4j-send-")) {
        long cpu = mx.getThreadCpuTime(t.getId());
        if (cpu > 0) {
          total += cpu;
        }
      }
    }
    return total;
  }
}
