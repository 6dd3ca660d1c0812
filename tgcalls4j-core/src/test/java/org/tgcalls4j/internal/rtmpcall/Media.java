package org.tgcalls4j.internal.rtmpcall;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** ffmpeg/ffprobe helpers for the RTMP tests: make lavfi sources, analyse recordings. */
final class Media {
  private Media() {}

  /** Runs a command to completion; returns its stdout, failing the test on a non-zero exit. */
  static String run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.PIPE).start();
    byte[][] err = new byte[1][];
    Thread errPump = new Thread(() -> {
      try {
        err[0] = p.getErrorStream().readAllBytes();
      } catch (IOException e) {
        err[0] = new byte[0];
      }
    });
    errPump.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
    }
    errPump.join();
    assertThat(p.exitValue()).as("%s: %s", command, new String(err[0], StandardCharsets.UTF_8))
        .isZero();
    return out;
  }

  /** Encodes {@code seconds} of a lavfi video pattern with a sine tone to an MP4 file. */
  static void makeSource(Path out, String videoPattern, int toneHz, int seconds)
      throws IOException, InterruptedException {
    run(List.of("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
        "-f", "lavfi", "-i", videoPattern + "=s=320x240:r=25",
        "-f", "lavfi", "-i", "sine=f=" + toneHz + ":r=48000",
        "-t", Integer.toString(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-g", "25",
        "-pix_fmt", "yuv420p", "-c:a", "aac", out.toString()));
  }

  /** One demuxed packet of a recording. */
  record Packet(String codecType, double dtsSeconds) {}

  /** What ffprobe reads from a recording. */
  record Probe(List<String> codecs, List<Packet> packets) {
    List<Double> dts(String codecType) {
      return packets.stream().filter(p -> p.codecType().equals(codecType))
          .map(Packet::dtsSeconds).toList();
    }

    double maxGapSeconds(String codecType) {
      List<Double> dts = dts(codecType);
      double max = 0;
      for (int i = 1; i < dts.size(); i++) {
        max = Math.max(max, dts.get(i) - dts.get(i - 1));
      }
      return max;
    }

    double durationSeconds() {
      return packets.stream().mapToDouble(Packet::dtsSeconds).max().orElse(0)
          - packets.stream().mapToDouble(Packet::dtsSeconds).min().orElse(0);
    }
  }

  static Probe probe(Path file) throws IOException, InterruptedException {
    String json = run(List.of("ffprobe", "-v", "error", "-show_streams", "-show_packets",
        "-of", "json", file.toString()));
    JsonObject root = JsonParser.parseString(json).getAsJsonObject();
    List<String> codecs = new ArrayList<>();
    for (JsonElement s : root.getAsJsonArray("streams")) {
      codecs.add(s.getAsJsonObject().get("codec_name").getAsString());
    }
    List<Packet> packets = new ArrayList<>();
    for (JsonElement e : root.getAsJsonArray("packets")) {
      JsonObject p = e.getAsJsonObject();
      packets.add(new Packet(p.get("codec_type").getAsString(),
          Double.parseDouble(p.get("dts_time").getAsString())));
    }
    return new Probe(codecs, packets);
  }

  /** Packets demuxed and frames decoded from one stream of a file. */
  record Decoded(int packets, int frames) {}

  /**
   * Decodes the whole file with ffprobe ({@code -count_frames -count_packets}).
   *
   * @return {video, audio}
   */
  static Decoded[] decode(Path file) throws IOException, InterruptedException {
    String out = run(List.of("ffprobe", "-v", "error", "-count_frames", "-count_packets",
        "-show_entries", "stream=codec_type,nb_read_frames,nb_read_packets", "-of", "csv=p=0",
        file.toString()));
    Decoded[] decoded = new Decoded[2];
    for (String line : out.strip().split("\n")) {
      String[] f = line.strip().split(",");
      decoded[f[0].equals("video") ? 0 : 1] =
          new Decoded(Integer.parseInt(f[2]), Integer.parseInt(f[1]));
    }
    return decoded;
  }
}
