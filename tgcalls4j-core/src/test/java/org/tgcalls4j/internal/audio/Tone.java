package org.tgcalls4j.internal.audio;

/** Test helper: the frequency of a clean tone, from its upward zero crossings. */
final class Tone {
  private Tone() {}

  /**
   * @param mono samples of one channel
   * @param sampleRateHz their rate, Hz
   * @return the frequency, Hz: full cycles between the first and last upward zero crossing
   *     (linearly interpolated) divided by the time between them; NaN with fewer than 2 crossings
   */
  static double zeroCrossingHz(short[] mono, int sampleRateHz) {
    double first = -1;
    double last = -1;
    int crossings = 0;
    for (int i = 1; i < mono.length; i++) {
      if (mono[i - 1] < 0 && mono[i] >= 0) {
        double at = i - 1 + (double) -mono[i - 1] / (mono[i] - mono[i - 1]);
        if (first < 0) {
          first = at;
        }
        last = at;
        crossings++;
      }
    }
    return crossings < 2 ? Double.NaN : (crossings - 1) * sampleRateHz / (last - first);
  }

  /**
   * @param mono samples of one channel
   * @param sampleRateHz their rate, Hz
   * @param fromHz lowest frequency scanned, Hz
   * @param toHz highest frequency scanned, Hz
   * @return the frequency of the largest DTFT magnitude (Hann window, 0.1 Hz steps), Hz
   */
  static double peakHz(short[] mono, int sampleRateHz, double fromHz, double toHz) {
    int n = mono.length;
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = mono[i] * (0.5 - 0.5 * Math.cos(2 * Math.PI * i / (n - 1)));
    }
    double best = fromHz;
    double bestPower = -1;
    for (double f = fromHz; f <= toHz; f += 0.1) {
      double w = 2 * Math.PI * f / sampleRateHz;
      double coeff = 2 * Math.cos(w);
      double s1 = 0;
      double s2 = 0;
      for (double v : x) { // Goertzel
        double s0 = v + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
      }
      double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
      if (power > bestPower) {
        bestPower = power;
        best = f;
      }
    }
    return best;
  }

  /** @return channel 0 of interleaved PCM */
  static short[] left(short[] interleaved, int channels) {
    short[] out = new short[interleaved.length / channels];
    for (int i = 0; i < out.length; i++) {
      out[i] = interleaved[i * channels];
    }
    return out;
  }
}
