package org.tgcalls4j.it;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tgcalls4j.internal.rtmp.testing.TestMedia;

/** Test audio made with the real ffmpeg (run through the core test-jar's {@link TestMedia}). */
final class Media {
  private Media() {}

  /**
   * @param dir output directory
   * @param name file name; its extension picks the container (ogg/opus → Opus in 20 ms frames,
   *     wav, mp3 ...)
   * @param frequencyHz sine frequency, Hz
   * @param seconds duration, s
   * @return the file, 48 kHz stereo
   */
  static Path tone(Path dir, String name, int frequencyHz, double seconds)
      throws IOException, InterruptedException {
    Path out = dir.resolve(name);
    List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-loglevel", "error",
        "-nostdin", "-y", "-f", "lavfi",
        "-i", "sine=frequency=" + frequencyHz + ":sample_rate=48000:duration=" + seconds,
        "-ac", "2"));
    if (name.endsWith(".ogg") || name.endsWith(".opus")) {
      cmd.addAll(List.of("-c:a", "libopus", "-b:a", "64k", "-frame_duration", "20",
          "-page_duration", "20000"));
    }
    cmd.add(out.toString());
    TestMedia.run(cmd);
    return out;
  }

  /**
   * An Ogg/Opus file of {@code seconds} of silence with a 440 Hz burst in [{@code fromSeconds},
   * {@code toSeconds}): content that encodes position, for seek checks.
   */
  static Path burst(Path dir, String name, double seconds, double fromSeconds, double toSeconds)
      throws IOException, InterruptedException {
    Path out = dir.resolve(name);
    TestMedia.run(List.of("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
        "-f", "lavfi", "-i", "aevalsrc=0.5*between(t\\," + fromSeconds + "\\," + toSeconds
            + ")*lt(t\\," + toSeconds + ")*sin(2*PI*440*t):s=48000:d=" + seconds,
        "-ac", "2", "-c:a", "libopus", "-b:a", "64k", "-frame_duration", "20",
        "-page_duration", "20000", out.toString()));
    return out;
  }

  /**
   * A video file as a user would have one: a lavfi test pattern with a sine tone, H.264 + PCM in
   * Matroska.
   *
   * @param pattern lavfi video source, e.g. {@code testsrc}, {@code testsrc2}
   * @param size width x height, e.g. {@code 320x240}
   * @param fps frame rate
   * @param toneHz sine frequency, Hz
   * @param seconds duration, s
   */
  static Path clip(Path dir, String name, String pattern, String size, int fps, int toneHz,
      int seconds) throws IOException, InterruptedException {
    Path file = dir.resolve(name);
    TestMedia.run(List.of("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
        "-f", "lavfi", "-i", pattern + "=size=" + size + ":rate=" + fps + ":duration=" + seconds,
        "-f", "lavfi", "-i", "sine=frequency=" + toneHz + ":sample_rate=48000:duration=" + seconds,
        "-c:v", "libx264", "-preset", "ultrafast", "-g", "300", "-c:a", "pcm_s16le",
        file.toString()));
    return file;
  }
}
