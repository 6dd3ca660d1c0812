package org.tgcalls4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.tgcalls4j.Call;
import org.tgcalls4j.CallKind;
import org.tgcalls4j.GroupCall;
import org.tgcalls4j.MediaSource;
import org.tgcalls4j.NetworkOptions;
import org.tgcalls4j.StreamListener;
import org.tgcalls4j.TgCalls;
import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.VideoStats;
import org.tgcalls4j.internal.rtmp.testing.TestMedia;
import org.tgcalls4j.testsfu.Audio;
import org.tgcalls4j.testsfu.Recording;
import org.tgcalls4j.testsfu.TestSfu;
import org.tgcalls4j.testsfu.VideoRecording;

/**
 * A camera and a screen share of one chat at once (issue 11, group-call.md §8): the chat's main
 * call sends a 320x240, 30 fps camera clip with a 440 Hz tone and its presentation a 640x360,
 * 15 fps clip of other content with a 660 Hz tone, each over its own transport to its own test SFU.
 * Both videos must arrive and decode at their own size and frame count, while both run, and the
 * camera call's tone must arrive intact.
 */
@ExtendWith(LeakCheck.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ScreenShareIT {
  private static final long CHAT = 91;
  private static final int SECONDS = 4;
  private static final int CAMERA_FPS = 30;
  private static final int SCREEN_FPS = 15;

  @TempDir Path dir;
  private final Map<CallKind, CompletableFuture<TgCallsException>> streamEnds = Map.of(
      CallKind.GROUP_CALL, new CompletableFuture<>(), CallKind.PRESENTATION, new CompletableFuture<>());
  private final Map<CallKind, Integer> extraStreamEnds = new ConcurrentHashMap<>();
  private TestSfu cameraSfu;
  private TestSfu screenSfu;
  private TgCalls calls;

  @AfterEach
  void tearDown() {
    if (calls != null) {
      calls.close();
    }
    if (cameraSfu != null) {
      cameraSfu.close();
    }
    if (screenSfu != null) {
      screenSfu.close();
    }
  }

  /** A lavfi test pattern with a sine tone, {@link #SECONDS} long, H.264 + PCM in Matroska. */
  private Path clip(String name, String pattern, String size, int fps, int toneHz) throws Exception {
    return Media.clip(dir, name, pattern, size, fps, toneHz, SECONDS);
  }

  /** The SFU's answer as a presentation gets it: without an {@code audio} section (§3.1). */
  private static String presentationAnswer(String answer) {
    JsonObject root = JsonParser.parseString(answer).getAsJsonObject();
    assertThat(root.remove("audio")).as("the test SFU's answer has audio to remove").isNotNull();
    return root.toString();
  }

  /** codec, width, height and decoded frame count of an IVF file, by ffprobe. */
  private static String[] probe(Path ivf) throws Exception {
    return TestMedia.run(List.of("ffprobe", "-v", "error", "-count_frames",
        "-select_streams", "v:0",
        "-show_entries", "stream=codec_name,width,height,nb_read_frames", "-of", "csv=p=0",
        ivf.toString())).trim().split(",");
  }

  /** Waits until the SFU's reader has taken every video packet the call sent (it lags under load). */
  private static Recording settled(TestSfu sfu, GroupCall call) throws InterruptedException {
    for (int i = 0; i < 100 && sfu.recording().video().packets() < call.videoStats().packetsSent(); i++) {
      Thread.sleep(100);
    }
    Thread.sleep(300);
    return sfu.recording();
  }

  @Test
  void aCameraAndAScreenShareOfOneChatRunAtOnceAndBothArrive() throws Exception {
    Path camera = clip("camera.mkv", "testsrc", "320x240", CAMERA_FPS, 440);
    Path screen = clip("screen.mkv", "testsrc2", "640x360", SCREEN_FPS, 660);
    Path cameraIvf = dir.resolve("camera.ivf");
    Path screenIvf = dir.resolve("screen.ivf");
    cameraSfu = TestSfu.start(new TestSfu.Options(0, false, cameraIvf));
    screenSfu = TestSfu.start(new TestSfu.Options(0, false, screenIvf));
    calls = TgCalls.builder()
        .networkOptions(NetworkOptions.loopbackOnly())
        .connectTimeout(Duration.ofSeconds(10))
        .streamListener(new StreamListener() {
          @Override
          public void onStreamEnd(long chatId, TgCallsException error) {}

          @Override
          public void onStreamEnd(Call call, TgCallsException error) {
            if (!streamEnds.get(call.kind()).complete(error)) {
              extraStreamEnds.merge(call.kind(), 1, Integer::sum);
            }
          }
        })
        .build();

    GroupCall main = calls.createGroupCall(CHAT);
    main.setSource(MediaSource.withVideo(MediaSource.file(camera)));
    GroupCall presentation = calls.createPresentation(CHAT);
    presentation.setSource(MediaSource.withVideo(MediaSource.file(screen)));
    assertThat(presentation.kind()).isEqualTo(CallKind.PRESENTATION);
    assertThat(ProcessResources.ffmpegChildren()).as("one ffmpeg per source").isEqualTo(2);

    int cameraAudio = main.audioSsrc();
    int screenAudio = presentation.audioSsrc();
    assertThat(screenAudio).as("the presentation's own SSRCs").isNotEqualTo(cameraAudio);
    String mainJoin = main.joinJson();
    String presentationJoin = presentation.joinJson();
    assertThat(mainJoin).contains("\"ssrc-groups\":[{\"semantics\":\"FID\",\"sources\":["
        + (cameraAudio + 1) + "," + (cameraAudio + 2) + "]}]");
    // group-call.md §2.2 "Screen share": a SIM group of 2 layers, then their FID pairs
    assertThat(presentationJoin).contains("\"ssrc-groups\":["
        + "{\"semantics\":\"SIM\",\"sources\":[" + (screenAudio + 1) + "," + (screenAudio + 3) + "]},"
        + "{\"semantics\":\"FID\",\"sources\":[" + (screenAudio + 1) + "," + (screenAudio + 2) + "]},"
        + "{\"semantics\":\"FID\",\"sources\":[" + (screenAudio + 3) + "," + (screenAudio + 4) + "]}]");

    CompletableFuture<Void> mainConnected = main.connectAsync(cameraSfu.answer(mainJoin));
    CompletableFuture<Void> screenConnected =
        presentation.connectAsync(presentationAnswer(screenSfu.answer(presentationJoin)));
    CompletableFuture.allOf(mainConnected, screenConnected).get(20, TimeUnit.SECONDS);

    // both at once: while the clips play, when did each SFU's frame count first and last grow
    long[] growth = {-1, -1, -1, -1}; // camera first, camera last, screen first, screen last
    long[] counts = {0, 0};
    long start = System.nanoTime();
    while (!(streamEnds.get(CallKind.GROUP_CALL).isDone() && streamEnds.get(CallKind.PRESENTATION).isDone())
        && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(30)) {
      long now = (System.nanoTime() - start) / 1_000_000;
      long[] frames = {cameraSfu.recording().video().framesCompleted(),
          screenSfu.recording().video().framesCompleted()};
      for (int i = 0; i < 2; i++) {
        if (frames[i] > counts[i]) {
          counts[i] = frames[i];
          if (growth[2 * i] < 0) {
            growth[2 * i] = now;
          }
          growth[2 * i + 1] = now;
        }
      }
      Thread.sleep(50);
    }
    long overlapMillis = Math.min(growth[1], growth[3]) - Math.max(growth[0], growth[2]);

    assertThat(streamEnds.get(CallKind.GROUP_CALL).get(30, TimeUnit.SECONDS))
        .as("the camera's natural end").isNull();
    assertThat(streamEnds.get(CallKind.PRESENTATION).get(30, TimeUnit.SECONDS))
        .as("the screen's natural end").isNull();
    Recording cameraRec = settled(cameraSfu, main);
    Recording screenRec = settled(screenSfu, presentation);
    VideoStats cameraStats = main.videoStats();
    VideoStats screenStats = presentation.videoStats();
    cameraSfu.close(); // flushes the IVF files
    screenSfu.close();
    System.out.printf("ScreenShareIT: camera %s%n  screen %s%n  frames arriving: camera %d..%d ms,"
        + " screen %d..%d ms after connecting (overlap %d ms)%n  camera SFU %s%n  screen SFU %s%n",
        cameraStats, screenStats, growth[0], growth[1], growth[2], growth[3], overlapMillis,
        cameraRec.video(), screenRec.video());

    assertThat(overlapMillis).as("ms during which both videos were arriving")
        .isGreaterThanOrEqualTo(SECONDS * 1000L / 2);

    VideoRecording cameraVideo = cameraRec.video();
    VideoRecording screenVideo = screenRec.video();
    // each track on its own connection's layer-0 SSRC, nothing sent under an undeclared SSRC
    assertThat(cameraVideo.videoSsrc()).isEqualTo(cameraAudio + 1);
    assertThat(screenVideo.videoSsrc()).isEqualTo(screenAudio + 1);
    assertThat(cameraStats.ssrc()).isEqualTo(cameraAudio + 1);
    assertThat(screenStats.ssrc()).isEqualTo(screenAudio + 1);
    assertThat(cameraRec.packetsDroppedUndeclaredSsrc()).isZero();
    assertThat(screenRec.packetsDroppedUndeclaredSsrc()).isZero();
    assertThat(cameraRec.srtpFailures()).isZero();
    assertThat(screenRec.srtpFailures()).isZero();
    assertThat(cameraVideo.payloadTypeSeen()).isEqualTo(100);
    assertThat(screenVideo.payloadTypeSeen()).isEqualTo(100);

    // every frame sent arrived whole, and the decoders agree on size and count
    assertThat(cameraStats.framesSent()).isEqualTo((long) CAMERA_FPS * SECONDS);
    assertThat(screenStats.framesSent()).isEqualTo((long) SCREEN_FPS * SECONDS);
    assertThat(cameraVideo.framesCompleted()).as("%s", cameraVideo).isEqualTo(cameraStats.framesSent());
    assertThat(screenVideo.framesCompleted()).as("%s", screenVideo).isEqualTo(screenStats.framesSent());
    assertThat(cameraVideo.width()).isEqualTo(320);
    assertThat(cameraVideo.height()).isEqualTo(240);
    assertThat(screenVideo.width()).isEqualTo(640);
    assertThat(screenVideo.height()).isEqualTo(360);
    String[] cameraProbe = probe(cameraIvf);
    String[] screenProbe = probe(screenIvf);
    System.out.printf("ScreenShareIT: ffprobe camera %s, screen %s%n", String.join(",", cameraProbe),
        String.join(",", screenProbe));
    assertThat(cameraProbe[0]).isEqualTo("vp8");
    assertThat(Integer.parseInt(cameraProbe[1])).isEqualTo(320);
    assertThat(Integer.parseInt(cameraProbe[2])).isEqualTo(240);
    assertThat(Integer.parseInt(cameraProbe[3].trim())).as("camera frames decoded")
        .isBetween(CAMERA_FPS * SECONDS - 3, CAMERA_FPS * SECONDS + 1);
    assertThat(screenProbe[0]).isEqualTo("vp8");
    assertThat(Integer.parseInt(screenProbe[1])).isEqualTo(640);
    assertThat(Integer.parseInt(screenProbe[2])).isEqualTo(360);
    assertThat(Integer.parseInt(screenProbe[3].trim())).as("screen frames decoded")
        .isBetween(SCREEN_FPS * SECONDS - 3, SCREEN_FPS * SECONDS + 1);

    // the camera call's tone, and the presentation's own (its answer had no audio section: the
    // default Opus payload type 111, group-call.md §3.1, §8)
    assertThat(Audio.dominantFrequencyHz(cameraRec.pcm48kStereo(), 2, 48_000)).isCloseTo(440.0,
        Offset.offset(2.0));
    assertThat(Audio.dominantFrequencyHz(screenRec.pcm48kStereo(), 2, 48_000)).isCloseTo(660.0,
        Offset.offset(2.0));

    assertThat(extraStreamEnds).as("stream ends beyond one per call").isEmpty();
    main.stop();
    presentation.stop();
    assertThat(calls.calls()).isEmpty();
  }
}
