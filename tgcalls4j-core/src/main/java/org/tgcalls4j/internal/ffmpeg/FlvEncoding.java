package org.tgcalls4j.internal.ffmpeg;

/**
 * Output settings of the FLV (H.264 + AAC) transcode used for RTMP publishing.
 *
 * @param width output width in pixels, even, 16 to 4096
 * @param height output height in pixels, even, 16 to 4096
 * @param fps output frame rate, 1 to 120; the keyframe interval is {@code 2 * fps} frames (2 s)
 * @param videoBitrateKbps H.264 target bitrate in kbit/s, 100 to 50000
 * @param audioBitrateKbps AAC bitrate in kbit/s, 32 to 512
 * @param audioSampleRateHz AAC sample rate, 44100 or 48000 (the rates FLV/RTMP ingest accepts)
 */
public record FlvEncoding(
    int width, int height, int fps, int videoBitrateKbps, int audioBitrateKbps, int audioSampleRateHz) {

  /** @throws IllegalArgumentException if a value is outside its documented range */
  public FlvEncoding {
    requireRange("width", width, 16, 4096);
    requireRange("height", height, 16, 4096);
    if (width % 2 != 0 || height % 2 != 0) {
      throw new IllegalArgumentException("width and height must be even for yuv420p: " + width + "x" + height);
    }
    requireRange("fps", fps, 1, 120);
    requireRange("videoBitrateKbps", videoBitrateKbps, 100, 50_000);
    requireRange("audioBitrateKbps", audioBitrateKbps, 32, 512);
    if (audioSampleRateHz != 44_100 && audioSampleRateHz != 48_000) {
      throw new IllegalArgumentException("audioSampleRateHz must be 44100 or 48000: " + audioSampleRateHz);
    }
  }

  /** @return 1280x720 at 30 fps, 2000 kbit/s video, 128 kbit/s AAC at 44100 Hz */
  public static FlvEncoding defaults() {
    return new FlvEncoding(1280, 720, 30, 2000, 128, 44_100);
  }

  private static void requireRange(String name, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "]: " + value);
    }
  }
}
