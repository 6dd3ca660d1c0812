package org.tgcalls4j.internal.bench;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.tgcalls4j.internal.ogg.OggOpusReader;

/**
 * {@link OggOpusReader#nextPacket} of one Opus packet per operation, from an in-memory Ogg Opus
 * stream of {@value #DURATION_SECONDS} s of noise that ffmpeg encodes once per trial (mono, 20 ms
 * frames, 64 kbit/s CBR: 160-byte packets). At the end of the stream a new reader starts over; its
 * OpusHead/OpusTags parsing is amortized over the stream's packets. Needs ffmpeg with libopus on
 * the PATH ({@code ./bench} leaves this benchmark out when ffmpeg is missing).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class OggOpusReaderBenchmark {
  static final int DURATION_SECONDS = 10;
  static final long FFMPEG_TIMEOUT_SECONDS = 60;

  private byte[] oggOpus;
  private OggOpusReader reader;

  /**
   * Encodes the stream with ffmpeg and checks that it holds packets.
   *
   * @throws IllegalStateException if ffmpeg is missing, fails or takes longer than
   *     {@value #FFMPEG_TIMEOUT_SECONDS} s
   */
  @Setup
  public void setUp() throws IOException, InterruptedException {
    oggOpus = encodeWithFfmpeg();
    reader = open();
    if (reader.nextPacket() == null) {
      throw new IllegalStateException("ffmpeg's Ogg Opus stream holds no audio packet");
    }
  }

  /** @return the next Opus packet, consumed by JMH */
  @Benchmark
  public byte[] nextPacket() throws IOException {
    byte[] packet = reader.nextPacket();
    if (packet == null) {
      reader = open();
      packet = reader.nextPacket();
    }
    return packet;
  }

  private OggOpusReader open() throws IOException {
    OggOpusReader r = new OggOpusReader(new ByteArrayInputStream(oggOpus));
    r.head();
    return r;
  }

  private static byte[] encodeWithFfmpeg() throws IOException, InterruptedException {
    Path file = Files.createTempFile("tgcalls4j-bench", ".opus");
    try {
      List<String> command = List.of("ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
          "-f", "lavfi", "-i", "anoisesrc=sample_rate=48000:amplitude=0.3:duration=" + DURATION_SECONDS,
          "-ac", "1", "-c:a", "libopus", "-b:a", "64k", "-vbr", "off", "-frame_duration", "20",
          "-f", "ogg", file.toString());
      Process ffmpeg;
      try {
        ffmpeg = new ProcessBuilder(command)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
      } catch (IOException e) {
        throw new IllegalStateException("cannot start ffmpeg (is it on the PATH?): " + e.getMessage(), e);
      }
      if (!ffmpeg.waitFor(FFMPEG_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        ffmpeg.destroyForcibly().waitFor();
        throw new IllegalStateException("ffmpeg took longer than " + FFMPEG_TIMEOUT_SECONDS + " s: " + command);
      }
      if (ffmpeg.exitValue() != 0) {
        throw new IllegalStateException("ffmpeg exited with " + ffmpeg.exitValue() + ": " + command);
      }
      return Files.readAllBytes(file);
    } finally {
      Files.deleteIfExists(file);
    }
  }
}
