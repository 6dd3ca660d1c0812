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
    Path script = Path.of("src/test/python/aiortc_sfu.py").toAbsolutePath();
    List<String> command = new java.util.ArrayList<>(List.of(PYTHON.toString(), script.toString(),
        "--join", dir.resolve("join.json").toString(), "--answer", dir.resolve("answer.json").toString(),
        "--wav", dir.resolve("received.wav").toString(), "--stats", dir.resolve("stats.json").toString(),
        "--seconds", Double.toString(recordSeconds)));
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
