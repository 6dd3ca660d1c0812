package org.tgcalls4j;

/**
 * How punctually a call's sender released its frames: each frame's lateness is its release time
 * minus its deadline on the media clock (a deadline derived from media time, so lateness never
 * accumulates as drift). Values are kept with 2 significant digits (HdrHistogram).
 *
 * @param framesPaced frames released so far
 * @param latenessP50Micros median lateness, µs
 * @param latenessP99Micros 99th percentile lateness, µs
 * @param latenessMaxMicros largest lateness, µs
 * @param overloadRestarts frames more than 200 ms late, from which pacing restarted instead of
 *     sending the missed frames back to back (a stalled machine, a long GC pause)
 */
public record PacingStats(long framesPaced, long latenessP50Micros, long latenessP99Micros,
    long latenessMaxMicros, long overloadRestarts) {
  /** No frame paced yet. */
  public static final PacingStats NONE = new PacingStats(0, 0, 0, 0, 0);
}
