package org.tgcalls4j.internal.pacing;

import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's lateness limit and its overload report. Its senders drop frames that they reach
 * more than {@link #limitNanos()} after their deadline although the source had them in time (see
 * {@link Pacer#dropped}) and tell this object; it logs one WARN line for the whole client at most
 * every {@link #REPORT_INTERVAL_NANOS}: the first drop after a quiet period at once, drops within
 * the next 10 s together on the first drop or {@link #poll} after they are over.
 *
 * <p>Thread-safe: senders of every loop call it; the lock is taken only when frames were dropped
 * (or a report of them is pending), never per frame sent.
 */
public final class PacingOverload {
  private static final Logger log = LoggerFactory.getLogger(PacingOverload.class);
  /** At most one log line per client per this interval: 10 s. */
  public static final long REPORT_INTERVAL_NANOS = 10_000_000_000L;

  private final long limitNanos;
  private volatile boolean pending;
  // guarded by this
  private long dropped;
  private final Set<Long> calls = new HashSet<>();
  private long windowStartNanos;
  private final ReportThrottle throttle = new ReportThrottle(REPORT_INTERVAL_NANOS);
  private long logLines;

  /**
   * @param limitNanos the lateness limit, ns; at least {@link Pacer#MIN_LATENESS_LIMIT_NANOS}
   * @throws IllegalArgumentException if it is smaller
   */
  public PacingOverload(long limitNanos) {
    if (limitNanos < Pacer.MIN_LATENESS_LIMIT_NANOS) {
      throw new IllegalArgumentException("lateness limit must be at least 20 ms: " + limitNanos + " ns");
    }
    this.limitNanos = limitNanos;
  }

  /** @return a report with the default limit, {@link Pacer#REBASE_THRESHOLD_NANOS} */
  public static PacingOverload withDefaultLimit() {
    return new PacingOverload(Pacer.REBASE_THRESHOLD_NANOS);
  }

  /** @return the lateness limit, ns */
  public long limitNanos() {
    return limitNanos;
  }

  /**
   * Counts frames a sender dropped; logs now if no line went out in the last 10 s.
   *
   * @param callId the call's id (its chat or user id), to count the calls concerned
   * @param frames how many frames it dropped; positive
   * @param nowNanos the time now, {@link System#nanoTime()}'s clock (a test's clock)
   */
  public synchronized void dropped(long callId, long frames, long nowNanos) {
    if (dropped == 0) {
      windowStartNanos = nowNanos;
    }
    dropped += frames;
    calls.add(callId);
    pending = true;
    maybeLog(nowNanos);
  }

  /**
   * Logs the drops counted since the last line if 10 s have passed since it; cheap when nothing is
   * pending (a volatile read). Senders call it about once a second.
   *
   * @param nowNanos the time now, on the clock given to {@link #dropped}
   */
  public void poll(long nowNanos) {
    if (pending) {
      synchronized (this) {
        maybeLog(nowNanos);
      }
    }
  }

  /** @return how many WARN lines were logged so far (tests) */
  public synchronized long logLines() {
    return logLines;
  }

  private void maybeLog(long nowNanos) {
    if (dropped == 0 || !throttle.tryReport(nowNanos)) {
      return;
    }
    long seconds = Math.max(1, (nowNanos - windowStartNanos + 999_999_999L) / 1_000_000_000L);
    log.warn("pacing overloaded: {} frames more than {} ms late dropped in the last {} s across {}"
        + " call(s) (the event loops did not get to them in time: too many calls for the CPU, or"
        + " long GC pauses)", dropped, limitNanos / 1_000_000L, seconds, calls.size());
    logLines++;
    dropped = 0;
    calls.clear();
    pending = false;
  }
}
