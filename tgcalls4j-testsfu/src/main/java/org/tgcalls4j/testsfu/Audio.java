package org.tgcalls4j.testsfu;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small helpers to check and keep decoded PCM from a {@link Recording}. Stateless. */
public final class Audio {
  private Audio() {}

  /**
   * Estimates the dominant frequency of the first channel with a Goertzel scan in 1 Hz steps
   * (20 Hz .. min(4000, Nyquist)) refined by parabolic interpolation, over at most the last 2 s.
   *
   * @param interleaved 16-bit PCM, {@code channels} samples per frame; not retained
   * @param channels channels per frame, at least 1
   * @param sampleRateHz samples per second per channel
   * @return the frequency in Hz, or 0 when there is less than 100 ms of audio
   * @throws IllegalArgumentException if channels or sampleRateHz is not positive
   */
  public static double dominantFrequencyHz(short[] interleaved, int channels, int sampleRateHz) {
    if (channels < 1 || sampleRateHz < 1) {
      throw new IllegalArgumentException("channels and sampleRateHz must be positive");
    }
    int frames = interleaved.length / channels;
    if (frames < sampleRateHz / 10) {
      return 0;
    }
    int n = Math.min(frames, 2 * sampleRateHz);
    int start = frames - n;
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      double hann = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / (n - 1));
      x[i] = interleaved[(start + i) * channels] * hann;
    }
    int maxHz = Math.min(4000, sampleRateHz / 2 - 1);
    double[] power = new double[maxHz + 2];
    int best = 20;
    for (int f = 19; f <= maxHz + 1; f++) {
      power[f] = goertzelPower(x, f, sampleRateHz);
      if (f >= 20 && f <= maxHz && power[f] > power[best]) {
        best = f;
      }
    }
    double a = Math.sqrt(power[best - 1]);
    double b = Math.sqrt(power[best]);
    double c = Math.sqrt(power[best + 1]);
    double denominator = a - 2 * b + c;
    double shift = denominator == 0 ? 0 : 0.5 * (a - c) / denominator;
    return best + Math.max(-0.5, Math.min(0.5, shift));
  }

  private static double goertzelPower(double[] x, double frequencyHz, int sampleRateHz) {
    double coefficient = 2 * Math.cos(2 * Math.PI * frequencyHz / sampleRateHz);
    double s1 = 0;
    double s2 = 0;
    for (double v : x) {
      double s0 = v + coefficient * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    return s1 * s1 + s2 * s2 - coefficient * s1 * s2;
  }

  /**
   * Writes a canonical 16-bit little-endian PCM WAV file (RIFF/WAVE, fmt tag 1), replacing any
   * existing file.
   *
   * @param interleaved 16-bit PCM, {@code channels} samples per frame; not retained
   * @throws IOException if the file cannot be written
   * @throws IllegalArgumentException if channels or sampleRateHz is not positive
   */
  public static void writeWav(Path file, short[] interleaved, int channels, int sampleRateHz)
      throws IOException {
    if (channels < 1 || sampleRateHz < 1) {
      throw new IllegalArgumentException("channels and sampleRateHz must be positive");
    }
    int dataBytes = interleaved.length * 2;
    ByteBuffer header = ByteBuffer.allocate(44).order(ByteOrder.LITTLE_ENDIAN);
    header.put(new byte[] {'R', 'I', 'F', 'F'}).putInt(36 + dataBytes)
        .put(new byte[] {'W', 'A', 'V', 'E', 'f', 'm', 't', ' '}).putInt(16)
        .putShort((short) 1).putShort((short) channels).putInt(sampleRateHz)
        .putInt(sampleRateHz * channels * 2).putShort((short) (channels * 2)).putShort((short) 16)
        .put(new byte[] {'d', 'a', 't', 'a'}).putInt(dataBytes);
    ByteBuffer data = ByteBuffer.allocate(dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    data.asShortBuffer().put(interleaved);
    try (OutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
      out.write(header.array());
      out.write(data.array());
    }
  }
}
