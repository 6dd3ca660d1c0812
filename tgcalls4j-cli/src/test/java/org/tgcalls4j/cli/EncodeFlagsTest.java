package org.tgcalls4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.tgcalls4j.EncodeOptions;
import picocli.CommandLine;

/** {@code play}/{@code demo} encode flags: parsed into {@link EncodeOptions}, bad values named. */
class EncodeFlagsTest {
  private static EncodeOptions parsePlay(String... args) {
    PlayCommand play = new PlayCommand(java.io.InputStream.nullInputStream(), System.out);
    new CommandLine(play).parseArgs(args);
    return play.encode.toOptions();
  }

  /** Runs {@code demo} with bad flags: it fails before starting anything. */
  private static String demoError(String... args) {
    StringWriter err = new StringWriter();
    int code = new CommandLine(new DemoCommand()).setErr(new PrintWriter(err, true)).execute(args);
    assertThat(code).as("usage error exit code").isEqualTo(2);
    return err.toString();
  }

  @Test
  void flagsBecomeTheSourcesOptions() {
    EncodeOptions o = parsePlay("a.mkv", "--join-out", "j", "--answer-in", "a", "--video",
        "--width", "320", "--height", "180", "--fps", "15", "--video-bitrate", "300",
        "--audio-bitrate", "48", "--channels", "1");

    assertThat(o).isEqualTo(EncodeOptions.DEFAULT.withVideo().withVideoSize(320, 180)
        .withVideoFps(15).withVideoBitrateKbps(300).withAudioBitrateKbps(48).withAudioChannels(1));
    assertThat(parsePlay("a.mp3", "--join-out", "j", "--answer-in", "a"))
        .isEqualTo(EncodeOptions.DEFAULT);
    assertThat(parsePlay("a.mkv", "--join-out", "j", "--answer-in", "a", "--video",
        "--width", "640")).isEqualTo(EncodeOptions.DEFAULT.withVideo().withVideoSize(640, 720));
    assertThat(Main.parseSource("a.mkv", parsePlay("a.mkv", "--join-out", "j", "--answer-in", "a",
        "--video"))).isInstanceOf(org.tgcalls4j.MediaSource.VideoSource.class);
  }

  @Test
  void badValuesSayWhichFlagWhatWasGivenAndWhatIsAccepted() {
    assertThat(demoError("--video", "--width", "8"))
        .contains("--width must be 16 to 4096 pixels, not 8");
    assertThat(demoError("--video", "--fps", "0")).contains("--fps must be 1 to 60 frames per second, not 0");
    assertThat(demoError("--audio-bitrate", "600")).contains("--audio-bitrate must be 6 to 510 kbit/s, not 600");
    assertThat(demoError("--channels", "3")).contains("--channels must be 1 (mono) or 2 (stereo), not 3");
    assertThat(demoError("--video", "--video-bitrate", "10"))
        .contains("--video-bitrate must be 50 to 20000 kbit/s, not 10");
    assertThat(demoError("--width", "320")).contains("add --video");
    assertThat(demoError("--video", "--height", "tall")).contains("--height").contains("tall");
    assertThat(demoError("--private", "--video")).contains("--private plays audio only");
  }
}
