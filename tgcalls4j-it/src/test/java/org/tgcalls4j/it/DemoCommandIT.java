package org.tgcalls4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.tgcalls4j.cli.Main;

/**
 * {@code tgcalls4j demo --video} as a new user runs it, without a SOURCE: the command makes its
 * own test-pattern video with ffmpeg and reports the VP8 the test SFU reassembled.
 */
@ExtendWith(LeakCheck.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DemoCommandIT {
  @TempDir Path dir;

  @Test
  void demoVideoWithoutASourceReportsTheFramesSizeAndRateThatArrived() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream saved = System.out;
    int code;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      code = Main.run("demo", "--video", "--fps", "15", "--wav", dir.resolve("r.wav").toString());
    } finally {
      System.setOut(saved);
    }
    String report = out.toString(StandardCharsets.UTF_8);
    System.out.print(report);

    assertThat(code).as(report).isZero();
    // 5 s of the built-in 640x360 30 fps pattern, sent at 15 fps
    assertThat(report).containsPattern("video frames sent: (7[2-8]) \\(\\d+ keyframes\\), "
        + "received by SFU: 7[2-8]")
        .containsPattern("video received: VP8 640x360, 1[45]\\.\\d frames/s")
        .containsPattern("dominant frequency: 4(39|40|41)\\.");
    assertThat(dir.resolve("r.wav")).exists();
  }
}
