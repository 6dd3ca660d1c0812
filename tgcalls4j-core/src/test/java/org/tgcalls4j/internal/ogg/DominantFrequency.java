package org.tgcalls4j.internal.ogg;

/**
 * Test helper: finds the strongest frequency in a block of PCM by scanning candidate frequencies
 * with the Goertzel algorithm over a Hann-windowed signal. Resolution is the scan step; the window
 * must span many periods (2 s of audio resolves well below 1 Hz). Copy freely into other tests.
 */
final class DominantFrequency {
  private DominantFrequency() {}

  /**
   * @param pcm mono samples
   * @param sampleRateHz sample rate of {@code pcm}
   * @param fromHz lowest candidate
   * @param toHz highest candidate
   * @param stepHz spacing of candidates
   * @return the candidate with the largest power
   */
  static double estimate(short[] pcm, int sampleRateHz, double fromHz, double toHz, double stepHz) {
    double[] windowed = new double[pcm.length];
    for (int i = 0; i < pcm.length; i++) {
      double hann = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / (pcm.length - 1));
      windowed[i] = pcm[i] * hann;
    }
    double best = fromHz;
    double bestPower = -1;
    for (double f = fromHz; f <= toHz; f += stepHz) {
      double power = goertzelPower(windowed, sampleRateHz, f);
      if (power > bestPower) {
        bestPower = power;
        best = f;
      }
    }
    return best;
  }

  /** Power of {@code x} at {@code frequencyHz}: s[n] = x[n] + 2cos(w)s[n-1] - s[n-2], |s[N-1] - e^-jw s[N-2]|². */
  static double goertzelPower(double[] x, int sampleRateHz, double frequencyHz) {
    double w = 2 * Math.PI * frequencyHz / sampleRateHz;
    double coefficient = 2 * Math.cos(w);
    double s1 = 0;
    double s2 = 0;
    for (double v : x) {
      double s0 = v + coefficient * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    return s1 * s1 + s2 * s2 - coefficient * s1 * s2;
  }
}
