package org.tgcalls4j.examples.voicebot;

import java.util.Locale;

/**
 * A stand-in for speech recognition that reports what it measured:
 * {@code "I heard 2.3 seconds at -18 dBFS"}: the utterance's duration (tenths of a second) and its
 * RMS level ({@link Pcm#dbfs}, whole dB). Stateless and thread-safe.
 */
public final class LoudnessSpeechToText implements SpeechToText {
  @Override
  public String transcribe(short[] pcm48kMono) {
    double seconds = pcm48kMono.length / (double) Pcm.RATE_48K;
    double level = Pcm.dbfs(pcm48kMono, 0, pcm48kMono.length);
    return String.format(Locale.ROOT, "I heard %.1f seconds at %d dBFS", seconds,
        Math.round(level));
  }
}
