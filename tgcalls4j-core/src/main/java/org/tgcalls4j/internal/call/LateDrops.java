package org.tgcalls4j.internal.call;

import org.tgcalls4j.internal.pacing.PacingOverload;
import org.tgcalls4j.internal.pacing.ReportThrottle;

/**
 * One call's frames dropped beyond the client's lateness limit, from its audio and its video
 * sender: passed on to the client's {@link PacingOverload} (its rate-limited log line) and, at
 * most once a second, to the call's {@link SessionEvents#onPacingOverload}.
 *
 * <p>Thread-safe (both senders of a call run on its loop, so the lock is uncontended); called only
 * when frames were dropped, and from {@link #poll} about once a second.
 */
final class LateDrops {
  /** The call's event fires at most once per this interval: 1 s. */
  static final long EVENT_INTERVAL_NANOS = 1_000_000_000L;

  private final long callId;
  private final PacingOverload client;
  private final SessionEvents events;
  private volatile boolean pending;
  // guarded by this
  private long unreported;
  private final ReportThrottle throttle = new ReportThrottle(EVENT_INTERVAL_NANOS);

  /**
   * @param callId the call's chat or user id
   * @param client the client's report
   * @param events the call's events, or null to tell nobody but the client's log
   */
  LateDrops(long callId, PacingOverload client, SessionEvents events) {
    this.callId = callId;
    this.client = client;
    this.events = events;
  }

  /** @return the lateness limit, ns */
  long limitNanos() {
    return client.limitNanos();
  }

  /**
   * @param frames frames just dropped; positive
   * @param nowNanos the sender's clock now
   */
  void dropped(long frames, long nowNanos) {
    client.dropped(callId, frames, nowNanos);
    synchronized (this) {
      unreported += frames;
      pending = true;
      maybeReport(nowNanos);
    }
  }

  /** Reports drops still unreported once their second is over; about once a second. */
  void poll(long nowNanos) {
    client.poll(nowNanos);
    if (pending) {
      synchronized (this) {
        maybeReport(nowNanos);
      }
    }
  }

  private void maybeReport(long nowNanos) {
    if (unreported == 0 || !throttle.tryReport(nowNanos)) {
      return;
    }
    long frames = unreported;
    unreported = 0;
    pending = false;
    if (events != null) {
      events.onPacingOverload(frames, client.limitNanos() / 1_000_000L);
    }
  }
}
