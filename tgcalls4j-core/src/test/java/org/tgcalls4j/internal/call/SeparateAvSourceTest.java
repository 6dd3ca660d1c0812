package org.tgcalls4j.internal.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.tgcalls4j.CallKind;
import org.tgcalls4j.ConnectionState;
import org.tgcalls4j.DtlsSetup;
import org.tgcalls4j.FfmpegCrashedException;
import org.tgcalls4j.InvalidParamsException;
import org.tgcalls4j.MediaSource;
import org.tgcalls4j.NetworkOptions;
import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.internal.dtls.DtlsCertificate;
import org.tgcalls4j.internal.ivf.IvfReader;
import org.tgcalls4j.internal.ogg.OpusPacket;
import org.tgcalls4j.internal.transport.EventLoops;

/**
 * Sources whose audio and video come from separate inputs: IVF and Ogg files read without ffmpeg,
 * VIDEO shell commands and shells sources (an ffmpeg child per track).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SeparateAvSourceTest {
  private static final EventLoops LOOPS = EventLoops.start(1, Thread::new);
  private static final Path FFMPEG = Path.of("ffmpeg");

  @AfterAll
  static void stopLoops() {
    LOOPS.close();
  }

  @TempDir Path dir;
  private final ExecutorService control = Executors.newSingleThreadExecutor();
  private GroupCallSession session;

  @AfterEach
  void tearDown() {
    if (session != null) {
      session.close();
    }
    control.shutdownNow();
  }

  private static void ffmpeg(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("ffmpeg", "-hide_banner",
        "-loglevel", "error", "-nostdin", "-y"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }

  /** VP8 in IVF, 160x120 at 30 fps. */
  private Path ivf(double seconds) throws Exception {
    Path file = dir.resolve("v.ivf");
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=160x120:rate=30:duration=" + seconds,
        "-c:v", "libvpx", "-deadline", "realtime", "-g", "30", "-f", "ivf", file.toString());
    return file;
  }

  /** Opus in Ogg, 20 ms frames. */
  private Path ogg(double seconds) throws Exception {
    Path file = dir.resolve("a.ogg");
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=" + seconds,
        "-ac", "2", "-c:a", "libopus", "-frame_duration", "20", "-page_duration", "20000",
        file.toString());
    return file;
  }

  private static long ffmpegChildren() {
    return ProcessHandle.current().children()
        .filter(h -> h.info().command().orElse("").endsWith("ffmpeg")).count();
  }

  private static int readVideo(IvfReader video) throws Exception {
    video.header();
    int frames = 0;
    while (video.nextFrame()) {
      frames++;
    }
    return frames;
  }

  @Test
  void ivfAndOggFilesPlayWithoutFfmpegAndTheAudioOutlastsNothingButTheVideosEnd() throws Exception {
    Path video = ivf(1);
    Path audio = ogg(0.4);
    try (OpusFrameSource frames = OpusFrameSources.openWithVideo(MediaSource.ivf(video, audio),
        FFMPEG, 64, Thread::new)) {
      assertThat(ffmpegChildren()).as("ffmpeg processes").isZero();
      assertThat(frames).isInstanceOf(AudioVideoSource.class);
      assertThat(frames.readsWithoutWaiting()).as("files only: read on the loop").isTrue();
      AudioVideoSource av = (AudioVideoSource) frames;
      assertThat(av.video().header().width()).isEqualTo(160);

      long samples = 0;
      for (int i = 0; i < 20; i++) { // 0.4 s of packets
        samples += OpusPacket.samplesAt48kHz(frames.pollFrame());
      }
      assertThat(samples).isEqualTo(20 * 960L);
      assertThat(av.awaitEnd(0)).as("the audio file has packets left?").isFalse();
      byte[] next = frames.pollFrame();
      for (int i = 0; next != null && next.length > 3 && i < 10; i++) {
        next = frames.pollFrame(); // the encoder's trailing packets, if any
      }
      // the audio file ended: silence until the video's end is handled
      assertThat(next).isEqualTo(OpusPacket.silence(960));
      assertThat(av.awaitEnd(0)).as("the whole source ended with its audio").isTrue();
      assertThat(readVideo(av.video())).isEqualTo(30);
      assertThat(frames.pollFrame()).as("still silence").isEqualTo(OpusPacket.silence(960));
      assertThat(av.videoEndError(true, null)).isNull();
      av.videoEndHandled();
      assertThat(frames.pollFrame()).as("the audio ends after the video").isNull();
      assertThat(frames.endError()).isNull();
    }
  }

  @Test
  void aVideoOnlyShellSendsSilenceAndAKilledFfmpegEndsTheVideoWithItsCrash() throws Exception {
    MediaSource source = MediaSource.shell(
        "ffmpeg -f lavfi -i testsrc=size=160x120:rate=30:duration=60", MediaSource.Track.VIDEO);
    try (OpusFrameSource frames = OpusFrameSources.openWithVideo(source, FFMPEG, 64, Thread::new)) {
      AudioVideoSource av = (AudioVideoSource) frames;
      assertThat(av.awaitEnd(0)).as("no audio leg: only the video is left").isTrue();
      assertThat(frames.pollFrame()).isEqualTo(OpusPacket.silence(960));
      assertThat(av.video().header().width()).isEqualTo(160);
      assertThat(av.video().nextFrame()).isTrue();
      assertThat(av.video().framePts()).isZero();
      ProcessHandle child = ProcessHandle.current().children()
          .filter(h -> h.info().command().orElse("").endsWith("ffmpeg")).findFirst().orElseThrow();
      assertThat(String.join(" ", child.info().arguments().orElseThrow()))
          .contains("-force_key_frames").contains("-f ivf pipe:1");
      child.destroyForcibly();
      try {
        while (av.video().nextFrame()) {
          // what was written before the kill
        }
      } catch (java.io.IOException e) {
        // a frame cut by the kill
      }
      TgCallsException error = av.videoEndError(true, null);
      assertThat(error).isInstanceOfSatisfying(FfmpegCrashedException.class,
          c -> assertThat(c.exitCode()).isEqualTo(137));
      av.videoEndHandled();
      assertThat(frames.pollFrame()).isNull();
      assertThat(frames.endError()).as("the audio's end: the one process's crash")
          .isInstanceOf(FfmpegCrashedException.class);
    }
  }

  @Test
  void filesThatAreNotWhatTheSourceSaysAreRefusedBeforeAnythingPlays() throws Exception {
    Path text = Files.writeString(dir.resolve("notes.ogg"), "not media at all, just some text here");
    Path video = ivf(0.2);
    assertThatThrownBy(() -> OpusFrameSources.open(MediaSource.ogg(text), FFMPEG, 64, 0, Thread::new))
        .isInstanceOfSatisfying(InvalidParamsException.class,
            e -> assertThat(e.field()).isEqualTo("source.path"))
        .hasMessageContaining("not an Ogg/Opus file");
    assertThatThrownBy(() -> OpusFrameSources.openWithVideo(MediaSource.ivf(text), FFMPEG, 64,
        Thread::new)).isInstanceOf(InvalidParamsException.class).hasMessageContaining("not a VP8 IVF");
    assertThatThrownBy(() -> OpusFrameSources.openWithVideo(MediaSource.ivf(video, text), FFMPEG, 64,
        Thread::new)).isInstanceOf(InvalidParamsException.class).hasMessageContaining("not an Ogg/Opus");
    assertThatThrownBy(() -> OpusFrameSources.openWithVideo(MediaSource.ivf(dir.resolve("none.ivf")),
        FFMPEG, 64, Thread::new)).isInstanceOf(InvalidParamsException.class);
    // where video cannot play, a video-only source is refused and an IVF + Ogg source is its Ogg
    assertThatThrownBy(() -> OpusFrameSources.open(MediaSource.ivf(video), FFMPEG, 64, 0, Thread::new))
        .isInstanceOf(InvalidParamsException.class).hasMessageContaining("video-only");
    assertThatThrownBy(() -> OpusFrameSources.open(MediaSource.shell("ffmpeg -i v.mp4",
        MediaSource.Track.VIDEO), FFMPEG, 64, 0, Thread::new)).hasMessageContaining("video-only");
    try (OpusFrameSource frames = OpusFrameSources.open(MediaSource.ivf(video, ogg(0.2)), FFMPEG, 64,
        0, Thread::new)) {
      assertThat(frames).isNotInstanceOf(AudioVideoSource.class);
      assertThat(frames.nextFrame()).isNotEmpty();
    }
    assertThat(ffmpegChildren()).isZero();
  }

  private GroupCallSession newSession() {
    SessionConfig config = new SessionConfig(FFMPEG, NetworkOptions.loopbackOnly(),
        5_000, r -> new Thread(r), LOOPS, DtlsSetup.PASSIVE, 64, new SecureRandom(),
        System::currentTimeMillis, DtlsCertificate.generate(), control, 0, 30_000, null, false, null);
    return new GroupCallSession(1, CallKind.GROUP_CALL, config, new SessionEvents() {
      @Override
      public void onState(ConnectionState state, TgCallsException cause) {}

      @Override
      public void onStreamEnd(TgCallsException error) {}
    });
  }

  @Test
  void videoOnlyAndIvfSourcesDeclareVideoInTheJoinLikeWithVideo() throws Exception {
    Path video = ivf(0.2);
    session = newSession();
    session.setSource(MediaSource.ivf(video));
    int audio = session.audioSsrc();
    assertThat(session.joinJson()).contains("\"ssrc-groups\":[{\"semantics\":\"FID\",\"sources\":["
        + (audio + 1) + "," + (audio + 2) + "]}]");
    session.close();

    session = newSession();
    assertThat(session.joinJson()).doesNotContain("ssrc-groups");
    assertThatThrownBy(() -> session.setSource(MediaSource.shell(
        "ffmpeg -f lavfi -i testsrc=duration=1", MediaSource.Track.VIDEO)))
        .as("video only, after a join without video").isInstanceOf(InvalidParamsException.class)
        .hasMessageContaining("before joinJson()");
    assertThat(ffmpegChildren()).isZero();
  }
}
