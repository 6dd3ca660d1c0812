package org.tgcalls4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.tgcalls4j.Call;
import org.tgcalls4j.GroupCall;
import org.tgcalls4j.MediaSource;
import org.tgcalls4j.MediaState;
import org.tgcalls4j.NetworkOptions;
import org.tgcalls4j.StreamDevice;
import org.tgcalls4j.StreamListener;
import org.tgcalls4j.StreamType;
import org.tgcalls4j.TgCalls;
import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.VideoStats;
import org.tgcalls4j.internal.rtmp.testing.TestMedia;
import org.tgcalls4j.testsfu.Audio;
import org.tgcalls4j.testsfu.Recording;
import org.tgcalls4j.testsfu.TestSfu;

/**
 * Sources whose audio and video come from separate inputs, against the test SFU (which writes
 * the VP8 it receives to IVF for ffprobe): {@code MediaSource.shells} (one ffmpeg per command, run
 * without a shell) and {@code MediaSource.ivf(video, audio)} (files read without ffmpeg).
 */
@ExtendWith(LeakCheck.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SeparateTracksVideoIT {
  private static final long CHAT = 78;
  private static final int SECONDS = 2;
  private static final int FPS = 30;

  @TempDir Path dir;
  /** "VIDEO CAMERA ok", "AUDIO MICROPHONE FfmpegCrashedException", "UPGRADE ...". */
  private final BlockingQueue<String> trackEvents = new LinkedBlockingQueue<>();
  private TestSfu sfu;
  private TgCalls calls;

  @AfterEach
  void tearDown() {
    if (calls != null) {
      calls.close();
    }
    if (sfu != null) {
      sfu.close();
    }
  }

  private GroupCall videoCall(Path ivf) throws Exception {
    sfu = TestSfu.start(new TestSfu.Options(0, false, ivf));
    calls = TgCalls.builder()
        .networkOptions(NetworkOptions.loopbackOnly())
        .connectTimeout(Duration.ofSeconds(10))
        .streamListener(new StreamListener() {
          @Override
          public void onStreamEnd(long chatId, TgCallsException error) {}

          @Override
          public void onStreamEnd(Call call, StreamType type, StreamDevice device,
              TgCallsException error) {
            trackEvents.add(type + " " + device + " "
                + (error == null ? "ok" : error.getClass().getSimpleName() + " " + error.getMessage()));
          }

          @Override
          public void onUpgrade(Call call, MediaState state) {
            trackEvents.add("UPGRADE " + state);
          }
        })
        .build();
    return calls.createGroupCall(CHAT);
  }

  /** A command-line word for {@code path}: double-quoted, {@code "} and {@code \} escaped. */
  private static String quoted(Path path) {
    return "\"" + path.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /** Waits until the SFU has read every video packet sent, then stops it (flushing its IVF). */
  private Recording settle(GroupCall call) throws InterruptedException {
    for (int i = 0; i < 100 && sfu.recording().video().packets() < call.videoStats().packetsSent(); i++) {
      Thread.sleep(100);
    }
    Thread.sleep(300);
    Recording rec = sfu.recording();
    sfu.close();
    return rec;
  }

  /** @return codec, width, height and decoded frame count of the received IVF, by ffprobe */
  private static String[] probe(Path ivf) throws Exception {
    return TestMedia.run(List.of("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
        "-show_entries", "stream=codec_name,width,height,nb_read_frames", "-of", "csv=p=0",
        ivf.toString())).trim().split(",");
  }

  @Test
  void shellsRunTheNamedFilesWithoutAShellAndTheVideoDecodesAtTheClipsSize() throws Exception {
    String nonce = Long.toHexString(System.nanoTime());
    String touchA = "pwned-" + nonce + "-a";
    String touchB = "pwned-" + nonce + "-b";
    // every shell metacharacter of the brief in the names: a shell would run both touches
    Path video = Media.clip(dir, "my \"clip\" $(touch " + touchA + "); `touch " + touchB + "`.mkv",
        "testsrc", "176x144", FPS, 440, SECONDS);
    Path audio = Media.tone(dir, "tone \"660\" ; $(touch " + touchA + ") `touch " + touchB
        + "`.wav", 660, SECONDS);
    Path ivf = dir.resolve("received.ivf");
    GroupCall call = videoCall(ivf);
    call.setSource(MediaSource.shells("ffmpeg -i " + quoted(audio), "ffmpeg -i " + quoted(video)));
    // started directly: every child is an ffmpeg (no sh), one per command (the audio one may be
    // done already: its 2 s of Opus fit in the pipe)
    List<String> children = ProcessHandle.current().children()
        .map(h -> h.info().command().orElse("?")).toList();
    assertThat(children).hasSizeBetween(1, 2).allMatch(c -> c.endsWith("/ffmpeg"));
    call.connect(sfu.answer(call.joinJson()));
    Thread.sleep(1_500);
    // mid-stream (after the end the audio's reports keep its last timestamp): the two processes'
    // outputs leave on one baseline, so the sender reports map one instant to one position
    double avSyncMillis = sfu.recording().video().avSyncOffsetMillis();

    assertThat(trackEvents.poll(20, TimeUnit.SECONDS)).isEqualTo("VIDEO CAMERA ok");
    assertThat(trackEvents.poll(5, TimeUnit.SECONDS)).isEqualTo("AUDIO MICROPHONE ok");
    VideoStats stats = call.videoStats();
    Recording rec = settle(call);
    Thread.sleep(200);
    assertThat(trackEvents).as("nothing else: no upgrade, no second end").isEmpty();
    System.out.println("SeparateTracksVideoIT: shells A/V offset mid-stream " + avSyncMillis + " ms");
    assertThat(avSyncMillis).isBetween(-20.0, 120.0);

    for (String touched : List.of(touchA, touchB)) {
      assertThat(Path.of(touched)).as("a shell's side effect in the working directory").doesNotExist();
      assertThat(dir.resolve(touched)).doesNotExist();
    }
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("pwned"));
    }
    String[] fields = probe(ivf);
    assertThat(fields[0]).isEqualTo("vp8");
    assertThat(Integer.parseInt(fields[1])).as("the video file's size").isEqualTo(176);
    assertThat(Integer.parseInt(fields[2])).isEqualTo(144);
    assertThat(stats.framesSent()).isEqualTo(FPS * SECONDS);
    assertThat(rec.video().framesCompleted()).isEqualTo(stats.framesSent());
    assertThat(Integer.parseInt(fields[3].trim())).as(rec.video() + "\n" + stats)
        .isBetween(FPS * SECONDS - 3, FPS * SECONDS);
    // the audio command's file (660 Hz), not the video file's tone (440 Hz)
    assertThat(Audio.dominantFrequencyHz(rec.pcm48kStereo(), 2, 48_000)).isCloseTo(660.0,
        Offset.offset(2.0));
    assertThat(rec.srtpFailures()).isZero();
  }

  @Test
  void anIvfAndAnOggFilePlayWithoutFfmpegPacedByTheirTimestamps() throws Exception {
    Path video = dir.resolve("camera.ivf");
    TestMedia.run(List.of("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
        "-f", "lavfi", "-i", "testsrc2=size=208x160:rate=" + FPS + ":duration=" + SECONDS,
        "-c:v", "libvpx", "-deadline", "realtime", "-g", "30", "-b:v", "300k", "-f", "ivf",
        video.toString()));
    Path audio = Media.tone(dir, "voice.ogg", 550, SECONDS);
    Path ivf = dir.resolve("received.ivf");
    GroupCall call = videoCall(ivf);
    call.setSource(MediaSource.ivf(video, audio));
    call.connect(sfu.answer(call.joinJson()));
    long start = System.nanoTime();
    Thread.sleep(500);
    assertThat(ProcessResources.ffmpegChildren()).as("ffmpeg processes while it plays").isZero();
    Thread.sleep(1_000);
    double avSyncMillis = sfu.recording().video().avSyncOffsetMillis(); // mid-stream

    assertThat(trackEvents.poll(20, TimeUnit.SECONDS)).isEqualTo("VIDEO CAMERA ok");
    long videoMillis = (System.nanoTime() - start) / 1_000_000L;
    assertThat(trackEvents.poll(5, TimeUnit.SECONDS)).isEqualTo("AUDIO MICROPHONE ok");
    VideoStats stats = call.videoStats();
    Recording rec = settle(call);
    Thread.sleep(200);
    assertThat(trackEvents).isEmpty();
    System.out.println("SeparateTracksVideoIT: IVF of " + SECONDS + " s played in " + videoMillis
        + " ms; A/V offset mid-stream " + avSyncMillis + " ms");
    assertThat(avSyncMillis).isBetween(-20.0, 120.0);

    // paced by the IVF timestamps, not sent as fast as the file reads
    assertThat(videoMillis).isGreaterThanOrEqualTo(SECONDS * 1000L - 100);
    String[] fields = probe(ivf);
    assertThat(fields[0]).isEqualTo("vp8");
    assertThat(Integer.parseInt(fields[1])).isEqualTo(208);
    assertThat(Integer.parseInt(fields[2])).isEqualTo(160);
    assertThat(stats.framesSent()).isEqualTo(FPS * SECONDS);
    assertThat(rec.video().framesCompleted()).isEqualTo(stats.framesSent());
    assertThat(Integer.parseInt(fields[3].trim())).as(rec.video() + "\n" + stats)
        .isBetween(FPS * SECONDS - 3, FPS * SECONDS);
    assertThat(Audio.dominantFrequencyHz(rec.pcm48kStereo(), 2, 48_000)).isCloseTo(550.0,
        Offset.offset(2.0));
    assertThat(rec.srtpFailures()).isZero();
  }

  @Test
  void aKilledVideoOnlyShellEndsItsVideoAndSilentAudioOnceWithTheCrash() throws Exception {
    GroupCall call = videoCall(dir.resolve("killed.ivf"));
    // -re: ffmpeg keeps pace with the input, so little is buffered when it is killed
    call.setSource(MediaSource.shell("ffmpeg -re -f lavfi -i testsrc=size=160x120:rate=30:duration=30",
        MediaSource.Track.VIDEO));
    String join = call.joinJson();
    int audioSsrc = call.audioSsrc();
    assertThat(join).as("video-only declares video").contains("\"semantics\":\"FID\"");
    call.connect(sfu.answer(join));
    for (int i = 0; i < 100 && call.videoStats().framesSent() < 15; i++) {
      Thread.sleep(50);
    }
    long framesBeforeKill = call.videoStats().framesSent();
    assertThat(framesBeforeKill).isGreaterThanOrEqualTo(15);
    ProcessHandle ffmpeg = ProcessHandle.current().children()
        .filter(h -> h.info().command().orElse("").endsWith("ffmpeg")).findFirst().orElseThrow();
    ffmpeg.destroyForcibly(); // SIGKILL: exit code 137

    assertThat(trackEvents.poll(15, TimeUnit.SECONDS)).startsWith("VIDEO CAMERA FfmpegCrashedException")
        .contains("SIGKILL");
    assertThat(trackEvents.poll(5, TimeUnit.SECONDS)).startsWith("AUDIO MICROPHONE FfmpegCrashedException");
    Thread.sleep(300);
    assertThat(trackEvents).as("once per track, no upgrade").isEmpty();
    Recording rec = sfu.recording();
    assertThat(rec.packetsBySsrc().getOrDefault(audioSsrc, 0L)).as("silence on the audio SSRC")
        .isGreaterThan(25);
    assertThat(rec.video().framesCompleted()).isGreaterThanOrEqualTo(framesBeforeKill);
  }
}
