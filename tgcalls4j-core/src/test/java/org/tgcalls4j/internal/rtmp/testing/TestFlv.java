package org.tgcalls4j.internal.rtmp.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test media: makes an H.264 + AAC FLV file with ffmpeg and splits an FLV file into tags with a
 * minimal reading loop (FLV specification v10.1 Annex E). Not the production FLV reader.
 */
public final class TestFlv {
  public static final int AUDIO = 8;
  public static final int VIDEO = 9;
  public static final int SCRIPT = 18;

  /** One FLV tag: type, timestamp in ms and the tag body. */
  public record Tag(int type, int timestampMillis, byte[] body) {}

  private TestFlv() {}

  /**
   * Encodes {@code seconds} of ffmpeg's testsrc (320x240, 25 fps, libx264, keyframe every second)
   * and a 440 Hz sine (44.1 kHz stereo AAC) into an FLV file.
   */
  public static Path makeH264Aac(Path dir, int seconds) throws IOException, InterruptedException {
    Path flv = dir.resolve("test.flv");
    Process ffmpeg =
        new ProcessBuilder(
                "ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
                "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
                "-t", String.valueOf(seconds),
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "25",
                "-c:a", "aac", "-b:a", "64k", "-ac", "2",
                "-f", "flv", flv.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("ffmpeg.log").toFile())
            .start();
    try {
      if (!ffmpeg.waitFor(60, TimeUnit.SECONDS) || ffmpeg.exitValue() != 0) {
        throw new IOException("ffmpeg failed: " + Files.readString(dir.resolve("ffmpeg.log")));
      }
    } finally {
      NginxRtmpServer.stop(ffmpeg);
    }
    return flv;
  }

  /** Reads every tag of an FLV file (header, then PreviousTagSize + tag, ...). */
  public static List<Tag> readTags(Path flv) throws IOException {
    byte[] b = Files.readAllBytes(flv);
    if (b.length < 13 || b[0] != 'F' || b[1] != 'L' || b[2] != 'V') {
      throw new IOException("not an FLV file: " + flv);
    }
    int headerSize = ((b[5] & 0xFF) << 24) | ((b[6] & 0xFF) << 16) | ((b[7] & 0xFF) << 8) | (b[8] & 0xFF);
    List<Tag> tags = new ArrayList<>();
    int p = headerSize + 4; // skip PreviousTagSize0
    while (p + 11 <= b.length) {
      int type = b[p] & 0x1F;
      int size = ((b[p + 1] & 0xFF) << 16) | ((b[p + 2] & 0xFF) << 8) | (b[p + 3] & 0xFF);
      int timestamp = ((b[p + 7] & 0xFF) << 24) | ((b[p + 4] & 0xFF) << 16) | ((b[p + 5] & 0xFF) << 8) | (b[p + 6] & 0xFF);
      if (p + 11 + size > b.length) {
        break; // truncated last tag
      }
      byte[] body = new byte[size];
      System.arraycopy(b, p + 11, body, 0, size);
      tags.add(new Tag(type, timestamp, body));
      p += 11 + size + 4;
    }
    return tags;
  }

  /**
   * Runs ffprobe on a recording.
   *
   * @return ffprobe's compact output of stream codec names and every packet's codec type and pts
   */
  public static List<String> probe(Path file) throws IOException, InterruptedException {
    Process ffprobe =
        new ProcessBuilder(
                "ffprobe", "-v", "error", "-show_entries", "stream=codec_name:packet=codec_type,pts_time",
                "-of", "csv=p=0", "file:" + file)
            .redirectErrorStream(true)
            .start();
    try {
      byte[] output = ffprobe.getInputStream().readAllBytes();
      if (!ffprobe.waitFor(30, TimeUnit.SECONDS)) {
        throw new IOException("ffprobe timed out");
      }
      return new String(output, java.nio.charset.StandardCharsets.UTF_8).lines().toList();
    } finally {
      NginxRtmpServer.stop(ffprobe);
    }
  }
}
