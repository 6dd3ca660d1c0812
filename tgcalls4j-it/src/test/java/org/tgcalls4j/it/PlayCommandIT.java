package org.tgcalls4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.tgcalls4j.cli.Main;
import org.tgcalls4j.testsfu.TestSfu;

/**
 * The {@code play} command in-process against the test SFU, through its two files; its stdout and
 * stderr are captured by swapping {@link System#out} and {@link System#err} for the test.
 */
@ExtendWith(LeakCheck.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PlayCommandIT {
  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream savedOut;
  private PrintStream savedErr;
  private ExecutorService commandThread;
  private TestSfu sfu;

  @BeforeEach
  void captureOutput() {
    savedOut = System.out;
    savedErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    commandThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "play-command"));
  }

  @AfterEach
  void restore() throws Exception {
    if (sfu != null) {
      sfu.close();
    }
    commandThread.shutdownNow();
    assertThat(commandThread.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    System.setOut(savedOut);
    System.setErr(savedErr);
    savedOut.print(out.toString(StandardCharsets.UTF_8));
    savedErr.print(err.toString(StandardCharsets.UTF_8));
  }

  /** Runs {@code play} (the first argument) with an empty stdin: surefire owns the real one. */
  private Future<Integer> play(String... args) {
    return play(java.io.InputStream.nullInputStream(), args);
  }

  private Future<Integer> play(java.io.InputStream stdin, String... args) {
    assertThat(args[0]).isEqualTo("play");
    return commandThread.submit(() -> Main.runCommand(
        new org.tgcalls4j.cli.PlayCommand(stdin, System.out),
        java.util.Arrays.copyOfRange(args, 1, args.length)));
  }

  private String stdout() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String stderr() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void sfuEndingTheSessionPrintsTheDtlsCauseAndTheStatisticsUpToIt() throws Exception {
    Path tone = Media.tone(dir, "tone.ogg", 440, 20);
    Path joinFile = dir.resolve("join.json");
    Path answerFile = dir.resolve("answer.json");
    sfu = TestSfu.start(TestSfu.Options.defaults());
    Future<Integer> exit = play("play", tone.toString(), "--join-out", joinFile.toString(),
        "--answer-in", answerFile.toString(), "--loopback", "--seconds", "30");

    Awaitility.await("the join file").atMost(Duration.ofSeconds(20))
        .until(() -> Files.exists(joinFile));
    Path tmp = dir.resolve("answer.tmp");
    Files.writeString(tmp, sfu.answer(Files.readString(joinFile)));
    Files.move(tmp, answerFile, StandardCopyOption.ATOMIC_MOVE);
    assertThat(sfu.awaitConnected(5_000)).isTrue(); // close_notify needs the SFU's session up
    Thread.sleep(500); // some audio first, so the statistics have something to show
    sfu.close();

    assertThat(exit.get(20, TimeUnit.SECONDS)).as("exit code").isEqualTo(1);
    assertThat(stderr()).contains("error: ").contains("closed the DTLS session")
        .doesNotContain("no call for chat");
    JsonObject stats = lastEvent("stats");
    assertThat(stats.get("packets_sent").getAsLong()).isPositive();
    assertThat(stats.get("media_ms").getAsLong()).isPositive();
    assertThat(stdout()).contains("{\"event\":\"connection\",\"state\":\"CONNECTED\"}");
  }

  @Test
  void joinOutInAMissingDirectoryNamesTheDirectory() throws Exception {
    Path missing = dir.resolve("no-such-dir");
    Future<Integer> exit = play("play", "tone.ogg", "--join-out",
        missing.resolve("join.json").toString(), "--answer-in", dir.resolve("a.json").toString(),
        "--loopback", "--answer-timeout", "1");

    assertThat(exit.get(20, TimeUnit.SECONDS)).as("exit code").isEqualTo(1);
    assertThat(stderr()).contains("error: ").contains(missing.toString())
        .contains("does not exist").doesNotContain(".tmp");
  }

  private List<JsonObject> events() {
    return stdout().lines().filter(l -> l.startsWith("{"))
        .map(l -> JsonParser.parseString(l).getAsJsonObject()).toList();
  }

  private JsonObject lastEvent(String name) {
    List<JsonObject> all = events().stream()
        .filter(e -> e.get("event").getAsString().equals(name)).toList();
    assertThat(all).as(name + " events in " + stdout()).isNotEmpty();
    return all.get(all.size() - 1);
  }

  @Test
  void controlLinesOnStdinPauseSeekMuteAndStopWithAJsonEventPerLine() throws Exception {
    Path tone = Media.tone(dir, "tone.ogg", 440, 20);
    Path joinFile = dir.resolve("join.json");
    Path answerFile = dir.resolve("answer.json");
    sfu = TestSfu.start(TestSfu.Options.defaults());
    java.io.PipedOutputStream lines = new java.io.PipedOutputStream();
    java.io.PipedInputStream stdin = new java.io.PipedInputStream(lines);
    Future<Integer> exit = play(stdin, "play", tone.toString(), "--join-out", joinFile.toString(),
        "--answer-in", answerFile.toString(), "--loopback", "--seconds", "30");
    Awaitility.await("the join file").atMost(Duration.ofSeconds(20))
        .until(() -> Files.exists(joinFile));
    Files.writeString(dir.resolve("answer.tmp"), sfu.answer(Files.readString(joinFile)));
    Files.move(dir.resolve("answer.tmp"), answerFile, StandardCopyOption.ATOMIC_MOVE);
    Awaitility.await("connected").atMost(Duration.ofSeconds(20))
        .until(() -> stdout().contains("CONNECTED"));
    java.util.function.Consumer<String> send = line -> {
      try {
        lines.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        lines.flush();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    };
    send.accept("seek 12.5");
    send.accept("position");
    Awaitility.await("position").atMost(Duration.ofSeconds(5))
        .until(() -> stdout().contains("\"position\""));
    assertThat(lastEvent("position").get("ms").getAsLong()).isBetween(12_500L, 12_900L);
    send.accept("pause");
    send.accept("mute");
    send.accept("unmute");
    send.accept("dance");
    send.accept("seek soon");
    Awaitility.await("two errors").atMost(Duration.ofSeconds(5))
        .until(() -> events().stream().filter(e -> e.get("event").getAsString().equals("error")).count() == 2);
    long sentWhilePaused = sfu.recording().packetsBySsrc().values().stream().mapToLong(Long::longValue).sum();
    Thread.sleep(400);
    assertThat(sfu.recording().packetsBySsrc().values().stream().mapToLong(Long::longValue).sum())
        .as("nothing sent while paused").isLessThanOrEqualTo(sentWhilePaused + 1);
    send.accept("resume");
    send.accept("stop");
    assertThat(exit.get(20, TimeUnit.SECONDS)).as("exit code").isZero();
    lines.close(); // the stdin reader sees the end and its thread ends
    List<JsonObject> errors = events().stream()
        .filter(e -> e.get("event").getAsString().equals("error")).toList();
    assertThat(errors.get(0).get("message").getAsString()).contains("unknown command: dance");
    assertThat(errors.get(1).get("message").getAsString()).contains("seek needs seconds");
    assertThat(events().get(events().size() - 1).get("event").getAsString()).isEqualTo("stats");
    assertThat(events()).noneMatch(e -> e.get("event").getAsString().equals("stream_end"));
  }

  @Test
  void videoAndEncodeFlagsSendTheSourcesVideoAtTheAskedSizeAndRate() throws Exception {
    Path clip = Media.clip(dir, "wide.mkv", "testsrc", "640x360", 30, 440, 3);
    Path joinFile = dir.resolve("join.json");
    Path answerFile = dir.resolve("answer.json");
    sfu = TestSfu.start(TestSfu.Options.defaults());
    Future<Integer> exit = play("play", clip.toString(), "--join-out", joinFile.toString(),
        "--answer-in", answerFile.toString(), "--loopback", "--seconds", "30", "--video",
        "--width", "320", "--height", "180", "--fps", "15", "--video-bitrate", "150",
        "--audio-bitrate", "48", "--channels", "1");
    Awaitility.await("the join file").atMost(Duration.ofSeconds(20))
        .until(() -> Files.exists(joinFile));
    String join = Files.readString(joinFile);
    assertThat(join).as("the join declares the video").contains("\"semantics\":\"FID\"");
    Files.writeString(dir.resolve("answer.tmp"), sfu.answer(join));
    Files.move(dir.resolve("answer.tmp"), answerFile, StandardCopyOption.ATOMIC_MOVE);

    assertThat(exit.get(30, TimeUnit.SECONDS)).as("exit code; " + stderr()).isZero();
    JsonObject stats = lastEvent("stats");
    long framesSent = stats.get("video_frames_sent").getAsLong();
    Awaitility.await("the SFU reads every video frame").atMost(Duration.ofSeconds(10))
        .until(() -> sfu.recording().video().framesCompleted() >= framesSent);
    org.tgcalls4j.testsfu.VideoRecording video = sfu.recording().video();
    assertThat(framesSent).as("15 fps for 3 s").isBetween(42L, 48L);
    assertThat(video.width()).isEqualTo(320);
    assertThat(video.height()).isEqualTo(180);
    assertThat(stats.get("video_key_frames_sent").getAsLong()).isGreaterThanOrEqualTo(3);
    assertThat(org.tgcalls4j.testsfu.Audio.dominantFrequencyHz(sfu.recording().pcm48kStereo(), 2,
        48_000)).isCloseTo(440.0, org.assertj.core.data.Offset.offset(2.0));
  }
}
