package org.tgcalls4j.internal.call;

/**
 * The source a call is playing, shared between API threads (which replace, pause and resume it)
 * and the sender thread (which reads it). Thread-safe. Changes take the slot's monitor; what the
 * sender reads for every frame ({@link #playable}, {@link #stops}, {@link #isMuted},
 * {@link #setPositionMillis}) is a volatile read or write, so 50 frames a second of a thousand
 * calls cost no monitor.
 */
final class SourceSlot {
  private OpusFrameSource current;
  /** What {@link #current} was opened from (null if unknown), and where in it it starts, ms. */
  private org.tgcalls4j.MediaSource media;
  private long startMillis;
  private boolean paused;
  private boolean held;
  private boolean closed;
  /** Whether the end of {@link #current}'s video track has been reported (or claimed). */
  private boolean videoEnded;
  /** Times the source stopped being readable (paused or held); the sender restarts its pacing. */
  private volatile long stops;
  private volatile boolean muted;
  /** {@code closed || paused || held ? null : current}, set with every change of those. */
  private volatile OpusFrameSource playable;
  /**
   * The source whose sent position {@link #positionMillis()} reports (the last one set or sought,
   * kept after it ends), and the position before its first frame is sent (0, a seek's target).
   */
  private OpusFrameSource positionBase;
  private long basePositionMillis;
  /** The sender's last position and the source it was in; written in that order, by the sender. */
  private volatile long sentPositionMillis;
  private volatile OpusFrameSource sentPositionSource;

  /**
   * Plays a new source from its start; the previous one is closed without a stream-end event. A
   * paused slot stays paused: the new source starts on resume.
   *
   * @param frames the opened source
   * @param media what it was opened from, kept for {@link #seek}; null if it cannot be reopened
   */
  void replace(OpusFrameSource frames, org.tgcalls4j.MediaSource media) {
    OpusFrameSource old;
    synchronized (this) {
      if (closed) {
        old = frames;
      } else {
        old = current;
        current = frames;
        videoEnded = false;
        this.media = media;
        startMillis = 0;
        positionBase = frames;
        basePositionMillis = 0;
        updatePlayable();
        notifyAll();
      }
    }
    if (old != null) {
      old.close();
    }
  }

  /**
   * As {@link #replace}, but while a source plays the new one first gets up to
   * {@code maxWaitMillis} to produce its first output (ffmpeg's start-up, typically 100-500 ms),
   * so that the old one plays on meanwhile and the switch leaves no gap. Waits on the calling
   * thread (an API caller's), polling every {@value #PREROLL_POLL_MILLIS} ms.
   *
   * @param maxWaitMillis longest wait, ms
   */
  void replaceWhenReady(OpusFrameSource frames, org.tgcalls4j.MediaSource media,
      long maxWaitMillis) {
    long deadline = System.nanoTime() + maxWaitMillis * 1_000_000L;
    try {
      while (playable() != null && !frames.hasOutput() && System.nanoTime() - deadline < 0) {
        Thread.sleep(PREROLL_POLL_MILLIS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // switch now
    }
    replace(frames, media);
  }

  /** How often {@link #replaceWhenReady} looks at the new source, ms. */
  static final long PREROLL_POLL_MILLIS = 5;
  /** Longest time a playing source goes on while its replacement starts, ms. */
  static final long PREROLL_MAX_MILLIS = 3_000;

  /** @return whether the current source carries video too (a group call's {@code withVideo}) */
  synchronized boolean playsVideo() {
    return current instanceof AudioVideoSource;
  }

  /** @return what the current source was opened from, or null (none, or not reopenable) */
  synchronized org.tgcalls4j.MediaSource media() {
    return current == null ? null : media;
  }

  /**
   * Replaces the current source with {@code frames}, the same media reopened at
   * {@code startMillis}, keeping the pause state: a paused call stays paused at the new position.
   * The previous frames are closed without a stream-end event.
   *
   * @return false (and {@code frames} closed) if the current media is no longer {@code expected}
   */
  boolean seek(org.tgcalls4j.MediaSource expected, OpusFrameSource frames, long startMillis) {
    OpusFrameSource old;
    synchronized (this) {
      if (closed || current == null || media != expected) {
        old = frames;
      } else {
        old = current;
        current = frames;
        videoEnded = false;
        this.startMillis = startMillis;
        positionBase = frames;
        basePositionMillis = startMillis;
        if (paused) {
          stops++; // the sender may have been between frames: restart its pacing on resume
        }
        updatePlayable();
        notifyAll();
      }
    }
    old.close();
    return old != frames;
  }

  /** @return where {@code frames} starts within its media, ms; 0 if it is not the current source */
  synchronized long startMillisOf(OpusFrameSource frames) {
    return frames == current ? startMillis : 0;
  }

  /**
   * @param paused whether the user pauses (true) or resumes (false)
   * @return whether that changed the state
   */
  synchronized boolean setPaused(boolean paused) {
    if (paused && !this.paused && !held) {
      stops++;
    }
    boolean changed = this.paused != paused;
    this.paused = paused;
    updatePlayable();
    notifyAll();
    return changed;
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
    updatePlayable();
    notifyAll();
  }

  /** Under the monitor, after any change of closed, paused, held or current. */
  private void updatePlayable() {
    playable = closed || paused || held ? null : current;
  }

  /**
   * @return how many times the source stopped being readable (a pause or a hold began); when it
   *     changed since the sender last looked, the time in between is a gap, not media to catch up
   */
  long stops() {
    return stops;
  }

  /**
   * @return the source to read now: set, not paused, not held and the slot open; else null
   */
  OpusFrameSource playable() {
    return playable;
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

  /** Which tracks' ends {@link #finishedTracks} leaves to the caller to report. */
  enum Ended {
    /** The source was no longer current (replaced, sought, stopped): report nothing. */
    NONE,
    /** Report the audio track's end. */
    AUDIO,
    /** Report the video track's end, then the audio's: nobody reported the video's yet. */
    VIDEO_AND_AUDIO
  }

  /**
   * Called by the audio sender when {@code frames} ended on its own: clears it if it is still
   * current and closes it. A source with video whose video end was not reported (its video was
   * longer, or nobody read it) ends its video too.
   *
   * @return the tracks whose end the caller reports, in the order VIDEO, AUDIO
   */
  Ended finishedTracks(OpusFrameSource frames) {
    Ended ended;
    synchronized (this) {
      if (current != frames) {
        ended = Ended.NONE;
      } else {
        ended = frames instanceof AudioVideoSource && !videoEnded ? Ended.VIDEO_AND_AUDIO
            : Ended.AUDIO;
        current = null;
        videoEnded = false;
        updatePlayable();
      }
    }
    frames.close();
    return ended;
  }

  /**
   * Called by the video sender when the video of {@code av} ended on its own: runs
   * {@code report} under the slot's lock (so no replacement, seek, stop or audio end overtakes
   * it) if {@code av} is still current and its video end was not reported yet.
   *
   * @param report posts the event; must not block
   * @return whether {@code report} ran
   */
  synchronized boolean endVideo(AudioVideoSource av, Runnable report) {
    if (closed || current != av || videoEnded) {
      return false;
    }
    videoEnded = true;
    report.run();
    return true;
  }

  /** @return whether {@code frames} is the current source and the slot open */
  synchronized boolean isCurrent(OpusFrameSource frames) {
    return !closed && current == frames;
  }

  /** @return whether the user paused the call */
  synchronized boolean isPaused() {
    return paused;
  }

  /**
   * Records the position the sender reached in {@code frames}, unless a replacement or seek made
   * another source current meanwhile: their position (0, the seek target) stands until the new
   * source's first frame leaves, which may take ffmpeg's start-up. The sender's thread only (one
   * writer): two volatile writes, no monitor.
   */
  void setPositionMillis(OpusFrameSource frames, long positionMillis) {
    sentPositionMillis = positionMillis; // before the source: a reader that sees the source sees this
    sentPositionSource = frames;
  }

  /**
   * @return the position the sender reached in the current (or last ended) source, ms; its start
   *     (0, a seek's target) until its first frame is sent
   */
  synchronized long positionMillis() {
    OpusFrameSource sentIn = sentPositionSource;
    long sent = sentPositionMillis;
    return sentIn != null && sentIn == positionBase ? sent : basePositionMillis;
  }

  /** Closes the current source; later replacements are closed at once. */
  void close() {
    OpusFrameSource old;
    synchronized (this) {
      closed = true;
      old = current;
      current = null;
      updatePlayable();
      notifyAll();
    }
    if (old != null) {
      old.close();
    }
  }
}
