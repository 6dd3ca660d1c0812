package org.tgcalls4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class EncodeOptionsTest {
  @Test
  void defaultsAreAudioOnlyWithTheClientsBitrateAndTodaysVideoBounds() {
    EncodeOptions d = EncodeOptions.DEFAULT;

    assertThat(d.tracks()).isEqualTo(EncodeOptions.Tracks.AUDIO);
    assertThat(d.hasVideo()).isFalse();
    assertThat(d.audioBitrateKbps()).isZero();
    assertThat(d.audioChannels()).isEqualTo(2);
    assertThat(d.videoBitrateKbps()).isEqualTo(800);
    assertThat(d.videoWidth()).isEqualTo(1280);
    assertThat(d.videoHeight()).isEqualTo(720);
    assertThat(d.videoFps()).isEqualTo(30);
    assertThat(d.hasDefaultAudio()).isTrue();
    assertThat(d.withAudioChannels(1).hasDefaultAudio()).isFalse();
    assertThat(d.withAudioBitrateKbps(64).hasDefaultAudio()).isFalse();
    assertThat(d.withVideo().withVideoBitrateKbps(300).hasDefaultAudio()).isTrue();
  }

  @Test
  void withersCopyAndLeaveTheOriginalAlone() {
    EncodeOptions o = EncodeOptions.DEFAULT.withVideo().withVideoSize(320, 180).withVideoFps(15)
        .withVideoBitrateKbps(300).withAudioBitrateKbps(510).withAudioChannels(1);

    assertThat(o.tracks()).isEqualTo(EncodeOptions.Tracks.AUDIO_AND_VIDEO);
    assertThat(o.videoWidth()).isEqualTo(320);
    assertThat(o.videoHeight()).isEqualTo(180);
    assertThat(o.videoFps()).isEqualTo(15);
    assertThat(o.videoBitrateKbps()).isEqualTo(300);
    assertThat(o.audioBitrateKbps()).isEqualTo(510);
    assertThat(o.audioChannels()).isEqualTo(1);
    assertThat(o.withAudioBitrateKbps(0).audioBitrateKbps()).isZero();
    assertThat(EncodeOptions.DEFAULT).isEqualTo(EncodeOptions.DEFAULT.withVideo()
        .withTracks(EncodeOptions.Tracks.AUDIO));
    assertThat(o).isNotEqualTo(EncodeOptions.DEFAULT).hasSameHashCodeAs(
        EncodeOptions.DEFAULT.withVideo().withVideoSize(320, 180).withVideoFps(15)
            .withVideoBitrateKbps(300).withAudioBitrateKbps(510).withAudioChannels(1));
    assertThat(o.toString()).contains("videoWidth=320", "audioChannels=1");
  }

  @Test
  void outOfRangeValuesAreRefusedNamingTheField() {
    EncodeOptions d = EncodeOptions.DEFAULT;
    assertThatThrownBy(() -> d.withAudioBitrateKbps(511)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("audioBitrateKbps").hasMessageContaining("511");
    assertThatThrownBy(() -> d.withAudioBitrateKbps(5)).hasMessageContaining("audioBitrateKbps");
    assertThatThrownBy(() -> d.withAudioChannels(3)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("audioChannels");
    assertThatThrownBy(() -> d.withVideoBitrateKbps(49)).hasMessageContaining("videoBitrateKbps");
    assertThatThrownBy(() -> d.withVideoSize(8, 180)).hasMessageContaining("videoWidth");
    assertThatThrownBy(() -> d.withVideoSize(320, 5000)).hasMessageContaining("videoHeight");
    assertThatThrownBy(() -> d.withVideoFps(0)).hasMessageContaining("videoFps");
    assertThatThrownBy(() -> d.withVideoFps(61)).hasMessageContaining("videoFps");
    assertThatThrownBy(() -> d.withTracks(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void factoriesWrapVideoSourcesAndKeepAudioOnlyOnesPlain() {
    EncodeOptions mono = EncodeOptions.DEFAULT.withAudioChannels(1);
    EncodeOptions video = mono.withVideo();

    assertThat(MediaSource.file(Path.of("a.mp3"), mono))
        .isEqualTo(new MediaSource.FileSource(Path.of("a.mp3"), mono));
    assertThat(MediaSource.url("https://example.org/a", mono))
        .isEqualTo(new MediaSource.UrlSource(URI.create("https://example.org/a"), mono));
    assertThat(MediaSource.file(Path.of("a.mkv"))).isEqualTo(
        MediaSource.file(Path.of("a.mkv"), EncodeOptions.DEFAULT));
    MediaSource v = MediaSource.url("https://example.org/a", video);
    assertThat(v).isInstanceOfSatisfying(MediaSource.VideoSource.class,
        s -> assertThat(s.options()).isEqualTo(video));
    // withVideo keeps the input's options and adds the video track
    assertThat(MediaSource.withVideo(MediaSource.file(Path.of("a.mkv"), mono)))
        .isEqualTo(MediaSource.file(Path.of("a.mkv"), video));
    assertThatThrownBy(() -> MediaSource.url("ftp://x/a", mono))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MediaSource.file(Path.of("a"), null))
        .isInstanceOf(NullPointerException.class);
  }
}
