package org.tgcalls4j;

/**
 * How punctually a call's sender released its frames: each frame's lateness is its release time
 * minus its deadline on the media clock (a deadline derived from media time, so lateness never
 * accumulates as drift). Values are kept with 2 significant digits (HdrHistogram). Frames later
 * than the client's lateness limit ({@link TgCalls.Builder#pacingLatenessLimit}, default 200 ms)
 * are not caught up: see {@link #overloadRestarts} and {@link #framesDroppedLate}.
 *
 * @param framesPaced frames released so far (sent, or skipped while muted or as a source's empty
 *     slot); dropped frames are not counted here
 * @param latenessP50Micros median lateness of the released frames, µs
 * @param latenessP99Micros 99th percentile lateness of the released frames, µs
 * @param latenessMaxMicros largest lateness of a released frame, µs
 * @param overloadRestarts restarts after a source stall: frames more than the lateness limit late
 *     because the source had nothing in time (ffmpeg starting or stalled, a shared source not
 *     publishing), from which pacing restarted instead of sending the missed frames back to back
 * @param framesDroppedLate audio frames that were read in time but that the sender reached more
 *     than the lateness limit after their deadline (an overloaded machine, a long GC pause): read
 *     from the source and not sent, their RTP time skipped, the pacing baseline kept so a live
 *     source stays live
 */
public record PacingStats(long framesPaced, long latenessP50Micros, long latenessP99Micros,
    long latenessMaxMicros, long overloadRestarts, long framesDroppedLate) {
  /** No frame paced yet. */
  public static final PacingStats NONE = new PacingStats(0, 0, 0, 0, 0, 0);

  /**
   * The summary without a drop count, as before drops existed.
   *
   * @param framesPaced frames released so far
   * @param latenessP50Micros median lateness, µs
   * @param latenessP99Micros 99th percentile lateness, µs
   * @param latenessMaxMicros largest lateness, µs
   * @param overloadRestarts restarts after a source stall
   */
  public PacingStats(long framesPaced, long latenessP50Micros, long latenessP99Micros,
      long latenessMaxMicros, long overloadRestarts) {
    this(framesPaced, latenessP50Micros, latenessP99Micros, latenessMaxMicros, overloadRestarts, 0);
  }
}
