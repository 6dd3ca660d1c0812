package org.tgcalls4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
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

  private Future<Integer> play(String... args) {
    return commandThread.submit(() -> Main.run(args));
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
    assertThat(stdout()).contains("packets sent: ").contains("audio sent: ")
        .doesNotContain("packets sent: 0 ");
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
}
