package org.tgcalls4j.examples.voicebot;

/**
 * Signed 16-bit PCM helpers. Levels are dBFS of the RMS relative to 32768 (a full-scale square
 * wave is 0 dBFS, a full-scale sine about -3 dBFS); silence reports {@link #SILENCE_DBFS}.
 * Stateless and thread-safe; no method keeps its arguments.
 */
public final class Pcm {
  /** The level reported for digital silence, dBFS. */
  public static final double SILENCE_DBFS = -120.0;
  /** tgcalls4j's and Telegram's rate, Hz. */
  public static final int RATE_48K = 48_000;
  /** Samples in 20 ms at 48 kHz, per channel. */
  public static final int FRAME_48K = 960;

  private Pcm() {}

  /**
   * @param samples mono samples
   * @param offset first sample
   * @param length sample count
   * @return the RMS level, dBFS ({@link #SILENCE_DBFS} for silence or no samples)
   */
  public static double dbfs(short[] samples, int offset, int length) {
    double sum = 0;
    for (int i = offset; i < offset + length; i++) {
      sum += (double) samples[i] * samples[i];
    }
    return length == 0 ? SILENCE_DBFS : dbfsOfMeanSquare(sum / length);
  }

  /**
   * @param meanSquare mean of the squared samples
   * @return the RMS level, dBFS, at least {@link #SILENCE_DBFS}
   */
  public static double dbfsOfMeanSquare(double meanSquare) {
    if (meanSquare <= 0) {
      return SILENCE_DBFS;
    }
    return Math.max(SILENCE_DBFS, 10 * Math.log10(meanSquare / (32768.0 * 32768.0)));
  }

  /**
   * Averages interleaved channels into one.
   *
   * @param samples interleaved samples
   * @param channels channel count, at least 1
   * @return a new mono array (a copy also when channels is 1)
   */
  public static short[] toMono(short[] samples, int channels) {
    if (channels < 1) {
      throw new IllegalArgumentException("channels must be at least 1, got " + channels);
    }
    short[] out = new short[samples.length / channels];
    for (int f = 0; f < out.length; f++) {
      int sum = 0;
      for (int c = 0; c < channels; c++) {
        sum += samples[f * channels + c];
      }
      out[f] = (short) Math.round((double) sum / channels);
    }
    return out;
  }

  /**
   * Resamples mono PCM by linear interpolation between neighbouring input samples. Output sample
   * {@code j} is the input at time {@code j / toRate} s; the output has
   * {@code round(length * toRate / fromRate)} samples. Linear interpolation attenuates the top of
   * the band a little (sinc², about 1.5 dB at 5 kHz from 22050 Hz) and leaves weak images above
   * the input's Nyquist frequency: enough for a voice that Opus re-encodes anyway.
   *
   * @param in mono samples at fromRate
   * @param fromRate input rate, Hz, positive
   * @param toRate output rate, Hz, positive
   * @return a new array at toRate
   */
  public static short[] resampleLinear(short[] in, int fromRate, int toRate) {
    if (fromRate <= 0 || toRate <= 0) {
      throw new IllegalArgumentException("rates must be positive, got " + fromRate + " and " + toRate);
    }
    int n = (int) Math.round((double) in.length * toRate / fromRate);
    short[] out = new short[n];
    if (in.length == 0) {
      return out;
    }
    for (int j = 0; j < n; j++) {
      long num = (long) j * fromRate; // input position = num / toRate, exact
      int i = (int) (num / toRate);
      double frac = (double) (num % toRate) / toRate;
      int a = in[Math.min(i, in.length - 1)];
      int b = in[Math.min(i + 1, in.length - 1)];
      out[j] = (short) Math.round(a + (b - a) * frac);
    }
    return out;
  }
}
