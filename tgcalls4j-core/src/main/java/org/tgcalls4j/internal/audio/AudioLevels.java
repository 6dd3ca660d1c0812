package org.tgcalls4j.internal.audio;

/**
 * The audio level of PCM as RFC 6464 §3 carries it: −dBov, 0 (the overload point) to 127. The
 * level is the RMS of the samples relative to full scale (RFC 6465 Appendix A; RFC 6464 §3:
 * "the audio level ... expressed in -dBov"), rounded; silence is 127. Stateless.
 */
public final class AudioLevels {
  private AudioLevels() {}

  /**
   * @param samples signed 16-bit PCM (interleaved channels are treated alike); not kept
   * @param length how many samples to read from index 0
   * @return the level, 0..127 −dBov
   */
  public static int dbov(short[] samples, int length) {
    if (length <= 0) {
      return 127;
    }
    double sum = 0;
    for (int i = 0; i < length; i++) {
      double s = samples[i] / 32767.0;
      sum += s * s;
    }
    double rms = Math.sqrt(sum / length);
    if (rms <= 0) {
      return 127;
    }
    long level = Math.round(-20 * Math.log10(rms));
    return (int) Math.max(0, Math.min(127, level));
  }
}
