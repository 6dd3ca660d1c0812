package org.tgcalls4j.examples.voicebot;

import java.io.IOException;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/** Synthetic signals and independent measurements for the tests (48 kHz mono unless stated). */
final class TestAudio {
  static final int RATE = 48_000;
  /** The greeting VoiceBotIT has the bot say. */
  static final String GREETING = "Hello! You are talking to the tgcalls four j voice bot. "
      + "Please say something after the beep.";
  /** Speech has no frequency holding this share of its power ({@link #dominantShare}). */
  static final double MAX_DOMINANT_SHARE = 0.3;
  /** Speech is at least this flat ({@link #spectralFlatness}); a tone over faint noise is not. */
  static final double MIN_FLATNESS = 1e-3;

  private TestAudio() {}

  /** @return whether espeak-ng runs here */
  static boolean espeakAvailable() {
    try {
      Process p = new ProcessBuilder("espeak-ng", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** A sine whose RMS is rmsDbfs (relative to 32768). */
  static short[] tone(double hz, double rmsDbfs, int millis) {
    double amp = 32768 * Math.pow(10, rmsDbfs / 20) * Math.sqrt(2);
    short[] s = new short[RATE / 1000 * millis];
    for (int i = 0; i < s.length; i++) {
      s[i] = (short) Math.round(amp * Math.sin(2 * Math.PI * hz * i / RATE));
    }
    return s;
  }

  /** Gaussian white noise whose RMS is rmsDbfs. */
  static short[] noise(double rmsDbfs, int millis, Random rnd) {
    double sigma = 32768 * Math.pow(10, rmsDbfs / 20);
    short[] s = new short[RATE / 1000 * millis];
    for (int i = 0; i < s.length; i++) {
      s[i] = (short) Math.max(-32768, Math.min(32767, Math.round(sigma * rnd.nextGaussian())));
    }
    return s;
  }

  static short[] silence(int millis) {
    return new short[RATE / 1000 * millis];
  }

  static short[] concat(short[]... parts) {
    int n = 0;
    for (short[] p : parts) {
      n += p.length;
    }
    short[] out = new short[n];
    int o = 0;
    for (short[] p : parts) {
      System.arraycopy(p, 0, out, o, p.length);
      o += p.length;
    }
    return out;
  }

  /** Adds b into a (saturating), in place; returns a. */
  static short[] mixInto(short[] a, short[] b) {
    for (int i = 0; i < Math.min(a.length, b.length); i++) {
      a[i] = (short) Math.max(-32768, Math.min(32767, a[i] + b[i]));
    }
    return a;
  }

  /**
   * The span from the first to the last 10 ms window whose RMS (computed here, independently of
   * {@link Pcm}) is above thresholdDbfs; 0 if none.
   */
  static long voicedSpanMillis(short[] s, int rate, double thresholdDbfs) {
    int win = rate / 100;
    int first = -1;
    int last = -1;
    for (int w = 0; (w + 1) * win <= s.length; w++) {
      double sum = 0;
      for (int i = w * win; i < (w + 1) * win; i++) {
        sum += (double) s[i] * s[i];
      }
      double db = 20 * Math.log10(Math.sqrt(sum / win) / 32768 + 1e-12);
      if (db > thresholdDbfs) {
        if (first < 0) {
          first = w;
        }
        last = w;
      }
    }
    return first < 0 ? 0 : (last - first + 1) * 10L;
  }

  /** Offset of the first 10 ms window above thresholdDbfs, ms; -1 if none. */
  static long firstVoicedMillis(short[] s, int rate, double thresholdDbfs) {
    int win = rate / 100;
    for (int w = 0; (w + 1) * win <= s.length; w++) {
      double sum = 0;
      for (int i = w * win; i < (w + 1) * win; i++) {
        sum += (double) s[i] * s[i];
      }
      if (20 * Math.log10(Math.sqrt(sum / win) / 32768 + 1e-12) > thresholdDbfs) {
        return w * 10L;
      }
    }
    return -1;
  }

  /**
   * Averaged power spectrum (Welch: 4096-point Hann windows, half overlap) of the 48 kHz signal;
   * bin k is k * 48000 / 4096 Hz.
   */
  static double[] powerSpectrum(short[] s) {
    int n = 4096;
    double[] acc = new double[n / 2 + 1];
    double[] re = new double[n];
    double[] im = new double[n];
    for (int start = 0; start + n <= s.length; start += n / 2) {
      for (int i = 0; i < n; i++) {
        double w = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / (n - 1));
        re[i] = s[start + i] * w;
        im[i] = 0;
      }
      fft(re, im);
      for (int k = 0; k <= n / 2; k++) {
        acc[k] += re[k] * re[k] + im[k] * im[k];
      }
    }
    return acc;
  }

  /**
   * Share of the power (100 Hz..8 kHz) within ±25 Hz of the strongest bin: near 1 for a tone,
   * small for speech, whose pitch and formants move.
   */
  static double dominantShare(double[] spec) {
    int lo = bin(100);
    int hi = bin(8000);
    int peak = lo;
    double total = 0;
    for (int k = lo; k <= hi; k++) {
      total += spec[k];
      if (spec[k] > spec[peak]) {
        peak = k;
      }
    }
    double near = 0;
    int d = (int) Math.ceil(25 / (48000.0 / 4096));
    for (int k = Math.max(lo, peak - d); k <= Math.min(hi, peak + d); k++) {
      near += spec[k];
    }
    return total == 0 ? 1 : near / total;
  }

  /** Spectral flatness (geometric / arithmetic mean of the power, 100 Hz..8 kHz), 0..1. */
  static double spectralFlatness(double[] spec) {
    int lo = bin(100);
    int hi = bin(8000);
    double logSum = 0;
    double sum = 0;
    for (int k = lo; k <= hi; k++) {
      logSum += Math.log(spec[k] + 1e-9);
      sum += spec[k];
    }
    int n = hi - lo + 1;
    return Math.exp(logSum / n) / (sum / n + 1e-9);
  }

  private static int bin(double hz) {
    return (int) Math.round(hz * 4096 / 48000.0);
  }

  /** In-place iterative radix-2 FFT. */
  static void fft(double[] re, double[] im) {
    int n = re.length;
    for (int i = 1, j = 0; i < n; i++) {
      int bit = n >> 1;
      for (; (j & bit) != 0; bit >>= 1) {
        j ^= bit;
      }
      j ^= bit;
      if (i < j) {
        double t = re[i]; re[i] = re[j]; re[j] = t;
        t = im[i]; im[i] = im[j]; im[j] = t;
      }
    }
    for (int len = 2; len <= n; len <<= 1) {
      double ang = -2 * Math.PI / len;
      for (int i = 0; i < n; i += len) {
        for (int k = 0; k < len / 2; k++) {
          double wr = Math.cos(ang * k);
          double wi = Math.sin(ang * k);
          double xr = re[i + k + len / 2] * wr - im[i + k + len / 2] * wi;
          double xi = re[i + k + len / 2] * wi + im[i + k + len / 2] * wr;
          re[i + k + len / 2] = re[i + k] - xr;
          im[i + k + len / 2] = im[i + k] - xi;
          re[i + k] += xr;
          im[i + k] += xi;
        }
      }
    }
  }
}
