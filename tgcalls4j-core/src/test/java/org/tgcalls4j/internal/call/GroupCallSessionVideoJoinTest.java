package org.tgcalls4j.internal.call;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.tgcalls4j.CallKind;
import org.tgcalls4j.ConnectionState;
import org.tgcalls4j.DtlsSetup;
import org.tgcalls4j.MediaSource;
import org.tgcalls4j.NetworkOptions;
import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.internal.dtls.DtlsCertificate;
import org.tgcalls4j.internal.transport.EventLoops;

/** Video SSRCs are declared in the join JSON exactly when a video source was set before it. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GroupCallSessionVideoJoinTest {
  private static final EventLoops LOOPS = EventLoops.start(1, Thread::new);

  @org.junit.jupiter.api.AfterAll
  static void stopLoops() {
    LOOPS.close();
  }

  private final ExecutorService control = Executors.newSingleThreadExecutor();
  private GroupCallSession session;
  @TempDir Path dir;

  @AfterEach
  void tearDown() {
    if (session != null) {
      session.close();
    }
    control.shutdownNow();
  }

  private GroupCallSession newSession() {
    return newSession(CallKind.GROUP_CALL);
  }

  private GroupCallSession newSession(CallKind kind) {
    SessionConfig config = new SessionConfig(Path.of("ffmpeg"), NetworkOptions.loopbackOnly(),
        5_000, r -> new Thread(r), LOOPS, DtlsSetup.PASSIVE, 64, new SecureRandom(),
        System::currentTimeMillis, DtlsCertificate.generate(), control, 0, 30_000, null, false, null);
    return new GroupCallSession(1, kind, config, new SessionEvents() {
      @Override
      public void onState(ConnectionState state, TgCallsException cause) {}

      @Override
      public void onStreamEnd(TgCallsException error) {}
    });
  }

  private static List<String> ffmpegArguments() {
    return ProcessHandle.current().children()
        .filter(h -> h.info().command().orElse("").endsWith("ffmpeg"))
        .flatMap(h -> Arrays.stream(h.info().arguments().orElse(new String[0])))
        .toList();
  }

  @Test
  void aVideoSourceSetBeforeTheJoinDeclaresTheFidPairAfterTheAudioSsrc() throws Exception {
    Path clip = FfmpegAvSourceTest.clip(dir, 1);
    session = newSession();
    session.setSource(MediaSource.withVideo(MediaSource.file(clip)));
    int audio = session.audioSsrc();
    String fid = "\"ssrc-groups\":[{\"semantics\":\"FID\",\"sources\":[" + (audio + 1) + ","
        + (audio + 2) + "]}]";

    assertThat(session.joinJson()).contains(fid);
    assertThat(session.joinJson()).as("a rejoin declares them again").contains(fid);
    assertThat(ffmpegArguments()).contains("libvpx", "libopus");
    assertThat(session.videoStats()).as("not connected yet").isNull();
  }

  @Test
  void aPresentationWithVideoDeclaresTheTwoLayerScreenShareLayout() throws Exception {
    Path clip = FfmpegAvSourceTest.clip(dir, 1);
    session = newSession(CallKind.PRESENTATION);
    session.setSource(MediaSource.withVideo(MediaSource.file(clip)));
    int a = session.audioSsrc();
    // group-call.md §2.2 "Screen share": SIM of the 2 layers' media SSRCs, then one FID per layer
    String groups = "\"ssrc\":" + a + ",\"ssrc-groups\":["
        + "{\"semantics\":\"SIM\",\"sources\":[" + (a + 1) + "," + (a + 3) + "]},"
        + "{\"semantics\":\"FID\",\"sources\":[" + (a + 1) + "," + (a + 2) + "]},"
        + "{\"semantics\":\"FID\",\"sources\":[" + (a + 3) + "," + (a + 4) + "]}]";

    assertThat(session.joinJson()).contains(groups);
    assertThat(session.joinJson()).as("a rejoin declares them again").contains(groups);
  }

  @Test
  void aPresentationWithoutVideoDeclaresNoGroups() throws Exception {
    session = newSession(CallKind.PRESENTATION);

    assertThat(session.joinJson()).contains("\"ssrc\":" + session.audioSsrc())
        .doesNotContain("ssrc-groups");
  }

  @Test
  void outsideGroupCallsAVideoSourceOpensAsItsAudio() throws Exception {
    Path clip = FfmpegAvSourceTest.clip(dir, 1);
    // what a private call does: it has no video track to read ffmpeg's VP8
    try (OpusFrameSource frames = OpusFrameSources.open(
        MediaSource.withVideo(MediaSource.file(clip)), Path.of("ffmpeg"), 64, 0, r -> new Thread(r))) {
      assertThat(frames).isNotInstanceOf(AudioVideoSource.class);
      assertThat(ffmpegArguments()).contains("libopus").doesNotContain("libvpx");
      assertThat(frames.nextFrame()).isNotEmpty();
    }
  }

  @Test
  void aVideoSourceSetAfterAJoinWithoutVideoPlaysItsAudioOnly() throws Exception {
    Path clip = FfmpegAvSourceTest.clip(dir, 1);
    session = newSession();
    assertThat(session.joinJson()).doesNotContain("ssrc-groups");
    session.setSource(MediaSource.withVideo(MediaSource.file(clip)));

    assertThat(session.joinJson()).doesNotContain("ssrc-groups");
    assertThat(ffmpegArguments()).contains("libopus").doesNotContain("libvpx");
  }
}
