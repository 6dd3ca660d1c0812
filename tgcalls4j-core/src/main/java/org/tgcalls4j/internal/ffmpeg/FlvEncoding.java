package org.tgcalls4j.internal.ffmpeg;

/** STAND-IN (branch media owns this); deleted before the final commit. */
public record FlvEncoding(int width, int height, int fps, int videoBitrateKbps, int audioBitrateKbps, int audioSampleRateHz) {
  public static FlvEncoding defaults() { return new FlvEncoding(1280, 720, 30, 800, 128, 44100); }
}
