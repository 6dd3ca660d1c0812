package org.tgcalls4j.internal.call;

/**
 * The source a call is playing, shared between API threads (which replace, pause and resume it)
 * and the sender thread (which reads it). Thread-safe.
 */
final class SourceSlot {
  private OpusFrameSource current;
  private boolean paused;
  private boolean held;
  private boolean closed;
  /** Times the source stopped being readable (paused or held); the sender restarts its pacing. */
  private long stops;
  private volatile boolean muted;
  private volatile long positionMillis;

  /** @param frames the new source; the previous one is closed without a stream-end event */
  void replace(OpusFrameSource frames) {
    OpusFrameSource old;
    synchronized (this) {
      if (closed) {
        old = frames;
      } else {
        old = current;
        current = frames;
        paused = false;
        positionMillis = 0;
        notifyAll();
      }
    }
    if (old != null) {
      old.close();
    }
  }

  synchronized void setPaused(boolean paused) {
    if (paused && !this.paused && !held) {
      stops++;
    }
    this.paused = paused;
    notifyAll();
  }

  /**
   * Mutes or unmutes: a muted call keeps reading its source (the position runs on) and sends
   * silence in its place.
   *
   * @return whether the state changed
   */
  synchronized boolean setMuted(boolean muted) {
    boolean changed = this.muted != muted;
    this.muted = muted;
    return changed;
  }

  boolean isMuted() {
    return muted;
  }

  /**
   * Holds or releases the source for the call's own reasons (no connection), independently of the
   * user's {@link #setPaused pause}: a held source is not read, so it keeps its position.
   */
  synchronized void setHeld(boolean held) {
    if (held && !this.held && !paused) {
      stops++;
    }
    this.held = held;
    notifyAll();
  }

  /**
   * @return how many times the source stopped being readable (a pause or a hold began); when it
   *     changed since the sender last looked, the time in between is a gap, not media to catch up
   */
  synchronized long stops() {
    return stops;
  }

  /**
   * Blocks the sender until a source is set, not paused and not held.
   *
   * @param maxWaitMillis longest wait, ms
   * @return the source to read, or null after the wait elapsed or the slot closed
   * @throws InterruptedException if the sender is interrupted
   */
  synchronized OpusFrameSource awaitPlayable(long maxWaitMillis) throws InterruptedException {
    long deadline = System.nanoTime() + maxWaitMillis * 1_000_000L;
    while (!closed && (current == null || paused || held)) {
      long left = (deadline - System.nanoTime()) / 1_000_000L;
      if (left <= 0) {
        return null;
      }
      wait(left);
    }
    return closed ? null : current;
  }

  /**
   * Called by the sender when {@code frames} ended on its own.
   *
   * @return true if it was still the current source (so its end must be reported)
   */
  boolean finished(OpusFrameSource frames) {
    boolean wasCurrent;
    synchronized (this) {
      wasCurrent = current == frames;
      if (wasCurrent) {
        current = null;
      }
    }
    frames.close();
    return wasCurrent;
  }

  void setPositionMillis(long positionMillis) {
    this.positionMillis = positionMillis;
  }

  long positionMillis() {
    return positionMillis;
  }

  /** Closes the current source; later replacements are closed at once. */
  void close() {
    OpusFrameSource old;
    synchronized (this) {
      closed = true;
      old = current;
      current = null;
      notifyAll();
    }
    if (old != null) {
      old.close();
    }
  }
}
