package org.tgcalls4j.it;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.tgcalls4j.FfmpegCrashedException;
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
import org.tgcalls4j.testsfu.VideoRecording;

/**
 * Camera video in a group call against the test SFU: one ffmpeg per source, the FID pair of
 * group-call.md §5.3 in the join, VP8 that decodes, RTX answers to NACK (RFC 4588) and a keyframe
 * within a second of a PLI, with the audio still intact.
 */
@ExtendWith(LeakCheck.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class VideoCallIT {
  private static final long CHAT = 77;
  private static final int SECONDS = 5;

  @TempDir Path dir;
  private final BlockingQueue<Object> streamEnds = new LinkedBlockingQueue<>();
  /** Per-track ends and upgrades: "VIDEO CAMERA ok", "AUDIO MICROPHONE FfmpegCrashedException". */
  private final BlockingQueue<String> trackEvents = new LinkedBlockingQueue<>();
  private final BlockingQueue<TgCallsException> trackErrors = new LinkedBlockingQueue<>();
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

  /** 320x240 at 30 fps test pattern with a 440 Hz tone, made by ffmpeg's lavfi sources. */
  static Path clip(Path dir) throws Exception {
    return clip(dir, SECONDS);
  }

  /** As {@link #clip(Path)}, {@code seconds} long. */
  static Path clip(Path dir, int seconds) throws Exception {
    return Media.clip(dir, "clip" + seconds + ".mkv", "testsrc", "320x240", 30, 440, seconds);
  }

  private GroupCall videoCall(Path ivf) throws Exception {
    sfu = TestSfu.start(new TestSfu.Options(0, false, ivf));
    calls = TgCalls.builder()
        .networkOptions(NetworkOptions.loopbackOnly())
        .connectTimeout(Duration.ofSeconds(10))
        .streamListener(new StreamListener() {
          @Override
          public void onStreamEnd(long chatId, TgCallsException error) {
            streamEnds.add(error == null ? "ok" : error);
          }

          @Override
          public void onStreamEnd(Call call, StreamType type, StreamDevice device,
              TgCallsException error) {
            if (error != null) {
              trackErrors.add(error); // first: the test reads it once it has the event
            }
            trackEvents.add(type + " " + device + " "
                + (error == null ? "ok" : error.getClass().getSimpleName()));
            StreamListener.super.onStreamEnd(call, type, device, error); // the audio's: as before
          }

          @Override
          public void onUpgrade(Call call, MediaState state) {
            trackEvents.add("UPGRADE " + state);
          }
        })
        .build();
    return calls.createGroupCall(CHAT);
  }

  /** Waits until the SFU's reader has taken every video packet sent (it lags under load). */
  private Recording settledRecording(GroupCall call) throws InterruptedException {
    for (int i = 0; i < 100 && sfu.recording().video().packets() < call.videoStats().packetsSent(); i++) {
      Thread.sleep(100);
    }
    Thread.sleep(300);
    return sfu.recording();
  }

  @Test
  void aPauseHoldsBothTracksAndTheyResumeTogether() throws Exception {
    Path source = clip(dir);
    Path ivf = dir.resolve("paused.ivf");
    GroupCall call = videoCall(ivf);
    call.setSource(MediaSource.withVideo(MediaSource.file(source)));
    call.connect(sfu.answer(call.joinJson()));
    Thread.sleep(1_500);
    call.pause();
    Thread.sleep(300); // let what was in flight arrive
    long framesAtPause = sfu.recording().video().framesCompleted();
    Thread.sleep(1_000);
    long framesWhilePaused = sfu.recording().video().framesCompleted() - framesAtPause;
    call.resume();
    Thread.sleep(1_500);
    double avSyncMillis = sfu.recording().video().avSyncOffsetMillis();
    System.out.println("VideoCallIT: A/V offset after a pause: " + avSyncMillis + " ms");
    assertThat(streamEnds.poll(30, TimeUnit.SECONDS)).as("stream end").isEqualTo("ok");
    // once per track, the video first, and nothing for the user's pause and resume
    assertThat(trackEvents.poll(1, TimeUnit.SECONDS)).isEqualTo("VIDEO CAMERA ok");
    assertThat(trackEvents.poll(1, TimeUnit.SECONDS)).isEqualTo("AUDIO MICROPHONE ok");
    VideoStats stats = call.videoStats();
    Recording rec = settledRecording(call);
    sfu.close();

    assertThat(framesWhilePaused).as("frames sent during the pause").isLessThanOrEqualTo(1);
    assertThat(stats.framesSent()).as("no frame lost to the pause").isEqualTo(30L * SECONDS);
    assertThat(rec.video().framesCompleted()).isEqualTo(stats.framesSent());
    assertThat(avSyncMillis).isBetween(-20.0, 120.0);
    assertThat(Audio.dominantFrequencyHz(rec.pcm48kStereo(), 2, 48_000)).isCloseTo(440.0,
        Offset.offset(2.0));
  }

  @Test
  void cameraVideoDecodesAndNackAndPliAreAnswered() throws Exception {
    Path source = clip(dir);
    Path ivf = dir.resolve("received.ivf");
    GroupCall call = videoCall(ivf);
    call.setSource(MediaSource.withVideo(MediaSource.file(source)));
    assertThat(ProcessResources.ffmpegChildren()).as("ffmpeg processes for one source").isEqualTo(1);

    String join = call.joinJson();
    int audio = call.audioSsrc();
    assertThat(join).contains("\"ssrc-groups\":[{\"semantics\":\"FID\",\"sources\":["
        + (audio + 1) + "," + (audio + 2) + "]}]");
    call.connect(sfu.answer(join));

    // NACK a packet that was sent a moment ago; the SFU checks the RTX copy byte for byte
    Thread.sleep(2_000);
    List<Integer> recent = sfu.recentVideoSequenceNumbers(40);
    assertThat(recent).as("%s %s", sfu.recording().video(), call.videoStats())
        .hasSizeGreaterThan(20);
    int nacked = recent.get(recent.size() - 15);
    sfu.sendNack(nacked);
    long beforePli = sfu.sendPli();
    assertThat(beforePli).isNotNegative();
    // ffmpeg may already be done: a short file fits in the loopback socket buffers
    assertThat(ProcessResources.ffmpegChildren()).as("ffmpeg processes while playing").isLessThanOrEqualTo(1);
    Thread.sleep(1_500);
    // mid-stream: after the end the audio's reports keep its last packet's timestamp while the
    // wall clock runs on, which no longer says anything about sync
    double avSyncMillis = sfu.recording().video().avSyncOffsetMillis();
    System.out.println("VideoCallIT: A/V offset from sender reports, mid-stream: " + avSyncMillis + " ms");

    assertThat(streamEnds.poll(30, TimeUnit.SECONDS)).as("stream end").isEqualTo("ok");
    // on an overloaded machine the SFU's reader can be seconds behind: wait until it has read
    // every video packet sent (they sit in its socket buffer), at most 10 s
    VideoStats stats = call.videoStats();
    Recording rec = sfu.recording();
    for (int i = 0; i < 100 && rec.video().packets() < stats.packetsSent(); i++) {
      Thread.sleep(100);
      stats = call.videoStats();
      rec = sfu.recording();
    }
    Thread.sleep(300);
    stats = call.videoStats();
    rec = sfu.recording();
    sfu.close(); // flushes the IVF file
    VideoRecording video = rec.video();

    assertThat(video.videoSsrc()).isEqualTo(audio + 1);
    assertThat(video.payloadTypeSeen()).isEqualTo(100);
    assertThat(video.absSendTimeSeen()).isTrue();
    assertThat(video.rtxOriginalSequenceNumbers()).contains(nacked);
    assertThat(video.rtxPayloadMismatches()).isZero();
    assertThat(video.rtxPayloadTypeSeen()).isEqualTo(101);
    assertThat(stats.rtxPacketsSent()).isGreaterThanOrEqualTo(1);
    assertThat(stats.nacksReceived()).isGreaterThanOrEqualTo(1); // the SFU also NACKs losses itself

    // a keyframe follows the PLI within 1 s of media time (the source's keyframe interval)
    assertThat(stats.pliReceived()).isEqualTo(1);
    long keyAfterPli = video.keyFrameRtpTimestamps().stream()
        .filter(ts -> ((ts - beforePli) & 0xFFFF_FFFFL) < 0x8000_0000L && ts != beforePli)
        .findFirst().orElseThrow();
    assertThat((keyAfterPli - beforePli) & 0xFFFF_FFFFL).as("90 kHz ticks from PLI to keyframe")
        .isLessThanOrEqualTo(90_000L + 3_000L);
    // wall clock on the client: the 1 s of media time above plus scheduling delay on a loaded machine
    assertThat(stats.lastKeyFrameDelayMillis()).isBetween(0L, 2_000L);

    // the received IVF decodes: VP8, 320x240, about 30 frames a second
    String probe = TestMedia.run(List.of("ffprobe", "-v", "error", "-count_frames",
        "-select_streams", "v:0",
        "-show_entries", "stream=codec_name,width,height,nb_read_frames", "-of", "csv=p=0",
        ivf.toString())).trim();
    String[] fields = probe.split(",");
    assertThat(fields[0]).isEqualTo("vp8");
    assertThat(Integer.parseInt(fields[1])).isEqualTo(320);
    assertThat(Integer.parseInt(fields[2])).isEqualTo(240);
    assertThat(Integer.parseInt(fields[3].trim())).as(video + "\n" + stats + "\n" + rec.packetsBySsrc()).isBetween(30 * SECONDS - 3, 30 * SECONDS + 1);
    assertThat(video.framesCompleted()).isEqualTo(stats.framesSent());

    // the audio of the same ffmpeg process still arrives intact
    assertThat(Audio.dominantFrequencyHz(rec.pcm48kStereo(), 2, 48_000)).isCloseTo(440.0,
        Offset.offset(2.0));
    assertThat(rec.srtpFailures()).isZero();

    // lip sync: the two tracks' sender reports map one NTP instant to the same media position
    // (both compute the RTP time of their instant on the shared baseline; the range is the one
    // from when the audio's report carried its last packet's timestamp, late by the sender's
    // lateness; AiortcVideoIT checks sync from content)
    assertThat(avSyncMillis).isBetween(-20.0, 120.0);
  }

  private static List<ProcessHandle> ffmpegProcesses() {
    return ProcessHandle.current().descendants()
        .filter(ProcessHandle::isAlive)
        .filter(h -> h.info().command().orElse("").endsWith("ffmpeg"))
        .toList();
  }

  @Test
  void aKilledFfmpegEndsEachTrackOnceWithItsCrashErrorAndSourceChangesAndStopEndNothing()
      throws Exception {
    // ffmpeg is not paced: it runs ahead as far as the sockets take, so it may finish a clip in
    // seconds, and everything it wrote before the kill plays out before the ends are reported.
    // The clip is long enough to be still encoding right after the source change, where it is
    // killed, and short enough for the play-out to end well within the 30 s waited below.
    Path source = clip(dir, 20);
    GroupCall call = videoCall(dir.resolve("killed.ivf"));
    call.setSource(MediaSource.withVideo(MediaSource.file(source)));
    call.connect(sfu.answer(call.joinJson()));
    Thread.sleep(1_500);

    // a source change mid-stream: the old ffmpeg is closed, which ends nothing
    java.util.Set<Long> before = new java.util.HashSet<>();
    ffmpegProcesses().forEach(h -> before.add(h.pid()));
    call.setSource(MediaSource.withVideo(MediaSource.file(source)));
    List<ProcessHandle> running = List.of();
    for (int i = 0; i < 100 && running.isEmpty(); i++) { // 5 s at most
      Thread.sleep(50);
      running = ffmpegProcesses().stream().filter(h -> !before.contains(h.pid())).toList();
    }
    assertThat(running).as("ffmpeg of the current source").hasSize(1);
    long framesAtChange = call.videoStats().framesSent();
    for (int i = 0; i < 60 && call.videoStats().framesSent() < framesAtChange + 3; i++) {
      Thread.sleep(50); // until the new source's first frames went out (3 s at most)
    }
    assertThat(trackEvents).as("after a source change").isEmpty();
    long framesBeforeKill = call.videoStats().framesSent();

    running.get(0).destroyForcibly(); // SIGKILL: exit code 137
    // what ffmpeg wrote before it died is still in the sockets and plays out first
    assertThat(trackEvents.poll(30, TimeUnit.SECONDS)).isEqualTo("VIDEO CAMERA FfmpegCrashedException");
    assertThat(trackEvents.poll(5, TimeUnit.SECONDS)).isEqualTo("AUDIO MICROPHONE FfmpegCrashedException");
    assertThat(trackErrors).hasSize(2).allSatisfy(e -> assertThat(e)
        .isInstanceOfSatisfying(FfmpegCrashedException.class,
            c -> assertThat(c.exitCode()).isEqualTo(137)));
    assertThat(streamEnds.poll(1, TimeUnit.SECONDS)).as("the one end an old listener hears")
        .isInstanceOf(FfmpegCrashedException.class);
    // the end is reported when the video stops: nothing is sent after it (whether ffmpeg had
    // written frames ahead before the kill depends on how fast it encoded on this machine)
    long framesAtEnd = call.videoStats().framesSent();
    assertThat(framesAtEnd).isGreaterThanOrEqualTo(framesBeforeKill);
    Thread.sleep(500);
    assertThat(call.videoStats().framesSent()).as("frames after the end was reported")
        .isEqualTo(framesAtEnd);

    // a stop while a source plays ends nothing either
    call.setSource(MediaSource.withVideo(MediaSource.file(source)));
    Thread.sleep(1_000);
    call.stop();
    Thread.sleep(1_000);
    assertThat(trackEvents).as("after the crash, a new source and a stop").isEmpty();
    assertThat(streamEnds).isEmpty();
    assertThat(ProcessResources.ffmpegChildren()).isZero();
  }

  @Test
  void aPresentationsVideoEndsAsTheScreen() throws Exception {
    Path source = clip(dir, 2);
    videoCall(dir.resolve("screen.ivf")); // the chat's main call exists, unconnected
    GroupCall screen = calls.createPresentation(CHAT);
    screen.setSource(MediaSource.withVideo(MediaSource.file(source)));
    screen.connect(sfu.answer(screen.joinJson()));

    assertThat(trackEvents.poll(20, TimeUnit.SECONDS)).isEqualTo("VIDEO SCREEN ok");
    assertThat(trackEvents.poll(5, TimeUnit.SECONDS)).isEqualTo("AUDIO MICROPHONE ok");
    assertThat(streamEnds.poll(1, TimeUnit.SECONDS)).isEqualTo("ok");
    assertThat(screen.videoStats().framesSent()).isEqualTo(60);
  }
}
