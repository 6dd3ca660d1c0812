package org.tgcalls4j.internal.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;
import org.tgcalls4j.MediaSource;
import org.tgcalls4j.NetworkOptions;
import org.tgcalls4j.TgCalls;
import org.tgcalls4j.testsfu.TestSfu;

/**
 * Connect latency of one group call on loopback: one client connects a call to a fresh in-repo
 * test SFU ({@link TestSfu}: ice4j controlling ICE, Bouncy Castle DTLS; {@code --reject-ms N}
 * makes it answer checks with 401 for N ms, as Telegram's SFU does at first) or to the pion sink
 * of shared/peers/pion ({@code --sink http://HOST:PORT}) N times in a row with an
 * Ogg/Opus file as the source, and prints, in milliseconds from just before the blocking
 * {@code connect} (p50 / p95 / max over the runs): when {@code connect} returned, when the SFU
 * received the first RTP packet, and the phases in between, taken from the debug log events of
 * {@code PeerTransport}, {@code DtlsEndpoint} and {@code AudioSender} (stamped with
 * {@link System#nanoTime()} as they are logged).
 *
 * <p>Not a JMH benchmark; run it with {@code ./bench connect [runs] [--reject-ms N | --sink URL]
 * [--idle-ms N]} (default 30 runs; {@code --idle-ms} waits between the client's build and the first
 * connect, as an application waits for its join's answer). Needs ffmpeg on
 * the PATH to make the Ogg/Opus file (3 s of a 440 Hz tone, 20 ms frames, 64 kbit/s).
 */
public final class ConnectLatency {
  private static final long CHAT = 42;

  /** The phases, each by the start of the log message format that marks it. */
  private static final Map<String, String> PHASES = new LinkedHashMap<>();

  static {
    PHASES.put("ice start", "{}: ICE starts");
    PHASES.put("ice selected", "{}: ICE selected");
    PHASES.put("dtls start", "DTLS {} handshake starts");
    PHASES.put("dtls done", "DTLS {} handshake done");
    PHASES.put("keys installed", "{}: connected via");
    PHASES.put("first rtp sent", "chat {}: first RTP packet sent");
  }

  private ConnectLatency() {}

  /** Collects the nanoTime at which each phase's log event was appended, for the current run. */
  private static final class PhaseRecorder extends AppenderBase<ILoggingEvent> {
    private final Map<String, Long> stamps = new LinkedHashMap<>();

    @Override
    protected void append(ILoggingEvent event) {
      long now = System.nanoTime();
      String format = event.getMessage();
      if (format != null && format.startsWith("transport warm-up")) {
        System.out.println("(" + event.getFormattedMessage() + ")");
        return;
      }
      if (event.getThreadName().startsWith("tgcalls4j-warmup")) {
        return; // the warm-up's own handshake, not the call's
      }
      for (Map.Entry<String, String> phase : PHASES.entrySet()) {
        if (format != null && format.startsWith(phase.getValue())) {
          synchronized (stamps) {
            stamps.putIfAbsent(phase.getKey(), now);
          }
        }
      }
    }

    Map<String, Long> takeStamps() {
      synchronized (stamps) {
        Map<String, Long> copy = new LinkedHashMap<>(stamps);
        stamps.clear();
        return copy;
      }
    }
  }

  /**
   * @param args optional: the number of runs (default 30)
   * @throws Exception if ffmpeg, the SFU or a connect fails
   */
  public static void main(String[] args) throws Exception {
    int runs = 30;
    String sink = null;
    long rejectMillis = 0;
    long idleMillis = 0;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--sink")) {
        sink = args[++i];
      } else if (args[i].equals("--reject-ms")) {
        rejectMillis = Long.parseLong(args[++i]);
      } else if (args[i].equals("--idle-ms")) {
        idleMillis = Long.parseLong(args[++i]); // between the client's build and the first connect
      } else {
        runs = Integer.parseInt(args[i]);
      }
    }
    PhaseRecorder recorder = installRecorder();
    Path dir = Files.createTempDirectory("tgcalls4j-connect-latency");
    Path ogg = dir.resolve("tone.ogg");
    try {
      makeOgg(ogg);
      long buildStart = System.nanoTime();
      List<String> names = new ArrayList<>(List.of("connect returned", "first rtp at sfu"));
      names.addAll(PHASES.keySet());
      Map<String, List<Double>> samples = new LinkedHashMap<>();
      names.forEach(n -> samples.put(n, new ArrayList<>()));
      try (TgCalls calls = TgCalls.builder().requireFfmpeg(false)
          .networkOptions(NetworkOptions.loopbackOnly()).connectTimeout(Duration.ofSeconds(10))
          .build()) {
        System.out.printf(Locale.ROOT, "client built (DTLS certificate included) in %.1f ms%n",
            (System.nanoTime() - buildStart) / 1e6);
        Thread.sleep(idleMillis);
        for (int run = 1; run <= runs; run++) {
          Map<String, Double> one = sink == null ? runOnce(calls, ogg, recorder, rejectMillis)
              : runOnceAgainstSink(calls, ogg, recorder, sink);
          StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "run %2d:", run));
          for (String name : names) {
            Double value = one.get(name);
            if (value != null) {
              samples.get(name).add(value);
            }
            line.append(String.format(Locale.ROOT, " %s=%s", name.replace(' ', '_'),
                value == null ? "-" : String.format(Locale.ROOT, "%.1f", value)));
          }
          System.out.println(line);
        }
      }
      System.out.printf(Locale.ROOT, "%n%d runs, ms after connect():  %8s %8s %8s%n", runs,
          "p50", "p95", "max");
      for (String name : names) {
        double[] values = samples.get(name).stream().mapToDouble(Double::doubleValue).sorted()
            .toArray();
        if (values.length == 0) {
          continue;
        }
        System.out.printf(Locale.ROOT, "  %-26s %8.1f %8.1f %8.1f%n", name,
            percentile(values, 50), percentile(values, 95), values[values.length - 1]);
      }
      if (sink != null) {
        System.out.println("sink /stats (first_rtp_ms_* = answer returned -> first RTP at the sink): "
            + http(sink + "/stats", null));
      }
    } finally {
      Files.deleteIfExists(ogg);
      Files.deleteIfExists(dir);
    }
  }

  private static Map<String, Double> runOnce(TgCalls calls, Path ogg, PhaseRecorder recorder,
      long rejectMillis) throws Exception {
    try (TestSfu sfu = TestSfu.start(new TestSfu.Options(rejectMillis, false))) {
      String join = calls.createCall(CHAT);
      calls.setStreamSources(CHAT, MediaSource.file(ogg));
      String answer = sfu.answer(join);
      recorder.takeStamps();
      long start = System.nanoTime();
      calls.connect(CHAT, answer);
      long returned = System.nanoTime();
      long deadline = returned + TimeUnit.SECONDS.toNanos(5);
      long firstAtSfu;
      while ((firstAtSfu = sfu.recording().firstPacketNanos()) == 0 && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
      Map<String, Double> result = new LinkedHashMap<>();
      result.put("connect returned", (returned - start) / 1e6);
      if (firstAtSfu != 0) {
        result.put("first rtp at sfu", (firstAtSfu - start) / 1e6);
      }
      recorder.takeStamps().forEach((name, nanos) -> result.put(name, (nanos - start) / 1e6));
      calls.stop(CHAT);
      return result;
    }
  }

  /**
   * One run against the pion sink of shared/peers/pion ({@code sink -http HOST:PORT}); its
   * {@code /stats} at the end give answer -> first RTP at the receiver over all runs.
   */
  private static Map<String, Double> runOnceAgainstSink(TgCalls calls, Path ogg,
      PhaseRecorder recorder, String sink) throws Exception {
    String join = calls.createCall(CHAT);
    calls.setStreamSources(CHAT, MediaSource.file(ogg));
    String answer = http(sink + "/join", join);
    recorder.takeStamps();
    long start = System.nanoTime();
    calls.connect(CHAT, answer);
    long returned = System.nanoTime();
    Thread.sleep(200); // the first packets reach the sink
    Map<String, Double> result = new LinkedHashMap<>();
    result.put("connect returned", (returned - start) / 1e6);
    recorder.takeStamps().forEach((name, nanos) -> result.put(name, (nanos - start) / 1e6));
    calls.stop(CHAT);
    return result;
  }

  private static String http(String url, String postBody) throws Exception {
    java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(
        java.net.URI.create(url)).timeout(Duration.ofSeconds(10));
    if (postBody != null) {
      request.POST(java.net.http.HttpRequest.BodyPublishers.ofString(postBody))
          .header("Content-Type", "application/json");
    }
    java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient()
        .send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(url + ": HTTP " + response.statusCode() + " " + response.body());
    }
    return response.body();
  }

  private static double percentile(double[] sorted, int percent) {
    int index = (int) Math.ceil(percent / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  /** Only the phase events are recorded; everything else below WARN is dropped, nothing printed. */
  private static PhaseRecorder installRecorder() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.OFF);
    PhaseRecorder recorder = new PhaseRecorder();
    recorder.setContext(context);
    recorder.start();
    for (String name : List.of("org.tgcalls4j.internal.pc.PeerTransport",
        "org.tgcalls4j.internal.pc.TransportWarmup",
        "org.tgcalls4j.internal.dtls.DtlsEndpoint", "org.tgcalls4j.internal.call.AudioSender")) {
      Logger logger = context.getLogger(name);
      logger.setLevel(Level.DEBUG);
      logger.setAdditive(false);
      logger.addAppender(recorder);
    }
    return recorder;
  }

  private static void makeOgg(Path out) throws Exception {
    Process ffmpeg = new ProcessBuilder("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin",
        "-y", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=3", "-ac", "2",
        "-c:a", "libopus", "-b:a", "64k", "-frame_duration", "20", "-page_duration", "20000",
        out.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    if (!ffmpeg.waitFor(30, TimeUnit.SECONDS) || ffmpeg.exitValue() != 0) {
      ffmpeg.destroyForcibly();
      throw new IllegalStateException("ffmpeg could not make " + out + " (exit "
          + (ffmpeg.isAlive() ? "timeout" : ffmpeg.exitValue()) + ")");
    }
  }
}
