package org.tgcalls4j.internal.pacing;

import org.HdrHistogram.IntCountsHistogram;
import org.tgcalls4j.PacingStats;

/**
 * How late a sender released its frames: for each frame, release time minus its deadline, in
 * microseconds, kept in an HdrHistogram with 2 significant digits and int counts (a few KB per
 * call) from 1 µs to 60 s. Written by one sending thread, read by any thread; both take the
 * object's monitor, which the writer holds for one record (50 times a second per call).
 */
public final class PacingLateness {
  private static final long HIGHEST_MICROS = 60_000_000L;
  private final IntCountsHistogram histogram = new IntCountsHistogram(1, HIGHEST_MICROS, 2);
  private long rebases;
  private long drops;

  /** @param latenessNanos release time minus deadline, ns; negative counts as 0 */
  public synchronized void record(long latenessNanos) {
    long micros = Math.max(0, Math.min(HIGHEST_MICROS, latenessNanos / 1_000));
    histogram.recordValue(micros);
  }

  /** Counts a frame so late that pacing restarted from it instead of catching up. */
  public synchronized void recordRebase() {
    rebases++;
  }

  /** Counts a frame not sent because the sender reached it beyond the lateness limit. */
  public synchronized void recordDrop() {
    drops++;
  }

  /** @return the summary so far */
  public synchronized PacingStats snapshot() {
    return new PacingStats(histogram.getTotalCount(), histogram.getValueAtPercentile(50),
        histogram.getValueAtPercentile(99), histogram.getMaxValue(), rebases, drops);
  }
}
