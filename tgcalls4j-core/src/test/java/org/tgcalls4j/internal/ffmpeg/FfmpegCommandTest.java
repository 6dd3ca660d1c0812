package org.tgcalls4j.internal.ffmpeg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tgcalls4j.EncodeOptions;
import org.tgcalls4j.MediaSource;

class FfmpegCommandTest {
  private static final Path FFMPEG = Path.of("/usr/bin/ffmpeg");

  private static List<String> before(List<String> args, String marker) {
    return args.subList(0, args.indexOf(marker));
  }

  @Test
  void opusCommandIsAnArgumentListEndingInAnOggPipe() {
    List<String> args = FfmpegCommand.opusOgg(FFMPEG, MediaSource.file(Path.of("/music/a b;rm -rf.mp3")), 64, 0);

    assertThat(args.get(0)).isEqualTo("/usr/bin/ffmpeg");
    assertThat(args).containsSubsequence("-hide_banner", "-loglevel", "error", "-nostdin");
    assertThat(args).containsSequence("-i", "file:/music/a b;rm -rf.mp3");
    assertThat(args).containsSequence("-c:a", "libopus", "-b:a", "64k", "-application", "audio",
        "-frame_duration", "20", "-page_duration", "20000", "-ar", "48000", "-ac", "2", "-f", "ogg", "pipe:1");
    assertThat(args).endsWith("pipe:1").contains("-vn").doesNotContain("-ss", "-re", "-reconnect");
  }

  @Test
  void audioAndVideoComeFromOneInputToTwoOutputsWithAKeyFrameEverySecond() {
    List<String> args = FfmpegCommand.opusOggAndVp8Ivf(FFMPEG,
        MediaSource.withVideo(MediaSource.file(Path.of("/films/a.mkv"))), 64, 800, 1000,
        "tcp://127.0.0.1:4001", "tcp://127.0.0.1:4002");

    assertThat(args.stream().filter("-i"::equals).count()).as("inputs").isEqualTo(1);
    assertThat(args).containsSequence("-i", "file:/films/a.mkv");
    assertThat(args).containsSubsequence("-map", "0:a:0", "-c:a", "libopus", "-f", "ogg",
        "tcp://127.0.0.1:4001", "-map", "0:V:0", "-c:v", "libvpx", "-f", "ivf",
        "tcp://127.0.0.1:4002");
    assertThat(args).containsSequence("-deadline", "realtime")
        .containsSequence("-force_key_frames", "expr:gte(t,n_forced*1.000)")
        .containsSequence("-b:v", "800k").containsSequence("-fpsmax", "30")
        .contains("scale=w='min(1280,iw)':h='min(720,ih)':force_original_aspect_ratio=decrease"
            + ":force_divisible_by=2")
        .endsWith("tcp://127.0.0.1:4002");
    assertThatThrownBy(() -> FfmpegCommand.opusOggAndVp8Ivf(FFMPEG,
        MediaSource.file(Path.of("/a.mkv")), 64, 800, 5, "a", "b"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void pcmCommandWritesRawStereo48kHzToThePipeAndRefusesInProcessSources() {
    List<String> args = FfmpegCommand.pcmS16le(FFMPEG, MediaSource.file(Path.of("/music/a.mp3")));

    assertThat(args).containsSequence("-i", "file:/music/a.mp3");
    assertThat(args).containsSubsequence("-analyzeduration", "-probesize", "-i");
    assertThat(args).containsSequence("-vn", "-f", "s16le", "-acodec", "pcm_s16le", "-ar", "48000",
        "-ac", "2", "pipe:1");
    assertThat(args).endsWith("pipe:1").doesNotContain("libopus", "-ss", "-re");
    MediaSource pcm = MediaSource.pcm(org.tgcalls4j.PcmPushSource.create(1, 100,
        org.tgcalls4j.PcmPushSource.WhenEmpty.NOTHING));
    assertThatThrownBy(() -> FfmpegCommand.pcmS16le(FFMPEG, pcm))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> FfmpegCommand.opusOgg(FFMPEG, pcm, 64, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void opusCommandProbesBrieflyBeforeTheInput() {
    List<String> args = FfmpegCommand.opusOgg(FFMPEG, MediaSource.file(Path.of("/a.wav")), 64, 0);

    assertThat(before(args, "-i")).containsSequence("-analyzeduration", "500000")
        .containsSequence("-probesize", "65536");
  }

  @Test
  void relativeFileBecomesAbsoluteFileUrlSoAColonIsNotAProtocol() {
    List<String> args = FfmpegCommand.opusOgg(FFMPEG, MediaSource.file(Path.of("http:evil.mp3")), 64, 0);

    assertThat(args.get(args.indexOf("-i") + 1))
        .isEqualTo("file:" + Path.of("http:evil.mp3").toAbsolutePath());
  }

  @Test
  void httpInputGetsReconnectOptionsButNotReconnectAtEof() {
    List<String> args = FfmpegCommand.opusOgg(FFMPEG, MediaSource.url("https://example.org/radio"), 96, 0);

    assertThat(before(args, "-i")).containsSequence("-reconnect", "1")
        .containsSequence("-reconnect_streamed", "1")
        .containsSequence("-reconnect_delay_max", "5")
        .containsSequence("-rw_timeout", "15000000");
    assertThat(args).doesNotContain("-reconnect_at_eof").containsSequence("-i", "https://example.org/radio");
  }

  @Test
  void hlsPlaylistGetsPersistentHttpAndANetworkOnlyProtocolWhitelist() {
    List<String> args = FfmpegCommand.opusOgg(FFMPEG,
        MediaSource.url("https://example.org/live/Index.M3U8?token=a"), 96, 0);

    assertThat(before(args, "-i")).containsSequence("-http_persistent", "1")
        .containsSequence("-protocol_whitelist", "http,https,tcp,tls,crypto")
        .containsSequence("-reconnect", "1");
    assertThat(FfmpegCommand.HLS_PROTOCOLS.split(",")).doesNotContain("file");
    assertThat(FfmpegCommand.opusOgg(FFMPEG, MediaSource.url("https://example.org/a.mp3"), 96, 0))
        .doesNotContain("-http_persistent", "-protocol_whitelist");
  }

  @Test
  void rtmpInputGetsNoHttpOptions() {
    List<String> args = FfmpegCommand.opusOgg(FFMPEG, MediaSource.url("rtmp://127.0.0.1/live/x"), 64, 0);

    assertThat(args).doesNotContain("-reconnect", "-rw_timeout").containsSequence("-i", "rtmp://127.0.0.1/live/x");
  }

  @Test
  void startOffsetBecomesInputSeekInSeconds() {
    List<String> args = FfmpegCommand.opusOgg(FFMPEG, MediaSource.file(Path.of("/a.mp3")), 64, 61_005);

    assertThat(before(args, "-i")).containsSequence("-ss", "61.005");
  }

  @Test
  void rejectsBitrateOutsideOpusRange() {
    MediaSource source = MediaSource.file(Path.of("/a.mp3"));
    assertThatThrownBy(() -> FfmpegCommand.opusOgg(FFMPEG, source, 5, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bitrateKbps");
    assertThatThrownBy(() -> FfmpegCommand.opusOgg(FFMPEG, source, 64, -1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("startOffsetMillis");
  }

  @Test
  void flvCommandEncodesH264AndAacForRtmp() {
    List<String> args = FfmpegCommand.flvH264Aac(
        FFMPEG, MediaSource.file(Path.of("/v.mp4")), FlvEncoding.defaults(), 2_500, true);

    assertThat(before(args, "-i")).contains("-re").containsSequence("-ss", "2.500");
    assertThat(args).containsSequence("-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency",
        "-pix_fmt", "yuv420p", "-r", "30", "-g", "60");
    assertThat(args).containsSequence("-b:v", "2000k");
    assertThat(args).containsSequence("-c:a", "aac", "-b:a", "128k", "-ar", "44100", "-ac", "2");
    assertThat(args.get(args.indexOf("-vf") + 1)).startsWith("scale=1280:720:").endsWith(",fps=30");
    assertThat(args).containsSequence("-f", "flv").endsWith("pipe:1");
  }

  @Test
  void flvCommandWithoutRealtimeDoesNotThrottle() {
    assertThat(FfmpegCommand.flvH264Aac(
        FFMPEG, MediaSource.file(Path.of("/v.mp4")), FlvEncoding.defaults(), 0, false)).doesNotContain("-re", "-ss");
  }

  @Test
  void flvEncodingRejectsOddSizeAndUnsupportedSampleRate() {
    assertThatThrownBy(() -> new FlvEncoding(1279, 720, 30, 2000, 128, 44_100))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("even");
    assertThatThrownBy(() -> new FlvEncoding(1280, 720, 30, 2000, 128, 22_050))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("audioSampleRateHz");
  }

  @Test
  void flvDefaultsAre720p30() {
    assertThat(FlvEncoding.defaults()).isEqualTo(new FlvEncoding(1280, 720, 30, 2000, 128, 44_100));
  }

  @Test
  void encodeOptionsSetTheVideoBoundRateBitrateAndTheAudioChannelsAndBitrate() {
    EncodeOptions small = EncodeOptions.DEFAULT.withVideo().withVideoSize(320, 180)
        .withVideoFps(15).withVideoBitrateKbps(200).withAudioChannels(1).withAudioBitrateKbps(48);
    List<String> args = FfmpegCommand.opusOggAndVp8Ivf(FFMPEG,
        MediaSource.file(Path.of("/films/a.mkv"), small), 128, 1000, "tcp://127.0.0.1:4001",
        "tcp://127.0.0.1:4002", 0);

    assertThat(args.subList(args.indexOf("-map"), args.indexOf("tcp://127.0.0.1:4001")))
        .containsSequence("-b:a", "48k").containsSequence("-ac", "1");
    List<String> video = args.subList(args.indexOf("tcp://127.0.0.1:4001"), args.size());
    assertThat(video).containsSequence("-b:v", "200k").containsSequence("-maxrate", "200k")
        .containsSequence("-fpsmax", "15")
        .contains("scale=w='min(320,iw)':h='min(180,ih)':force_original_aspect_ratio=decrease"
            + ":force_divisible_by=2")
        .containsSequence("-force_key_frames", "expr:gte(t,n_forced*1.000)");
  }

  @Test
  void defaultOptionsKeepTodaysVideoCommandAndTheClientsAudioBitrate() {
    MediaSource viaOptions = MediaSource.file(Path.of("/films/a.mkv"),
        EncodeOptions.DEFAULT.withVideo());
    MediaSource viaWithVideo = MediaSource.withVideo(MediaSource.file(Path.of("/films/a.mkv")));

    assertThat(viaOptions).isEqualTo(viaWithVideo).isInstanceOf(MediaSource.VideoSource.class);
    List<String> args = FfmpegCommand.opusOggAndVp8Ivf(FFMPEG, viaOptions, 96, 1000, "a", "b", 0);
    assertThat(args).isEqualTo(FfmpegCommand.opusOggAndVp8Ivf(FFMPEG, viaWithVideo, 96, 800,
        1000, "a", "b"));
    assertThat(args).containsSequence("-b:a", "96k").containsSequence("-b:v", "800k")
        .containsSequence("-ac", "2").containsSequence("-fpsmax", "30")
        .contains("scale=w='min(1280,iw)':h='min(720,ih)':force_original_aspect_ratio=decrease"
            + ":force_divisible_by=2");
  }

  @Test
  void audioOptionsReachTheAudioOnlyCommandOfFilesAndUrls() {
    EncodeOptions mono = EncodeOptions.DEFAULT.withAudioChannels(1).withAudioBitrateKbps(24);
    List<String> file = FfmpegCommand.opusOgg(FFMPEG, MediaSource.file(Path.of("/a.mp3"), mono),
        128, 0);
    List<String> url = FfmpegCommand.opusOgg(FFMPEG,
        MediaSource.url("https://example.org/radio", mono), 128, 0);

    for (List<String> args : List.of(file, url)) {
      assertThat(args).containsSequence("-c:a", "libopus", "-b:a", "24k")
          .containsSequence("-ac", "1").endsWith("pipe:1").contains("-vn");
    }
    assertThat(FfmpegCommand.opusOgg(FFMPEG, MediaSource.file(Path.of("/a.mp3"),
        EncodeOptions.DEFAULT.withAudioChannels(1)), 128, 0)).containsSequence("-b:a", "128k");
  }

  @Test
  void rtmpTakesOnlyTheAudioBitrateWithinAacRange() {
    EncodeOptions options = EncodeOptions.DEFAULT.withVideo().withVideoSize(320, 180)
        .withVideoFps(15).withVideoBitrateKbps(200).withAudioChannels(1).withAudioBitrateKbps(96);
    List<String> args = FfmpegCommand.flvH264Aac(FFMPEG,
        MediaSource.file(Path.of("/v.mp4"), options), FlvEncoding.defaults(), 0, true);

    assertThat(args).containsSequence("-c:a", "aac", "-b:a", "96k", "-ar", "44100", "-ac", "2")
        .containsSequence("-b:v", "2000k").containsSequence("-r", "30");
    assertThat(args.get(args.indexOf("-vf") + 1)).startsWith("scale=1280:720:");
    assertThat(FfmpegCommand.flvH264Aac(FFMPEG, MediaSource.file(Path.of("/v.mp4"),
        EncodeOptions.DEFAULT.withAudioBitrateKbps(12)), FlvEncoding.defaults(), 0, true))
        .containsSequence("-b:a", "32k");
  }
}
