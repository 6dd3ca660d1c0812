package org.tgcalls4j.internal.pacing;

/** Converts media positions counted in samples to media time; stateless. */
public final class MediaClock {
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private MediaClock() {}

  /**
   * Exact for every sample count whose time is a whole number of nanoseconds (960 samples at
   * 48000 Hz is 20,000,000 ns); otherwise rounded down. No overflow for positions below 2^63 ns.
   *
   * @param samples media position in samples since the start, non-negative
   * @param clockRateHz samples per second, positive (48000 for Opus, RFC 7587 §4.1)
   * @return the media time of that position in nanoseconds
   */
  public static long samplesToNanos(long samples, int clockRateHz) {
    return samples / clockRateHz * NANOS_PER_SECOND + samples % clockRateHz * NANOS_PER_SECOND / clockRateHz;
  }
}
