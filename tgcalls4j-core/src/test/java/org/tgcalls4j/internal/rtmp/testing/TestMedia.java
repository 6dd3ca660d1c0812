package org.tgcalls4j.internal.rtmp.testing;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real ffmpeg and ffprobe for the RTMP tests: runs them, makes lavfi test sources and reads
 * back what a recording holds. Blocking calls on the caller's thread.
 */
public final class TestMedia {
  private static final long TIMEOUT_SECONDS = 60;

  private TestMedia() {}

  /**
   * Runs a command to completion (at most 60 s, then it is killed).
   *
   * @return its stdout (UTF-8)
   * @throws IOException when it cannot start, times out or exits non-zero (the message carries the
   *     command and its stderr)
   */
  public static String run(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).start();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    Thread stderrPump = new Thread(() -> {
      try {
        process.getErrorStream().transferTo(stderr);
      } catch (IOException e) {
        // the process is gone; what was read so far is enough for the message
      }
    }, "test-stderr");
    stderrPump.start();
    try {
      String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        throw new IOException(command + " did not finish within " + TIMEOUT_SECONDS + " s");
      }
      stderrPump.join();
      if (process.exitValue() != 0) {
        throw new IOException(command + " exited with " + process.exitValue() + ": "
            + stderr.toString(StandardCharsets.UTF_8));
      }
      return stdout;
    } finally {
      NginxRtmpServer.stop(process); // also ends the stderr pump
    }
  }

  /**
   * Encodes {@code seconds} of a lavfi video pattern (320x240, 25 fps, libx264, a keyframe every
   * second) with a sine tone (48 kHz mono AAC); the extension of {@code out} picks the container
   * ({@code .mp4}, {@code .flv}, ...).
   *
   * @param videoPattern a lavfi video source: {@code testsrc}, {@code smptebars}, ...
   * @return {@code out}
   */
  public static Path makeSource(Path out, String videoPattern, int toneHz, int seconds)
      throws IOException, InterruptedException {
    run(List.of("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
        "-f", "lavfi", "-i", videoPattern + "=s=320x240:r=25",
        "-f", "lavfi", "-i", "sine=f=" + toneHz + ":r=48000",
        "-t", Integer.toString(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-g", "25",
        "-pix_fmt", "yuv420p", "-c:a", "aac", out.toString()));
    return out;
  }

  /** One demuxed packet of a recording; times in seconds. */
  public record Packet(String codecType, double ptsSeconds, double dtsSeconds) {}

  /** What ffprobe reads from a recording: stream codec names and every packet in file order. */
  public record Probe(List<String> codecs, List<Packet> packets) {
    /** @return the DTS of every packet of one codec type ({@code video}, {@code audio}), in s */
    public List<Double> dts(String codecType) {
      return packets.stream().filter(p -> p.codecType().equals(codecType))
          .map(Packet::dtsSeconds).toList();
    }

    /** @return the largest PTS of one codec type in s, 0 without packets */
    public double maxPtsSeconds(String codecType) {
      return packets.stream().filter(p -> p.codecType().equals(codecType))
          .mapToDouble(Packet::ptsSeconds).max().orElse(0);
    }

    /** @return the largest DTS step between consecutive packets of one codec type, in s */
    public double maxGapSeconds(String codecType) {
      List<Double> dts = dts(codecType);
      double max = 0;
      for (int i = 1; i < dts.size(); i++) {
        max = Math.max(max, dts.get(i) - dts.get(i - 1));
      }
      return max;
    }

    /** @return last minus first DTS over all packets, in s */
    public double durationSeconds() {
      return packets.stream().mapToDouble(Packet::dtsSeconds).max().orElse(0)
          - packets.stream().mapToDouble(Packet::dtsSeconds).min().orElse(0);
    }
  }

  /**
   * Runs ffprobe on a file.
   *
   * @throws IOException when ffprobe fails (e.g. no such file, not a media file)
   */
  public static Probe probe(Path file) throws IOException, InterruptedException {
    String json = run(List.of("ffprobe", "-v", "error", "-show_streams", "-show_packets",
        "-of", "json", "file:" + file));
    JsonObject root = JsonParser.parseString(json).getAsJsonObject();
    List<String> codecs = new ArrayList<>();
    for (JsonElement s : root.getAsJsonArray("streams")) {
      codecs.add(s.getAsJsonObject().get("codec_name").getAsString());
    }
    List<Packet> packets = new ArrayList<>();
    for (JsonElement e : root.getAsJsonArray("packets")) {
      JsonObject p = e.getAsJsonObject();
      packets.add(new Packet(p.get("codec_type").getAsString(),
          Double.parseDouble(p.get("pts_time").getAsString()),
          Double.parseDouble(p.get("dts_time").getAsString())));
    }
    return new Probe(codecs, packets);
  }

  /** Packets demuxed and frames decoded from one stream of a file. */
  public record Decoded(int packets, int frames) {}

  /**
   * Decodes the whole file with ffprobe ({@code -count_frames -count_packets}).
   *
   * @return {video, audio}
   * @throws IOException when ffprobe fails
   */
  public static Decoded[] decode(Path file) throws IOException, InterruptedException {
    String out = run(List.of("ffprobe", "-v", "error", "-count_frames", "-count_packets",
        "-show_entries", "stream=codec_type,nb_read_frames,nb_read_packets", "-of", "csv=p=0",
        "file:" + file));
    Decoded[] decoded = new Decoded[2];
    for (String line : out.strip().split("\n")) {
      String[] f = line.strip().split(",");
      decoded[f[0].equals("video") ? 0 : 1] =
          new Decoded(Integer.parseInt(f[2]), Integer.parseInt(f[1]));
    }
    return decoded;
  }
}
