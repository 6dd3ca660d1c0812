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

  private static List<String> seekingTo(MediaSource source, long startOffsetMillis) {
    return FfmpegCommand.opusOggAndVp8Ivf(FFMPEG, source, 64, 1000, "tcp://127.0.0.1:4001",
        "tcp://127.0.0.1:4002", startOffsetMillis);
  }

  @Test
  void theSeekGoesBeforeTheOneInputSoBothOutputsStartThere() {
    MediaSource source = MediaSource.withVideo(MediaSource.url("https://example.org/a.mp4"));
    List<String> av = seekingTo(source, 0);

    List<String> seeking = seekingTo(source, 83_045);

    assertThat(seeking).hasSize(av.size() + 2);
    // after the input options (reconnect ...), right before -i: an input seek, as opusOgg's
    assertThat(seeking).containsSequence("-rw_timeout", FfmpegCommand.HTTP_RW_TIMEOUT_MICROS,
        "-ss", "83.045", "-i", "https://example.org/a.mp4");
    assertThat(seeking.stream().filter("-ss"::equals).count()).isEqualTo(1);
    assertThat(seeking.subList(0, seeking.indexOf("-ss")))
        .isEqualTo(av.subList(0, av.indexOf("-i")));
    assertThat(seeking.subList(seeking.indexOf("-i"), seeking.size()))
        .isEqualTo(av.subList(av.indexOf("-i"), av.size()));
    assertThat(av).doesNotContain("-ss");
    assertThat(seekingTo(source, 1)).containsSequence("-ss", "0.001", "-i");
    // the same as the audio-only path puts it
    List<String> audio = FfmpegCommand.opusOgg(FFMPEG, MediaSource.file(Path.of("/a.mkv")), 64,
        83_045);
    assertThat(audio).containsSequence("-ss", "83.045", "-i", "file:/a.mkv");

    assertThatThrownBy(() -> seekingTo(source, -1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
