package org.tgcalls4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.tgcalls4j.CallStats;
import org.tgcalls4j.EncodeOptions;
import org.tgcalls4j.GroupCall;
import org.tgcalls4j.MediaSource;
import org.tgcalls4j.NetworkOptions;
import org.tgcalls4j.TgCalls;
import org.tgcalls4j.VideoStats;
import org.tgcalls4j.testsfu.Audio;
import org.tgcalls4j.testsfu.Recording;
import org.tgcalls4j.testsfu.TestSfu;
import org.tgcalls4j.testsfu.VideoRecording;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tgcalls4j demo}: streams a source into the embedded test SFU and reports what arrived.
 * With {@code --video} the SFU also reassembles the VP8 frames (its depacketizer), and the report
 * gives the frames sent and received, their size and frame rate.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Stream SOURCE into a test SFU on 127.0.0.1 (ice4j + Bouncy Castle DTLS + "
        + "jitsi-srtp + Concentus) and report what it received; with --video also the VP8 "
        + "frames, size and frame rate it reassembled.")
final class DemoCommand implements Callable<Integer> {
  private static final long CHAT_ID = 1;
  /** Held so that java.util.logging keeps the levels set on them. */
  private static final java.util.List<java.util.logging.Logger> SFU_LOGGERS = java.util.List.of(
      java.util.logging.Logger.getLogger("org.ice4j"), java.util.logging.Logger.getLogger("org.jitsi"));

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(arity = "0..1", paramLabel = "SOURCE",
      description = "File or URL to play (default: a built-in 5 s 440 Hz Ogg/Opus tone, no ffmpeg "
          + "needed; with --video a 5 s 640x360 test pattern with the tone, made with ffmpeg).")
  String source;

  @Option(names = "--wav", description = "Where to write the received audio (default: ${DEFAULT-VALUE}).")
  Path wav = Path.of("demo-received.wav");

  @Option(names = "--seconds", description = "Stop after this many seconds (default: when the "
      + "source ends, at most 60; with --private: 5).")
  Integer seconds;

  @Option(names = "--ffmpeg", description = "ffmpeg binary (default: ${DEFAULT-VALUE}).")
  Path ffmpeg = Path.of("ffmpeg");

  @Option(names = "--private", description = "Run a private call instead: two tgcalls4j calls on "
      + "127.0.0.1, the caller playing SOURCE, the callee pushing a 660 Hz tone as PCM; reports "
      + "both directions.")
  boolean privateCall;

  @CommandLine.Mixin
  EncodeFlags encode = new EncodeFlags();

  @Override
  public Integer call() throws Exception {
    EncodeOptions options = encode.toOptions();
    if (privateCall) {
      if (encode.any()) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "--private plays audio only: leave out --video and the encode flags");
      }
      return new PrivateDemo(ffmpeg, seconds == null ? 5 : Math.min(seconds, 60)).run(source);
    }
    // ice4j and jitsi-utils (inside the test SFU) log set-up and teardown chatter through
    // java.util.logging; the demo prints its own report instead
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.SEVERE);
    Path builtIn = null;
    MediaSource media;
    boolean needsFfmpeg;
    if (source == null && options.hasVideo()) {
      builtIn = generateVideoSample(ffmpeg);
      media = MediaSource.file(builtIn, options);
      needsFfmpeg = true;
    } else if (source == null) {
      builtIn = extractSample();
      media = MediaSource.file(builtIn, options);
      needsFfmpeg = !options.hasDefaultAudio(); // the Ogg/Opus tone is sent as it is
    } else {
      media = Main.parseSource(source, options);
      needsFfmpeg = true;
    }
    BlockingQueue<String> ends = new ArrayBlockingQueue<>(4);
    try (TestSfu sfu = TestSfu.start(TestSfu.Options.defaults());
        TgCalls calls = TgCalls.builder()
            .ffmpegPath(ffmpeg)
            .requireFfmpeg(needsFfmpeg)
            .networkOptions(NetworkOptions.loopbackOnly())
            .streamListener((chat, error) -> ends.add(error == null ? "" : Main.oneLine(error)))
            .build()) {
      SFU_LOGGERS.forEach(l -> l.setLevel(java.util.logging.Level.SEVERE));
      GroupCall call = calls.createGroupCall(CHAT_ID);
      call.setSource(media); // before the join, which then declares the video's SSRCs
      String answer = sfu.answer(call.joinJson());
      long startNanos = System.nanoTime();
      call.connect(answer);
      String end = ends.poll(seconds == null ? 60 : seconds, TimeUnit.SECONDS);
      long cpuNanos = CpuMeter.callThreadsCpuNanos();
      double wallSeconds = (System.nanoTime() - startNanos) / 1e9;
      VideoStats videoStats = options.hasVideo() ? call.videoStats() : null;
      for (int i = 0; videoStats != null && i < 20
          && sfu.recording().video().packets() < videoStats.packetsSent(); i++) {
        Thread.sleep(100); // the SFU's reader may lag behind the last video packets
      }
      Thread.sleep(300); // let the last packets and the RTCP report land
      CallStats stats = call.stats();
      call.stop();
      Recording rec = sfu.recording();
      Audio.writeWav(wav, rec.pcm48kStereo(), 2, 48_000);
      int code = report(stats, rec, end, cpuNanos, wallSeconds);
      if (videoStats != null && reportVideo(videoStats, rec.video(), stats) != 0) {
        code = 1;
      }
      return code;
    } finally {
      if (builtIn != null) {
        Files.deleteIfExists(builtIn);
      }
    }
  }

  /** Prints what video was sent and what the SFU reassembled; 1 if no frame arrived. */
  private static int reportVideo(VideoStats sent, VideoRecording got, CallStats stats) {
    System.out.printf(Locale.ROOT, "video frames sent: %d (%d keyframes), received by SFU: %d%n",
        sent.framesSent(), sent.keyFramesSent(), got.framesCompleted());
    if (got.framesCompleted() == 0) {
      System.out.println("no video frame arrived");
      return 1;
    }
    double spanSeconds = got.keyFrameRtpTimestamps().isEmpty() ? 0
        : ((got.lastRtpTimestamp() - got.keyFrameRtpTimestamps().get(0)) & 0xFFFF_FFFFL) / 90_000.0;
    double fps = spanSeconds > 0 ? (got.framesCompleted() - 1) / spanSeconds : 0;
    double mediaSeconds = stats.mediaTimeMillis() / 1000.0;
    System.out.printf(Locale.ROOT, "video received: VP8 %dx%d, %.1f frames/s, %.0f kbit/s sent%n",
        got.width(), got.height(), fps,
        mediaSeconds > 0 ? sent.payloadBytesSent() * 8 / mediaSeconds / 1000 : 0.0);
    return 0;
  }

  /**
   * Makes the default video input of {@code demo --video}: a 5 s lavfi test pattern (640x360,
   * 30 fps, a running counter) with a 440 Hz tone, VP8 and Opus in WebM (the encoders a video
   * call needs anyway), in a temporary file.
   *
   * @throws IOException if ffmpeg cannot run or fails (its message is kept)
   */
  static Path generateVideoSample(Path ffmpeg) throws IOException, InterruptedException {
    Path file = Files.createTempFile("tgcalls4j-sample-", ".webm");
    java.util.List<String> command = java.util.List.of(ffmpeg.toString(), "-hide_banner",
        "-loglevel", "error", "-nostdin", "-y",
        "-f", "lavfi", "-i", "testsrc=size=640x360:rate=30:duration=5",
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=5",
        "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "1M",
        "-c:a", "libopus", "-b:a", "96k", file.toString());
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      Files.deleteIfExists(file);
      throw new IOException("demo --video makes its sample video with ffmpeg, which did not "
          + "start (" + e.getMessage() + "): install ffmpeg, pass --ffmpeg PATH, or give a "
          + "SOURCE with video", e);
    }
    p.getOutputStream().close();
    String output = new String(p.getInputStream().readAllBytes(),
        java.nio.charset.StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      Files.deleteIfExists(file);
      throw new IOException("ffmpeg could not make the sample video: " + output.strip());
    }
    return file;
  }

  private int report(CallStats stats, Recording rec, String end, long cpuNanos, double wallSeconds) {
    long received = rec.packetsBySsrc().getOrDefault(rec.audioSsrcDeclared(), 0L);
    double frequency = Audio.dominantFrequencyHz(rec.pcm48kStereo(), 2, 48_000);
    System.out.printf(Locale.ROOT, "connect -> first packet: %d ms%n", stats.connectToFirstPacketMillis());
    System.out.printf(Locale.ROOT, "packets sent: %d, received by SFU: %d (%.1f %%)%n",
        stats.packetsSent(), received,
        stats.packetsSent() == 0 ? 0.0 : 100.0 * received / stats.packetsSent());
    System.out.printf(Locale.ROOT, "loss (sequence gaps): %d, jitter: %.2f ms, SRTP failures: %d%n",
        rec.lostPackets(), rec.jitterMillis(), rec.srtpFailures());
    System.out.printf(Locale.ROOT, "RTCP sender reports received: %d (CNAME %s)%n",
        rec.rtcpPacketsReceived(), rec.lastCname());
    System.out.printf(Locale.ROOT, "audio sent: %.2f s, received audio written to %s%n",
        stats.mediaTimeMillis() / 1000.0, wav);
    System.out.printf(Locale.ROOT, "dominant frequency: %.1f Hz%n", frequency);
    if (cpuNanos >= 0) {
      System.out.printf(Locale.ROOT, "CPU per call: %.2f %% of one core (%d ms CPU over %.1f s)%n",
          100.0 * cpuNanos / 1e9 / wallSeconds, cpuNanos / 1_000_000, wallSeconds);
    }
    if (end == null) {
      System.out.println("stopped after the time limit");
    } else if (!end.isEmpty()) {
      System.out.println("source ended with an error: " + end);
      return 1;
    }
    return received > 0 ? 0 : 1;
  }

  static Path extractSample() throws IOException {
    Path file = Files.createTempFile("tgcalls4j-sample-", ".ogg");
    try (InputStream in = DemoCommand.class.getResourceAsStream("sample-440hz.ogg")) {
      if (in == null) {
        throw new IOException("built-in sample missing from the jar");
      }
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
    }
    return file;
  }

}
