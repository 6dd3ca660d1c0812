package org.tgcalls4j.internal.ffmpeg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tgcalls4j.FfmpegCrashedException;
import org.tgcalls4j.FfmpegSpawnException;
import org.tgcalls4j.MediaSource;

/** Runs the real ffmpeg ({@code /usr/bin/ffmpeg}, 5.1 with libopus, libx264, aac). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FfmpegProcessTest {
  private static final Path FFMPEG = Path.of("/usr/bin/ffmpeg");
  private static final Path MISSING = Path.of("/nonexistent/tgcalls4j/ffmpeg");
  private static final ThreadFactory THREADS = Thread::new;
  /** Opus pre-skip written by libopus (RFC 7845 §4.2), in 48 kHz samples. */
  private static final int LIBOPUS_PRESKIP = 312;

  @TempDir static Path media;
  private final List<FfmpegProcess> started = new ArrayList<>();

  @BeforeAll
  static void makeInputs() throws Exception {
    // 2 s of 440 Hz sine in several containers, as users would hand them in.
    make("-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-c:a", "libmp3lame", "sine.mp3");
    make("-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-c:a", "aac", "sine.m4a");
    make("-f", "lavfi", "-i", "sine=frequency=440:duration=2", "sine.wav");
    // An mp3 with a 1000x1000 cover picture in its ID3 tag, far bigger than the 64 KiB probe size.
    make("-f", "lavfi", "-i", "testsrc=size=1000x1000:duration=1", "-frames:v", "1", "-q:v", "1", "cover.jpg");
    make("-i", media.resolve("sine.mp3").toString(), "-i", media.resolve("cover.jpg").toString(),
        "-map", "0", "-map", "1", "-c", "copy", "-id3v2_version", "3", "cover.mp3");
    assertThat(Files.size(media.resolve("cover.mp3"))).isGreaterThan(65_536);
    // 2 s of 640x360 video with sound, for the FLV transcode.
    make("-f", "lavfi", "-i", "testsrc=size=640x360:rate=25:duration=2", "-f", "lavfi", "-i", "sine=duration=2",
        "-c:v", "libx264", "-c:a", "aac", "-shortest", "video.mp4");
    byte[] junk = new byte[4096];
    new Random(42).nextBytes(junk);
    Files.write(media.resolve("junk.mp3"), junk);
  }

  private static void make(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(FFMPEG.toString(), "-hide_banner", "-loglevel", "error",
        "-nostdin", "-y"));
    command.addAll(List.of(args).subList(0, args.length - 1));
    command.add(media.resolve(args[args.length - 1]).toString());
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("ffmpeg %s", command).isZero();
  }

  @AfterEach
  void closeEverything() {
    started.forEach(FfmpegProcess::close);
    for (FfmpegProcess p : started) {
      assertThat(ProcessHandle.of(p.pid()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
      assertThat(pumpThreadAlive(p.pid())).isFalse();
    }
  }

  private FfmpegProcess start(List<String> command) throws FfmpegSpawnException {
    FfmpegProcess p = FfmpegProcess.start(command, THREADS);
    started.add(p);
    return p;
  }

  private static boolean pumpThreadAlive(long pid) {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().equals(FfmpegProcess.STDERR_THREAD_PREFIX + pid) && t.isAlive());
  }

  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    in.transferTo(out);
    return out.toByteArray();
  }

  /** Ogg pages in the stream (RFC 3533 §6) and the granule position of the last one. */
  private record OggSummary(int pages, long lastGranule, boolean hasOpusHead) {}

  private static OggSummary summarize(byte[] ogg) {
    ByteBuffer b = ByteBuffer.wrap(ogg).order(ByteOrder.LITTLE_ENDIAN);
    int pages = 0;
    long granule = -1;
    boolean opusHead = false;
    int pos = 0;
    while (pos + 27 <= ogg.length) {
      assertThat(new String(ogg, pos, 4, StandardCharsets.US_ASCII)).as("capture pattern at %d", pos).isEqualTo("OggS");
      granule = b.getLong(pos + 6);
      int segments = ogg[pos + 26] & 0xFF;
      int bodyLength = 0;
      for (int i = 0; i < segments; i++) {
        bodyLength += ogg[pos + 27 + i] & 0xFF;
      }
      int body = pos + 27 + segments;
      if (pages == 0) {
        opusHead = new String(ogg, body, 8, StandardCharsets.US_ASCII).equals("OpusHead");
      }
      pos = body + bodyLength;
      pages++;
    }
    assertThat(pos).as("no trailing bytes").isEqualTo(ogg.length);
    return new OggSummary(pages, granule, opusHead);
  }

  @ParameterizedTest
  @ValueSource(strings = {"sine.mp3", "sine.m4a", "sine.wav", "cover.mp3"})
  void transcodesTwoSecondFileToOggOpusWithFastStartProbing(String file) throws Exception {
    FfmpegProcess ffmpeg = start(FfmpegCommand.opusOgg(FFMPEG, MediaSource.file(media.resolve(file)), 64, 0));

    OggSummary ogg = summarize(readAll(ffmpeg.stdout()));

    assertThat(ffmpeg.crashError()).isNull();
    assertThat(ogg.hasOpusHead()).isTrue();
    // 2 s at 48 kHz plus pre-skip; mp3/aac decoders add up to a few frames of padding.
    assertThat(ogg.lastGranule()).isBetween(96_000L + LIBOPUS_PRESKIP, 96_000L + LIBOPUS_PRESKIP + 4_800);
    // One page per 20 ms frame (OpusHead and OpusTags pages come first).
    assertThat(ogg.pages()).isGreaterThanOrEqualTo(2 + 100);
  }

  @Test
  void startOffsetSkipsIntoTheInput() throws Exception {
    FfmpegProcess ffmpeg = start(FfmpegCommand.opusOgg(FFMPEG, MediaSource.file(media.resolve("sine.wav")), 64, 1_500));

    OggSummary ogg = summarize(readAll(ffmpeg.stdout()));

    assertThat(ffmpeg.crashError()).isNull();
    assertThat(ogg.lastGranule()).isBetween(24_000L + LIBOPUS_PRESKIP, 24_000L + LIBOPUS_PRESKIP + 960);
  }

  @Test
  void transcodesHttpInputWithReconnectOptionsAndEndsAtTheEndOfTheFile() throws Exception {
    byte[] mp3 = Files.readAllBytes(media.resolve("sine.mp3"));
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/sine.mp3", exchange -> {
      exchange.sendResponseHeaders(200, mp3.length);
      try (OutputStream body = exchange.getResponseBody()) {
        body.write(mp3);
      }
    });
    server.start();
    try {
      String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/sine.mp3";
      FfmpegProcess ffmpeg = start(FfmpegCommand.opusOgg(FFMPEG, MediaSource.url(url), 64, 0));

      OggSummary ogg = summarize(readAll(ffmpeg.stdout()));

      assertThat(ffmpeg.crashError()).isNull();
      assertThat(ogg.lastGranule()).isBetween(96_000L + LIBOPUS_PRESKIP, 96_000L + LIBOPUS_PRESKIP + 4_800);
    } finally {
      server.stop(0);
    }
  }

  @Test
  void reportsUnplayableFileWithExitCodeAndStderrTail() throws Exception {
    FfmpegProcess ffmpeg = start(FfmpegCommand.opusOgg(FFMPEG, MediaSource.file(media.resolve("junk.mp3")), 64, 0));

    assertThat(readAll(ffmpeg.stdout())).isEmpty();
    FfmpegCrashedException crash = ffmpeg.crashError();

    assertThat(crash).isNotNull();
    assertThat(crash.exitCode()).isNotZero();
    assertThat(crash.stderrTail()).contains("junk.mp3").contains("Invalid");
    assertThat(crash.stderrTail().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(512);
    assertThat(ffmpeg.stderrTail()).isEqualTo(crash.stderrTail());
  }

  @Test
  void keepsOnlyTheLast512BytesOfStderr() throws Exception {
    // "-loglevel info" with a long title makes ffmpeg print well over 512 bytes, then fail.
    FfmpegProcess ffmpeg = start(List.of(FFMPEG.toString(), "-nostdin", "-f", "lavfi",
        "-i", "sine=duration=0.1", "-metadata", "title=" + "x".repeat(2000), "-f", "nosuchformat", "pipe:1"));

    readAll(ffmpeg.stdout());
    FfmpegCrashedException crash = ffmpeg.crashError();

    assertThat(crash).isNotNull();
    assertThat(crash.stderrTail()).hasSize(512).endsWith("Invalid argument\n");
  }

  @Test
  void missingBinaryFailsCheckAndStart() {
    assertThatThrownBy(() -> FfmpegProcess.checkAvailable(MISSING))
        .isInstanceOf(FfmpegSpawnException.class).hasMessageContaining(MISSING.toString());
    assertThatThrownBy(() -> FfmpegProcess.start(List.of(MISSING.toString(), "-version"), THREADS))
        .isInstanceOf(FfmpegSpawnException.class).hasMessageContaining(MISSING.toString());
  }

  @Test
  void installedBinaryPassesCheck() throws Exception {
    FfmpegProcess.checkAvailable(FFMPEG);
  }

  @Test
  void binaryThatFailsVersionFailsCheck() {
    assertThatThrownBy(() -> FfmpegProcess.checkAvailable(Path.of("/bin/false")))
        .isInstanceOf(FfmpegSpawnException.class).hasMessageContaining("exited with code 1");
  }

  @Test
  void closeKillsRealtimeFfmpegAndItsPumpThread() throws Exception {
    FfmpegProcess ffmpeg = start(List.of(FFMPEG.toString(), "-hide_banner", "-loglevel", "error", "-nostdin",
        "-re", "-f", "lavfi", "-i", "sine=duration=60", "-c:a", "libopus", "-f", "ogg", "pipe:1"));
    long pid = ffmpeg.pid();
    assertThat(ffmpeg.stdout().readNBytes(4)).asString(StandardCharsets.US_ASCII).isEqualTo("OggS");
    assertThat(pumpThreadAlive(pid)).isTrue();

    long startNanos = System.nanoTime();
    ffmpeg.close();
    ffmpeg.close();

    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos)).isLessThan(3_000);
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(pumpThreadAlive(pid)).isFalse();
    assertThat(ffmpeg.crashError()).isNull();
  }

  @Test
  void crashErrorIsNullWhileRunning() throws Exception {
    FfmpegProcess ffmpeg = start(List.of(FFMPEG.toString(), "-hide_banner", "-loglevel", "error", "-nostdin",
        "-re", "-f", "lavfi", "-i", "sine=duration=60", "-c:a", "libopus", "-f", "ogg", "pipe:1"));
    ffmpeg.stdout().readNBytes(4);

    assertThat(ffmpeg.crashError()).isNull();
  }

  @Test
  void transcodesVideoToFlvWithH264AndAac() throws Exception {
    Path flv = media.resolve("out.flv");
    FfmpegProcess ffmpeg = start(FfmpegCommand.flvH264Aac(FFMPEG, MediaSource.file(media.resolve("video.mp4")),
        new FlvEncoding(320, 240, 30, 500, 96, 44_100), 0, false));

    byte[] out = readAll(ffmpeg.stdout());
    Files.write(flv, out);

    assertThat(ffmpeg.crashError()).isNull();
    assertThat(new String(out, 0, 3, StandardCharsets.US_ASCII)).isEqualTo("FLV");
    assertThat(probeStreams(flv)).containsExactly("h264,320,240", "aac,44100");
  }

  @Test
  void audioOnlyInputGivesAudioOnlyFlv() throws Exception {
    Path flv = media.resolve("audio-only.flv");
    FfmpegProcess ffmpeg = start(FfmpegCommand.flvH264Aac(FFMPEG, MediaSource.file(media.resolve("cover.mp3")),
        new FlvEncoding(320, 240, 30, 500, 96, 48_000), 0, false));

    Files.write(flv, readAll(ffmpeg.stdout()));

    assertThat(ffmpeg.crashError()).isNull();
    assertThat(probeStreams(flv)).containsExactly("aac,48000");
  }

  /** Each stream as "codec,width,height" or "codec,sample_rate" according to ffprobe. */
  private static List<String> probeStreams(Path file) throws Exception {
    Process p = new ProcessBuilder("/usr/bin/ffprobe", "-v", "error", "-show_entries",
        "stream=codec_name,width,height,sample_rate", "-of", "csv=p=0", file.toString())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return out.lines().toList();
  }
}
