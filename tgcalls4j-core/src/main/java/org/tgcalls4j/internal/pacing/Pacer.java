package org.tgcalls4j.internal.pacing;

import java.util.Objects;

/**
 * Releases media on absolute deadlines {@code deadline = start + mediaTime}, so the time spent
 * encoding and sending one frame never accumulates as drift (the pacer never "sleeps 20 ms").
 *
 * <p>When a frame is already late it is released at once, so a short stall is caught up by sending
 * the following frames back to back. When a frame is more than the lateness limit late (default
 * {@link #REBASE_THRESHOLD_NANOS}), its caller decides whose stall it was. A stalled source
 * (ffmpeg starting or stuck, a shared source not publishing): {@link #released} moves the start
 * forward by the lateness, so the late frame goes out now and later frames keep their normal
 * spacing from it, rather than a burst of everything missed, which a receiver's jitter buffer
 * would drop anyway. A stalled sender whose frames were there in time (an overloaded loop, a long
 * GC pause): {@link #dropped} counts the frame as not sent and the start stays, so a live source
 * stays live ({@link #isBeyondLimit} tells the two calls apart by time).
 *
 * <p>Not thread-safe: one sending thread owns an instance.
 */
public final class Pacer {
  /**
   * The default lateness limit, 200 ms: beyond it a frame is dropped or the start rebased instead
   * of catching up.
   */
  public static final long REBASE_THRESHOLD_NANOS = 200_000_000L;
  /** The smallest lateness limit a client accepts: 20 ms, one audio frame. */
  public static final long MIN_LATENESS_LIMIT_NANOS = 20_000_000L;

  private final NanoClock clock;
  private final Sleeper sleeper;
  private final PacingLateness lateness;
  private boolean started;
  private long startNanos;
  private long lateCount;
  private long maxLatenessNanos;
  private final long limitNanos;

  /**
   * A pacer with the default lateness limit, {@link #REBASE_THRESHOLD_NANOS}.
   *
   * @param clock the time source deadlines are computed on
   * @param sleeper blocks until a deadline on that same clock
   */
  public Pacer(NanoClock clock, Sleeper sleeper) {
    this(clock, sleeper, null);
  }

  /**
   * A pacer with the default lateness limit, {@link #REBASE_THRESHOLD_NANOS}.
   *
   * @param clock the time source deadlines are computed on
   * @param sleeper blocks until a deadline on that same clock
   * @param lateness where each release's lateness goes, or null
   */
  public Pacer(NanoClock clock, Sleeper sleeper, PacingLateness lateness) {
    this(clock, sleeper, lateness, REBASE_THRESHOLD_NANOS);
  }

  /**
   * @param clock the time source deadlines are computed on
   * @param sleeper blocks until a deadline on that same clock
   * @param lateness where each release's lateness goes, or null
   * @param limitNanos the lateness limit, ns: a frame later than this is rebased on or dropped
   * @throws IllegalArgumentException if limitNanos is not positive
   */
  public Pacer(NanoClock clock, Sleeper sleeper, PacingLateness lateness, long limitNanos) {
    if (limitNanos <= 0) {
      throw new IllegalArgumentException("lateness limit must be positive: " + limitNanos + " ns");
    }
    this.clock = Objects.requireNonNull(clock, "clock");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    this.lateness = lateness;
    this.limitNanos = limitNanos;
  }

  /** @return the lateness limit, ns */
  public long limitNanos() {
    return limitNanos;
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
   * the start if it passed more than the lateness limit ago.
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
   * and a rebase of the start if it is more than the lateness limit late.
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
    if (late > limitNanos) {
      startNanos += late;
      if (lateness != null) {
        lateness.recordRebase();
      }
    }
  }

  /**
   * @param mediaTimeNanos media time of a frame, ns since the start
   * @param nowNanos the time on this pacer's clock
   * @return whether that frame is more than the lateness limit late at {@code nowNanos}
   * @throws IllegalStateException if {@link #start} was not called
   */
  public boolean isBeyondLimit(long mediaTimeNanos, long nowNanos) {
    return nowNanos - deadlineNanos(mediaTimeNanos) > limitNanos;
  }

  /**
   * Records that the frame at {@code mediaTimeNanos} is not sent because the sender reached it too
   * late (see {@link #isBeyondLimit}); the start stays where it is.
   *
   * @param mediaTimeNanos media time of the frame, ns since the start
   * @param nowNanos when it was dropped, on this pacer's clock
   * @throws IllegalStateException if {@link #start} was not called
   */
  public void dropped(long mediaTimeNanos, long nowNanos) {
    deadlineNanos(mediaTimeNanos); // started?
    if (lateness != null) {
      lateness.recordDrop();
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
}
