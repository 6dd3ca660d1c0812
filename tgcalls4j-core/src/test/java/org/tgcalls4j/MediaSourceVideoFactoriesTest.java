package org.tgcalls4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What {@code shells}, {@code ivf} and {@code ogg} accept and refuse, before anything runs. */
class MediaSourceVideoFactoriesTest {
  @Test
  void shellsWithBothCommandsIsOneSourceAndWithOneItIsThatTracksShell() {
    assertThat(MediaSource.shells("ffmpeg -i a.mp3", "ffmpeg -i v.mp4"))
        .isEqualTo(new MediaSource.ShellsSource("ffmpeg -i a.mp3", "ffmpeg -i v.mp4"));
    assertThat(MediaSource.shells("ffmpeg -i a.mp3", null))
        .isEqualTo(MediaSource.shell("ffmpeg -i a.mp3", MediaSource.Track.AUDIO));
    assertThat(MediaSource.shells(" \t", "ffmpeg -i v.mp4"))
        .isEqualTo(MediaSource.shell("ffmpeg -i v.mp4", MediaSource.Track.VIDEO));
  }

  @Test
  void shellsRefusesNoCommandAndNamesTheTrackOfABadOne() {
    assertThatThrownBy(() -> MediaSource.shells(null, ""))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("both are empty");
    assertThatThrownBy(() -> MediaSource.shells("ffmpeg -i a.mp3", "ffmpeg -i v.mp4 -c:v libx264"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the video command").hasMessageContaining("must be libvpx");
    assertThatThrownBy(() -> MediaSource.shells("ffmpeg -i a.mp3 -f s16le -", "ffmpeg -i v.mp4"))
        .hasMessageContaining("the audio command").hasMessageContaining("raw output (-f s16le)");
    assertThatThrownBy(() -> MediaSource.shells("ffmpeg -i a.mp3", "ffmpeg -i \"v.mp4"))
        .hasMessageContaining("the video command").hasMessageContaining("never closed");
    assertThatThrownBy(() -> new MediaSource.ShellsSource("ffmpeg -i a.mp3", null))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void ivfAndOggNeedTheirPathsAndAreNotMixInputs() {
    Path v = Path.of("v.ivf");
    Path a = Path.of("a.ogg");
    assertThat(MediaSource.ivf(v)).isEqualTo(new MediaSource.IvfSource(v, null));
    assertThat(MediaSource.ivf(v, a)).isEqualTo(new MediaSource.IvfSource(v, a));
    assertThat(MediaSource.ogg(a)).isEqualTo(new MediaSource.OggSource(a));
    assertThatThrownBy(() -> MediaSource.ivf(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> MediaSource.ivf(v, null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("audio");
    assertThatThrownBy(() -> MediaSource.ogg(null)).isInstanceOf(NullPointerException.class);

    assertThatThrownBy(() -> MediaSource.MixInput.of(MediaSource.ivf(v, a), 1.0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("IVF source");
    assertThatThrownBy(() -> MediaSource.MixInput.of(
        MediaSource.shells("ffmpeg -i a.mp3", "ffmpeg -i v.mp4"), 1.0))
        .hasMessageContaining("shell source");
    assertThat(MediaSource.MixInput.of(MediaSource.ogg(a), 0.5).source()).isEqualTo(MediaSource.ogg(a));
  }
}
