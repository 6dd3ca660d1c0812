package org.tgcalls4j.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.tgcalls4j.cli.RtmpCommand;
import org.tgcalls4j.internal.rtmp.testing.ChunkFloodServer;
import org.tgcalls4j.internal.rtmp.testing.NginxRtmpServer;
import org.tgcalls4j.internal.rtmp.testing.TestMedia;
import picocli.CommandLine;

/**
 * The {@code rtmp} command end to end, in-process: control lines on a piped stdin, JSON events
 * from its stdout, publishing to a real nginx-rtmp whose recording ffprobe checks.
 */
@ExtendWith(LeakCheck.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RtmpCommandIT {
  private static final String KEY = "it-key";

  @TempDir Path dir;

  @Test
  void streamsEightSecondsWithPauseAndSwitchInOnePublishSessionThatNginxRecordsContinuously()
      throws Exception {
    Path a = TestMedia.makeSource(dir.resolve("a.mp4"), "testsrc", 440, 12);
    Path b = TestMedia.makeSource(dir.resolve("b.mp4"), "smptebars", 880, 12);
    ExecutorService commandThread =
        Executors.newSingleThreadExecutor(r -> new Thread(r, "rtmp-command"));
    try (NginxRtmpServer nginx = NginxRtmpServer.start();
        PipedOutputStream control = new PipedOutputStream();
        PipedInputStream stdin = new PipedInputStream(control)) {
      Lines stdout = new Lines();
      RtmpCommand command =
          new RtmpCommand(stdin, new PrintStream(stdout, true, StandardCharsets.UTF_8));
      Future<Integer> exitCode = commandThread.submit(() -> new CommandLine(command).execute(
          a.toString(), "--url", nginx.liveUrl(), "--key", KEY, "--seconds", "8",
          "--then", b.toString()));

      // The 8 s start once the ingest accepted the publish, which CONNECTED reports.
      assertThat(stdout.next(15)).contains("\"CONNECTED\"");
      long t0 = System.nanoTime();
      // A viewer pulls the live stream back from nginx while it is published.
      Path pulled = dir.resolve("pulled.flv");
      Process viewer = new ProcessBuilder("ffmpeg", "-hide_banner", "-loglevel", "error",
          "-rw_timeout", "4000000", "-i", nginx.liveUrl() + KEY, "-c", "copy", "-t", "20",
          "-f", "flv", pulled.toString())
          .redirectErrorStream(true).redirectOutput(dir.resolve("viewer.log").toFile()).start();
      send(control, t0, 1500, "pause");
      send(control, t0, 1700, "position");
      send(control, t0, 2500, "position");
      send(control, t0, 2600, "resume");
      send(control, t0, 3600, "position");

      assertThat(exitCode.get(20, TimeUnit.SECONDS)).as("exit code").isZero();
      control.close(); // ends the command's stdin reader

      List<JsonObject> events = stdout.all().stream()
          .map(line -> JsonParser.parseString(line).getAsJsonObject()).toList();
      assertThat(events).as("events").noneMatch(e -> e.get("event").getAsString().equals("error"))
          .noneMatch(e -> e.get("event").getAsString().equals("stream_end"));
      assertThat(events.stream().filter(e -> e.get("event").getAsString().equals("connection"))
          .map(e -> e.get("state").getAsString()))
          .as("connection states").containsExactly("CONNECTED", "CLOSED");
      assertThat(events.stream().filter(e -> e.get("event").getAsString().equals("source"))
          .map(e -> e.get("spec").getAsString()))
          .as("source switches").containsExactly(b.toString());
      List<Long> positions = events.stream()
          .filter(e -> e.get("event").getAsString().equals("position"))
          .map(e -> e.get("ms").getAsLong()).toList();
      assertThat(positions).as("positions (ms)").hasSize(3);
      assertThat(positions.get(0)).as("position while paused").isBetween(500L, 2500L)
          .isEqualTo(positions.get(1));
      assertThat(positions.get(2)).as("position 1 s after resume")
          .isBetween(positions.get(1) + 500, positions.get(1) + 1600);

      Awaitility.await("nginx to end the publish session").atMost(Duration.ofSeconds(10))
          .until(() -> nginx.endedPublishSessions() == 1);
      assertThat(nginx.startedPublishSessions()).as(nginx.errorLog()).isEqualTo(1);
      TestMedia.Probe probe = TestMedia.probe(nginx.recording(KEY));
      assertThat(probe.codecs()).containsExactlyInAnyOrder("h264", "aac");
      assertThat(probe.durationSeconds()).as("recorded seconds").isCloseTo(8.0, within(1.0));
      assertThat(probe.dts("video")).as("video DTS").isNotEmpty().isSorted();
      assertThat(probe.dts("audio")).as("audio DTS").isNotEmpty().isSorted();

      // The viewer's copy plays back: both tracks decode, timestamps never go backwards.
      if (!viewer.waitFor(15, TimeUnit.SECONDS)) {
        viewer.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
      TestMedia.Probe live = TestMedia.probe(pulled);
      assertThat(live.codecs()).as("pulled codecs").containsExactlyInAnyOrder("h264", "aac");
      assertThat(live.durationSeconds()).as("pulled seconds").isGreaterThan(6.0);
      assertThat(live.dts("video")).as("pulled video DTS").isSorted();
      assertThat(live.dts("audio")).as("pulled audio DTS").isSorted();
      TestMedia.Decoded[] decoded = TestMedia.decode(pulled);
      assertThat(decoded[0].frames()).as("video frames decoded").isPositive()
          .isEqualTo(decoded[0].packets());
      assertThat(decoded[1].frames()).as("audio frames decoded").isPositive()
          .isEqualTo(decoded[1].packets());
    } finally {
      commandThread.shutdownNow();
      assertThat(commandThread.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void aChunkFloodWhilePublishingIsReportedAsTheProtocolError() throws Exception {
    Path a = TestMedia.makeSource(dir.resolve("a.mp4"), "testsrc", 440, 12);
    try (ChunkFloodServer server = ChunkFloodServer.start(true);
        PipedOutputStream control = new PipedOutputStream();
        PipedInputStream stdin = new PipedInputStream(control)) {
      Lines stdout = new Lines();
      RtmpCommand command =
          new RtmpCommand(stdin, new PrintStream(stdout, true, StandardCharsets.UTF_8));
      int exitCode = new CommandLine(command).execute(
          a.toString(), "--url", server.liveUrl(), "--key", KEY, "--seconds", "3");
      control.close();

      assertThat(exitCode).as("exit code").isZero();
      List<JsonObject> lost = stdout.all().stream()
          .map(line -> JsonParser.parseString(line).getAsJsonObject())
          .filter(e -> e.has("error")).toList();
      assertThat(lost).as(stdout.all().toString()).isNotEmpty()
          .allSatisfy(e -> assertThat(e.get("error").getAsString())
              .isEqualTo("protocol: more than 64 open chunk streams"));
    }
  }

  @Test
  void ffmpegFallbackToAClosedPortFailsWithoutPrintingTheKey() throws Exception {
    Path a = TestMedia.makeSource(dir.resolve("a.mp4"), "testsrc", 440, 4);
    int closedPort;
    try (java.net.ServerSocket s =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    String secret = "secretStreamKey-it?wsSecret=itSecretSig77&wsTime=1700000000";
    try (PipedOutputStream control = new PipedOutputStream();
        PipedInputStream stdin = new PipedInputStream(control)) {
      Lines stdout = new Lines();
      RtmpCommand command =
          new RtmpCommand(stdin, new PrintStream(stdout, true, StandardCharsets.UTF_8));
      int exitCode = new CommandLine(command).execute(a.toString(), "--url",
          "rtmp://127.0.0.1:" + closedPort + "/live/", "--key", secret, "--ffmpeg-fallback",
          "--seconds", "20");
      control.close();

      assertThat(exitCode).as("exit code").isEqualTo(1);
      assertThat(stdout.all()).as("events").isNotEmpty().allSatisfy(line -> assertThat(line)
          .doesNotContain("secretStreamKey-it").doesNotContain("itSecretSig77")
          .doesNotContain("1700000000"));
      List<JsonObject> events = stdout.all().stream()
          .map(line -> JsonParser.parseString(line).getAsJsonObject()).toList();
      assertThat(events.stream().filter(e -> e.get("event").getAsString().equals("connection"))
          .map(e -> e.get("state").getAsString()))
          .as("connection states").containsExactly("CONNECTED", "FAILED"); // FAILED is final
      assertThat(events).filteredOn(e -> e.has("error")).first()
          .satisfies(e -> assertThat(e.get("error").getAsString()).contains("Connection refused"));
    }
  }

  private static void send(OutputStream control, long startNanos, long atMillis, String line)
      throws Exception {
    long waitNanos = startNanos + TimeUnit.MILLISECONDS.toNanos(atMillis) - System.nanoTime();
    if (waitNanos > 0) {
      TimeUnit.NANOSECONDS.sleep(waitNanos);
    }
    control.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    control.flush();
  }

  /** The command's stdout split into lines as they are written. */
  private static final class Lines extends OutputStream {
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final List<String> all = new CopyOnWriteArrayList<>();
    private final BlockingQueue<String> unread = new LinkedBlockingQueue<>();

    @Override
    public synchronized void write(int b) {
      if (b != '\n') {
        line.write(b);
        return;
      }
      String text = line.toString(StandardCharsets.UTF_8);
      line.reset();
      all.add(text);
      unread.add(text);
    }

    /** @return the next line not yet taken, or null after {@code timeoutSeconds} */
    String next(long timeoutSeconds) throws InterruptedException {
      return unread.poll(timeoutSeconds, TimeUnit.SECONDS);
    }

    /** @return every line written so far */
    List<String> all() {
      return List.copyOf(all);
    }
  }
}
