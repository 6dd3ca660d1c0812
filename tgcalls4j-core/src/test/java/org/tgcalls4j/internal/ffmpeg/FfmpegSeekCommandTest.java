package org.tgcalls4j.internal.ffmpeg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tgcalls4j.MediaSource;

/** A source with video restarted at a seek target: one input seek for both outputs. */
class FfmpegSeekCommandTest {
  private static final Path FFMPEG = Path.of("/usr/bin/ffmpeg");

  @Test
  void theSeekGoesBeforeTheOneInputSoBothOutputsStartThere() {
    List<String> av = FfmpegCommand.opusOggAndVp8Ivf(FFMPEG,
        MediaSource.withVideo(MediaSource.url("https://example.org/a.mp4")),
        64, 800, 1000, "tcp://127.0.0.1:4001", "tcp://127.0.0.1:4002");

    List<String> seeking = FfmpegCommand.seekingInput(av, 83_045);

    assertThat(seeking).hasSize(av.size() + 2);
    // after the input options (reconnect ...), right before -i: an input seek, as opusOgg's
    assertThat(seeking).containsSequence("-rw_timeout", FfmpegCommand.HTTP_RW_TIMEOUT_MICROS,
        "-ss", "83.045", "-i", "https://example.org/a.mp4");
    assertThat(seeking.stream().filter("-ss"::equals).count()).isEqualTo(1);
    assertThat(seeking.subList(0, seeking.indexOf("-ss")))
        .isEqualTo(av.subList(0, av.indexOf("-i")));
    assertThat(seeking.subList(seeking.indexOf("-i"), seeking.size()))
        .isEqualTo(av.subList(av.indexOf("-i"), av.size()));
    assertThat(FfmpegCommand.seekingInput(av, 0)).isEqualTo(av);
    assertThat(FfmpegCommand.seekingInput(av, 1)).containsSequence("-ss", "0.001", "-i");
    // the same as the audio-only path puts it
    List<String> audio = FfmpegCommand.opusOgg(FFMPEG, MediaSource.file(Path.of("/a.mkv")), 64,
        83_045);
    assertThat(audio).containsSequence("-ss", "83.045", "-i", "file:/a.mkv");

    assertThatThrownBy(() -> FfmpegCommand.seekingInput(seeking, 5))
        .as("a command that seeks already").isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> FfmpegCommand.seekingInput(av, -1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> FfmpegCommand.seekingInput(List.of("ffmpeg", "-f", "lavfi"), 5))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
