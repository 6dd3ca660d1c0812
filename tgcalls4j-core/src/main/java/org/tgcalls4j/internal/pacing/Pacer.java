package org.tgcalls4j.internal.pacing;

import java.util.Objects;

/**
 * Releases media on absolute deadlines {@code deadline = start + mediaTime}, so the time spent
 * encoding and sending one frame never accumulates as drift (the pacer never "sleeps 20 ms").
 *
 * <p>When a frame is already late it is released at once, so a short stall is caught up by sending
 * the following frames back to back. When a frame is more than {@link #REBASE_THRESHOLD_NANOS} late
 * (a long GC pause, a suspended laptop, a stalled source), the start is moved forward by the
 * lateness instead: the late frame goes out now and later frames keep their normal spacing from
 * it, rather than a burst of everything missed, which a receiver's jitter buffer would drop anyway.
 *
 * <p>Not thread-safe: one sending thread owns an instance.
 */
public final class Pacer {
  /** Lateness beyond which the start is rebased instead of catching up: 200 ms. */
  public static final long REBASE_THRESHOLD_NANOS = 200_000_000L;

  private final NanoClock clock;
  private final Sleeper sleeper;
  private final PacingLateness lateness;
  private boolean started;
  private long startNanos;
  private long lateCount;
  private long maxLatenessNanos;
  private long rebaseCount;

  /**
   * @param clock the time source deadlines are computed on
   * @param sleeper blocks until a deadline on that same clock
   */
  public Pacer(NanoClock clock, Sleeper sleeper) {
    this(clock, sleeper, null);
  }

  /**
   * @param clock the time source deadlines are computed on
   * @param sleeper blocks until a deadline on that same clock
   * @param lateness where each release's lateness goes, or null
   */
  public Pacer(NanoClock clock, Sleeper sleeper, PacingLateness lateness) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    this.lateness = lateness;
  }

  /**
   * Sets media time 0 to {@code nowNanos}; may be called again to restart pacing from scratch.
   *
   * @param nowNanos a time on this pacer's clock, normally {@code clock.nanoTime()}
   */
  public void start(long nowNanos) {
    started = true;
    startNanos = nowNanos;
  }

  /**
   * Waits until the deadline of the given media time; returns at once if it has passed, and rebases
   * the start if it passed more than {@link #REBASE_THRESHOLD_NANOS} ago.
   *
   * @param mediaTimeNanos media time of the frame about to be sent, in nanoseconds since the start
   *     (see {@link MediaClock#samplesToNanos}); normally non-decreasing between calls
   * @throws InterruptedException if interrupted while waiting
   * @throws IllegalStateException if {@link #start} was not called
   */
  public void awaitMediaTime(long mediaTimeNanos) throws InterruptedException {
    long deadline = deadlineNanos(mediaTimeNanos);
    long now = clock.nanoTime();
    if (now < deadline) {
      sleeper.sleepUntil(deadline);
      if (lateness != null) {
        lateness.record(clock.nanoTime() - deadline); // the wake-up's own lateness
      }
      return;
    }
    released(mediaTimeNanos, now);
  }

  /**
   * The non-blocking half of {@link #awaitMediaTime}, for a caller that waits on an event loop.
   *
   * @param mediaTimeNanos media time of the next frame, ns since the start
   * @return the clock time at which that frame is due
   * @throws IllegalStateException if {@link #start} was not called
   */
  public long deadlineNanos(long mediaTimeNanos) {
    if (!started) {
      throw new IllegalStateException("Pacer not started");
    }
    return startNanos + mediaTimeNanos;
  }

  /**
   * Records that the frame at {@code mediaTimeNanos} goes out at {@code nowNanos}: its lateness,
   * and a rebase of the start if it is more than {@link #REBASE_THRESHOLD_NANOS} late.
   *
   * @param mediaTimeNanos media time of the frame, ns since the start
   * @param nowNanos when it is released, on this pacer's clock (not before its deadline)
   * @throws IllegalStateException if {@link #start} was not called
   */
  public void released(long mediaTimeNanos, long nowNanos) {
    long late = nowNanos - deadlineNanos(mediaTimeNanos);
    if (late > 0) {
      lateCount++;
      maxLatenessNanos = Math.max(maxLatenessNanos, late);
    }
    if (lateness != null) {
      lateness.record(Math.max(0, late));
    }
    if (late > REBASE_THRESHOLD_NANOS) {
      startNanos += late;
      rebaseCount++;
      if (lateness != null) {
        lateness.recordRebase();
      }
    }
  }

  /** @return the clock time of media time 0, moved forward by every rebase */
  public long startNanos() {
    return startNanos;
  }

  /** @return how many calls found their deadline already passed */
  public long lateCount() {
    return lateCount;
  }

  /** @return the largest lateness seen, in nanoseconds; 0 if never late */
  public long maxLatenessNanos() {
    return maxLatenessNanos;
  }

  /** @return how many times the start was moved forward after a lateness above the threshold */
  public long rebaseCount() {
    return rebaseCount;
  }
}
