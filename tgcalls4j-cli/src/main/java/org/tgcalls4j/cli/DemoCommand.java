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
import org.tgcalls4j.MediaSource;
import org.tgcalls4j.NetworkOptions;
import org.tgcalls4j.TgCalls;
import org.tgcalls4j.testsfu.Audio;
import org.tgcalls4j.testsfu.Recording;
import org.tgcalls4j.testsfu.TestSfu;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tgcalls4j demo}: streams a source into the embedded test SFU and reports what arrived. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Stream SOURCE into a test SFU on 127.0.0.1 (ice4j + Bouncy Castle DTLS + "
        + "jitsi-srtp + Concentus) and report what it received.")
final class DemoCommand implements Callable<Integer> {
  private static final long CHAT_ID = 1;
  /** Held so that java.util.logging keeps the levels set on them. */
  private static final java.util.List<java.util.logging.Logger> SFU_LOGGERS = java.util.List.of(
      java.util.logging.Logger.getLogger("org.ice4j"), java.util.logging.Logger.getLogger("org.jitsi"));

  @Parameters(arity = "0..1", paramLabel = "SOURCE",
      description = "File or URL to play (default: a built-in 5 s 440 Hz Ogg/Opus tone, no ffmpeg needed).")
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

  @Override
  public Integer call() throws Exception {
    if (privateCall) {
      return new PrivateDemo(ffmpeg, seconds == null ? 5 : Math.min(seconds, 60)).run(source);
    }
    // ice4j and jitsi-utils (inside the test SFU) log set-up and teardown chatter through
    // java.util.logging; the demo prints its own report instead
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.SEVERE);
    Path builtIn = null;
    MediaSource media;
    boolean needsFfmpeg;
    if (source == null) {
      builtIn = extractSample();
      media = MediaSource.file(builtIn);
      needsFfmpeg = false;
    } else {
      media = Main.parseSource(source);
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
      String join = calls.createCall(CHAT_ID);
      String answer = sfu.answer(join);
      calls.setStreamSources(CHAT_ID, media);
      long startNanos = System.nanoTime();
      calls.connect(CHAT_ID, answer);
      String end = ends.poll(seconds == null ? 60 : seconds, TimeUnit.SECONDS);
      long cpuNanos = CpuMeter.callThreadsCpuNanos();
      double wallSeconds = (System.nanoTime() - startNanos) / 1e9;
      Thread.sleep(300); // let the last packets and the RTCP report land
      CallStats stats = calls.stats(CHAT_ID);
      calls.stop(CHAT_ID);
      Recording rec = sfu.recording();
      Audio.writeWav(wav, rec.pcm48kStereo(), 2, 48_000);
      return report(stats, rec, end, cpuNanos, wallSeconds);
    } finally {
      if (builtIn != null) {
        Files.deleteIfExists(builtIn);
      }
    }
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
