package org.tgcalls4j.it;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code src/test/python/aiortc_sfu.py} (Debian's python3-aiortc) as the SFU: it answers the
 * join JSON from one file into another and records what it receives.
 */
final class AiortcSfu implements AutoCloseable {
  static final Path PYTHON = Path.of("/usr/bin/python3");
  private final Process process;
  private final Path dir;

  private AiortcSfu(Process process, Path dir) {
    this.process = process;
    this.dir = dir;
  }

  /** @return whether Debian's python3 with aiortc is installed */
  static boolean available() {
    try {
      Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import aiortc")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  /**
   * @param dir where join.json, answer.json, received.wav and stats.json live
   * @param recordSeconds how long aiortc records once connected
   */
  static AiortcSfu start(Path dir, double recordSeconds) throws IOException {
    return start(dir, recordSeconds, new double[0]);
  }

  /**
   * @param dir where join.json, answer.json, received.wav, stats.json and senders.json live
   * @param recordSeconds how long aiortc records (and sends) once connected
   * @param toneHz one Opus track per entry that aiortc sends to the client, each on its own SSRC:
   *     a sine of that frequency, encoded by aiortc (libopus); {@link #senders} maps SSRC to Hz
   */
  static AiortcSfu start(Path dir, double recordSeconds, double... toneHz) throws IOException {
    return start(dir, recordSeconds, false, toneHz);
  }

  /**
   * Like {@link #start(Path, double)}, aiortc also receiving the client's camera: a bundled
   * recvonly video m-section, answered with VP8 and RTX on the join's FID pair (group-call.md
   * §5.3) and aiortc's payload types, which the answer JSON's {@code video} section gives the
   * client. aiortc decodes every frame with its own libvpx decoder; {@link #awaitStats} then has
   * a {@code video} object ({@code frames}, {@code width}, {@code height}, {@code ssrcs},
   * {@code rtp}: per SSRC {@code packetsReceived} and {@code packetsLost}) and {@link #timeline}
   * what each decoded frame of both tracks held, with every sender report aiortc was given.
   *
   * @param dir as {@link #start(Path, double)}, and timeline.json
   * @param recordSeconds how long aiortc receives once connected
   */
  static AiortcSfu startWithVideo(Path dir, double recordSeconds) throws IOException {
    return start(dir, recordSeconds, true);
  }

  private static AiortcSfu start(Path dir, double recordSeconds, boolean video, double... toneHz)
      throws IOException {
    Path script = Path.of("src/test/python/aiortc_sfu.py").toAbsolutePath();
    List<String> command = new java.util.ArrayList<>(List.of(PYTHON.toString(), script.toString(),
        "--join", dir.resolve("join.json").toString(), "--answer", dir.resolve("answer.json").toString(),
        "--wav", dir.resolve("received.wav").toString(), "--stats", dir.resolve("stats.json").toString(),
        "--seconds", Double.toString(recordSeconds)));
    if (video) {
      command.addAll(List.of("--video", "--timeline", dir.resolve("timeline.json").toString()));
    }
    if (toneHz.length > 0) {
      StringBuilder tones = new StringBuilder();
      for (double hz : toneHz) {
        tones.append(tones.length() == 0 ? "" : ",").append(hz);
      }
      command.addAll(List.of("--send-tones", tones.toString(),
          "--senders", dir.resolve("senders.json").toString()));
    }
    Process p = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("aiortc.log").toFile())
        .start();
    return new AiortcSfu(p, dir);
  }

  Path joinFile() {
    return dir.resolve("join.json");
  }

  Path answerFile() {
    return dir.resolve("answer.json");
  }

  String awaitAnswer(long timeoutMillis) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    while (System.nanoTime() < deadline) {
      if (Files.isRegularFile(answerFile())) {
        return Files.readString(answerFile());
      }
      if (!process.isAlive()) {
        throw new IOException("aiortc exited early: " + log());
      }
      Thread.sleep(20);
    }
    throw new IOException("aiortc wrote no answer: " + log());
  }

  /** Waits for the script to finish recording and returns its stats. */
  JsonObject awaitStats(long timeoutSeconds) throws IOException, InterruptedException {
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      throw new IOException("aiortc did not finish: " + log());
    }
    Path stats = dir.resolve("stats.json");
    if (!Files.isRegularFile(stats)) {
      throw new IOException("aiortc wrote no stats (exit " + process.exitValue() + "): " + log());
    }
    return JsonParser.parseString(Files.readString(stats)).getAsJsonObject();
  }

  /** @return SSRC → tone frequency (Hz) of the tracks aiortc sends; valid once the answer exists */
  java.util.Map<Integer, Double> senders() throws IOException {
    JsonObject json = JsonParser.parseString(Files.readString(dir.resolve("senders.json")))
        .getAsJsonObject();
    java.util.Map<Integer, Double> out = new java.util.HashMap<>();
    for (String ssrc : json.keySet()) {
      out.put((int) Long.parseLong(ssrc), json.get(ssrc).getAsDouble());
    }
    return out;
  }

  /**
   * What aiortc decoded, for content checks (valid after {@link #awaitStats}, with
   * {@link #startWithVideo}): {@code audio}, one entry per decoded 20 ms frame ({@code rtp} its RTP
   * timestamp as sent, {@code samples}, {@code peak} the largest left-channel magnitude of 32767,
   * {@code onset} the index of its first sample at least {@link LipSync#ONSET_LEVEL} loud or -1,
   * {@code arrival} when aiortc handed it out, Unix seconds); {@code video}, one per decoded frame
   * ({@code rtp}, {@code width}, {@code height}, {@code luma} its mean Y of 0..255,
   * {@code arrival}); {@code senderReports}, every RTCP SR in arrival order ({@code kind},
   * {@code ssrc}, {@code ntpSeconds}, {@code ntpFraction}, {@code rtp}, {@code arrival}).
   */
  JsonObject timeline() throws IOException {
    return JsonParser.parseString(Files.readString(dir.resolve("timeline.json"))).getAsJsonObject();
  }

  Wav recording() throws IOException {
    return Wav.read(dir.resolve("received.wav"));
  }

  String log() throws IOException {
    Path log = dir.resolve("aiortc.log");
    return Files.isRegularFile(log) ? Files.readString(log) : "";
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }
}
