package org.tgcalls4j.it;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Test media made with the real ffmpeg. */
final class Media {
  private Media() {}

  /**
   * @param dir output directory
   * @param name file name; its extension picks the container (ogg → Opus, wav, mp3 ...)
   * @param frequencyHz sine frequency
   * @param seconds duration
   * @return the file
   */
  static Path tone(Path dir, String name, int frequencyHz, double seconds)
      throws IOException, InterruptedException {
    Path out = dir.resolve(name);
    List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
        "-f", "lavfi", "-i", "sine=frequency=" + frequencyHz + ":sample_rate=48000:duration=" + seconds,
        "-ac", "2"));
    if (name.endsWith(".ogg") || name.endsWith(".opus")) {
      cmd.addAll(List.of("-c:a", "libopus", "-b:a", "64k", "-frame_duration", "20",
          "-page_duration", "20000"));
    }
    cmd.add(out.toString());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException("ffmpeg could not make " + out);
    }
    return out;
  }
}
