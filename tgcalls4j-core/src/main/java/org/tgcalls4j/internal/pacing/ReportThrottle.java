package org.tgcalls4j.internal.pacing;

/**
 * Lets the first report through at once and later ones at most once per interval: the rule of the
 * client's overload log line ({@link PacingOverload}, 10 s) and of a call's overload event (1 s).
 *
 * <p>Not thread-safe: its owner calls it under its own lock.
 */
public final class ReportThrottle {
  private final long intervalNanos;
  private boolean reported;
  private long lastReportNanos;

  /** @param intervalNanos least time between two reports, ns */
  public ReportThrottle(long intervalNanos) {
    this.intervalNanos = intervalNanos;
  }

  /**
   * @param nowNanos the time now, on the owner's clock
   * @return whether a report may go out now; if so, it counts as made at {@code nowNanos}
   */
  public boolean tryReport(long nowNanos) {
    if (reported && nowNanos - lastReportNanos < intervalNanos) {
      return false;
    }
    reported = true;
    lastReportNanos = nowNanos;
    return true;
  }
}
