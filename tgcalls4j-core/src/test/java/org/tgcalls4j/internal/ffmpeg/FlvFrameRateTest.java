package org.tgcalls4j.internal.ffmpeg;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.tgcalls4j.MediaSource;
import org.tgcalls4j.internal.rtmp.testing.NginxRtmpServer;
import org.tgcalls4j.internal.rtmp.testing.TestMedia;

/**
 * Runs the RTMP transcode exactly as {@link FfmpegCommand#flvH264Aac} builds it (FLV on standard
 * output, here redirected to a file) on a 25 fps source with 30 fps declared, and reads the result
 * back with ffprobe. Both RTMP paths use this command: the in-process publisher rebases the tag
 * timestamps by a constant and the ffmpeg fallback sends them as they are.
 */
@Timeout(120)
class FlvFrameRateTest {
  private static final int SOURCE_SECONDS = 4;

  @TempDir Path dir;

  @Test
  void aTwentyFiveFpsSourceLeavesAsConstantThirtyFpsWhenThirtyIsDeclared() throws Exception {
    Path source = TestMedia.makeSource(dir.resolve("src25.mp4"), "testsrc", 440, SOURCE_SECONDS);
    FlvEncoding thirty = new FlvEncoding(320, 240, 30, 400, 64, 48_000);
    Path flv = transcode(FfmpegCommand.flvH264Aac(
        Path.of("ffmpeg"), MediaSource.file(source), thirty, 0, false), dir.resolve("out.flv"));

    List<Double> dts = TestMedia.probe(flv).dts("video");
    List<Long> stepsMillis = new ArrayList<>();
    for (int i = 1; i < dts.size(); i++) {
      stepsMillis.add(Math.round((dts.get(i) - dts.get(i - 1)) * 1000));
    }
    // FLV timestamps are whole milliseconds, so 1/30 s steps come out as 33 or 34 ms. Without
    // constant frame rate ffmpeg puts 25 frames a second on the 1/30 s grid: every fifth step
    // is 66 or 67 ms.
    assertThat(stepsMillis).as("video DTS steps, ms").isNotEmpty().allMatch(s -> s == 33 || s == 34);
    assertThat(dts).as("video frames for %d s", SOURCE_SECONDS)
        .hasSizeBetween(30 * SOURCE_SECONDS - 1, 30 * SOURCE_SECONDS + 1);
    // The frame rate in onMetaData, which ffprobe's FLV demuxer reports as the stream's rate.
    String rates = TestMedia.run(List.of("ffprobe", "-v", "error", "-select_streams", "v",
        "-show_entries", "stream=r_frame_rate,avg_frame_rate", "-of", "csv=p=0", "file:" + flv));
    assertThat(rates.strip()).isEqualTo("30/1,30/1");
  }

  /** Runs the command with its standard output going to {@code out}; at most 60 s. */
  private static Path transcode(List<String> command, Path out) throws Exception {
    Path stderr = out.resolveSibling(out.getFileName() + ".stderr");
    Process process = new ProcessBuilder(command)
        .redirectOutput(out.toFile()).redirectError(stderr.toFile()).start();
    try {
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("ffmpeg finished").isTrue();
      assertThat(process.exitValue()).as("ffmpeg exit; stderr: %s",
          Files.readString(stderr, StandardCharsets.UTF_8)).isZero();
    } finally {
      NginxRtmpServer.stop(process);
    }
    return out;
  }
}
