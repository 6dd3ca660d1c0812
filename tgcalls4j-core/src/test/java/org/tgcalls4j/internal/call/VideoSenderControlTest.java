package org.tgcalls4j.internal.call;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.tgcalls4j.DtlsSetup;
import org.tgcalls4j.NetworkOptions;
import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.VideoStats;
import org.tgcalls4j.internal.dtls.DtlsCertificate;
import org.tgcalls4j.internal.ivf.IvfReader;
import org.tgcalls4j.internal.pacing.MediaTimeline;
import org.tgcalls4j.internal.pacing.NanoClock;
import org.tgcalls4j.internal.signaling.VideoSendParameters;
import org.tgcalls4j.internal.transport.EventLoops;

/**
 * The video track under the call's controls: mute (frames read on schedule, none sent, the
 * keep-alive goes on, the unmute waits for a keyframe) and pause (the frame held, no catch-up
 * burst on the old baseline after the resume).
 */
class VideoSenderControlTest {
  private static final EventLoops LOOPS = EventLoops.start(1, Thread::new);
  private static final int SSRC = 0x11223345;
  private static final VideoSendParameters PARAMS = new VideoSendParameters(100, 101, 2, 3, 13);
  private static final long FRAME_NANOS = 1_000_000_000L / 30;

  private final ExecutorService control = Executors.newSingleThreadExecutor();
  /** Media packets: {send time, frame index (the payload's fill byte), key (1) or delta (0)}. */
  private final List<long[]> frames = new ArrayList<>();
  private final List<Long> paddingNanos = new ArrayList<>();
  private final SourceSlot slot = new SourceSlot();
  private final MediaTimeline timeline = new MediaTimeline();
  private VideoSender sender;

  @AfterAll
  static void stopLoops() {
    LOOPS.close();
  }

  @AfterEach
  void tearDown() {
    slot.close();
    if (sender != null) {
      sender.close();
    }
    control.shutdownNow();
  }

  private VideoSender sender() {
    SessionConfig config = new SessionConfig(Path.of("/usr/bin/ffmpeg"),
        NetworkOptions.loopbackOnly(), 5_000, r -> new Thread(r), LOOPS, DtlsSetup.PASSIVE, 64,
        new SecureRandom(), System::currentTimeMillis, DtlsCertificate.generate(), control, 0,
        30_000, null, false, null);
    sender = new VideoSender(1, SSRC, SSRC + 1, PARAMS, slot, timeline, "cname1", config,
        LOOPS.wheel(LOOPS.next()), r -> new Thread(r), new RtpOutput() {
          @Override
          public boolean sendRtp(byte[] p) {
            long now = System.nanoTime();
            synchronized (frames) {
              if ((p[0] & 0x20) != 0) {
                paddingNanos.add(now);
              } else if ((p[1] & 0x80) != 0) { // the marker: a frame's last packet
                int fill = p[p.length - 1] & 0xFF;
                frames.add(new long[] {now, fill, keyIndices.contains(fill) ? 1 : 0});
              }
            }
            return true;
          }

          @Override
          public boolean sendRtpInPlace(byte[] buffer, int offset, int length) {
            return sendRtp(java.util.Arrays.copyOfRange(buffer, offset, offset + length));
          }

          @Override
          public boolean sendRtcp(byte[] packet) {
            return true;
          }
        }, NanoClock.SYSTEM);
    return sender;
  }

  private final java.util.Set<Integer> keyIndices = new java.util.HashSet<>();

  /**
   * An IVF stream at 30 fps (time base 1/30) of small frames filled with their index, a keyframe
   * every {@code keyEvery}.
   */
  private byte[] ivf(int count, int keyEvery) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] h = new byte[32];
    h[0] = 'D';
    h[1] = 'K';
    h[2] = 'I';
    h[3] = 'F';
    h[6] = 32;
    h[8] = 'V';
    h[9] = 'P';
    h[10] = '8';
    h[11] = '0';
    h[12] = 64;
    h[14] = 48;
    h[16] = 30;
    h[20] = 1;
    out.writeBytes(h);
    for (int i = 0; i < count; i++) {
      boolean key = i % keyEvery == 0;
      if (key) {
        keyIndices.add(i);
      }
      byte[] f = new byte[100];
      java.util.Arrays.fill(f, (byte) i);
      f[0] = (byte) (key ? 0x10 : 0x11); // RFC 7741 §4.3: P bit (bit 0) is 0 for a keyframe
      byte[] fh = new byte[12];
      fh[0] = (byte) f.length;
      fh[4] = (byte) i;
      out.writeBytes(fh);
      out.writeBytes(f);
    }
    return out.toByteArray();
  }

  private static final class Av implements AudioVideoSource {
    private final IvfReader video;

    Av(byte[] ivf) {
      video = new IvfReader(new ByteArrayInputStream(ivf));
    }

    @Override
    public IvfReader video() {
      return video;
    }

    @Override
    public byte[] nextFrame() {
      return null;
    }

    @Override
    public TgCallsException endError() {
      return null;
    }

    @Override
    public void close() {}
  }

  private static void sleepUntil(long nanos) throws InterruptedException {
    long left = nanos - System.nanoTime();
    if (left > 0) {
      Thread.sleep(left / 1_000_000L, (int) (left % 1_000_000L));
    }
  }

  private List<long[]> sentFrames() {
    synchronized (frames) {
      return List.copyOf(frames);
    }
  }

  @Test
  void admitSkipsWhileMutedAndAfterwardsUntilAKeyFrame() {
    VideoSender s = sender();
    assertThat(s.admit(false, false, 0)).as("never muted: delta frames go").isTrue();
    assertThat(s.admit(true, true, 1)).as("muted: not even a keyframe").isFalse();
    assertThat(s.admit(false, false, 2)).as("unmuted: a delta frame refers to skipped ones").isFalse();
    assertThat(s.admit(false, true, 3)).isTrue();
    assertThat(s.admit(false, false, 4)).isTrue();
  }

  @Test
  void aKeyFrameRequestedBeforeOrDuringAMuteIsTimedFromTheUnmute() {
    VideoSender s = sender();
    s.sendFrame(new byte[] {0x10, 1, 2}, 0, 3, 0, System.nanoTime());
    s.onRtcp(new org.tgcalls4j.internal.rtcp.RtcpPacket.Feedback(
        org.tgcalls4j.internal.rtcp.RtcpPacket.FeedbackType.PLI, 206, 1, 7, SSRC, new byte[0]));
    long unmuted = System.nanoTime() + 5_000_000_000L; // after a long mute
    assertThat(s.admit(true, false, unmuted - 1_000_000_000L)).isFalse();
    assertThat(s.admit(false, false, unmuted)).isFalse();
    assertThat(s.admit(false, false, unmuted + 33_000_000L)).isFalse();
    long key = unmuted + 66_000_000L;
    assertThat(s.admit(false, true, key)).isTrue();
    s.sendFrame(new byte[] {0x10, 1, 2}, 0, 3, 6000, key);

    assertThat(s.stats().lastKeyFrameDelayMillis()).as("from the unmute, not the request or the "
        + "last skipped frame").isEqualTo(66);
  }

  @Test
  void whileMutedFramesPassOnScheduleUnsentTheKeepAliveGoesOnAndTheUnmuteStartsAtAKeyFrame()
      throws Exception {
    Av av = new Av(ivf(80, 15)); // keyframes at 0, 15, ..., 75: every 0.5 s
    sender();
    slot.setMuted(true);
    long origin = System.nanoTime() + 50_000_000L;
    timeline.publish(av, origin); // as the audio sender would
    slot.replace(av, null);
    sender.start();
    sleepUntil(origin + 2_100_000_000L);
    VideoStats muted = sender.stats();
    slot.setMuted(false); // about frame 63: the next keyframe is 75, at 2.5 s
    long unmutedAt = System.nanoTime();
    sleepUntil(origin + 80 * FRAME_NANOS + 300_000_000L);

    List<long[]> sent = sentFrames();
    assertThat(muted.framesSent()).as("frames sent while muted").isZero();
    assertThat(muted.framesSkippedMuted()).as("frames read on schedule while muted")
        .isBetween(45L, 66L);
    assertThat(muted.keepalivesSent()).as("keep-alives at 0 s and 2 s").isGreaterThanOrEqualTo(2);
    assertThat(sent).isNotEmpty();
    assertThat(sent.get(0)[1]).as("the first frame after the unmute").isEqualTo(75);
    assertThat(sent.get(0)[2]).as("a keyframe").isEqualTo(1);
    assertThat(sent).extracting(f -> f[1]).containsExactly(75L, 76L, 77L, 78L, 79L);
    // it left on its own deadline: the clock ran on through the mute
    long lateness = sent.get(0)[0] - (origin + 75 * FRAME_NANOS);
    assertThat(lateness).isBetween(0L, 150_000_000L);
    assertThat(sent.get(0)[0]).isGreaterThan(unmutedAt);
    VideoStats stats = sender.stats();
    assertThat(stats.framesSkippedMuted()).isEqualTo(75);
    assertThat(stats.framesSent()).isEqualTo(5);
    assertThat(stats.keyFramesSent()).isEqualTo(1);
  }

  @Test
  void afterAResumeTheHeldFrameWaitsForTheAudiosNewBaselineWithoutABurst() throws Exception {
    Av av = new Av(ivf(30, 30));
    sender();
    long origin = System.nanoTime() + 50_000_000L;
    timeline.publish(av, origin, slot.stops()); // as the audio sender would
    slot.replace(av, null);
    sender.start();
    Thread.sleep(50 + 7 * 33 + 15); // frames 0..7 out
    long pausedAt = System.nanoTime();
    slot.setPaused(true);
    Thread.sleep(500);
    slot.setPaused(false);
    long resumedAt = System.nanoTime();
    // the audio sender notices the resume at its next idle poll (up to 20 ms later) and then
    // publishes its baseline moved by the time paused, for the new stop count
    Thread.sleep(20);
    long moved = origin + (resumedAt - pausedAt) + 20_000_000L;
    timeline.publish(av, moved, slot.stops());
    Thread.sleep(30 * 34 + 200);

    List<long[]> sent = sentFrames();
    assertThat(sent).extracting(f -> f[1]).as("every frame, once, in order")
        .containsExactlyElementsOf(java.util.stream.LongStream.range(0, 30).boxed().toList());
    long shortGaps = 0;
    long longestGap = 0;
    int firstAfterResume = -1;
    for (int i = 1; i < sent.size(); i++) {
      long gap = sent.get(i)[0] - sent.get(i - 1)[0];
      shortGaps += gap < 10_000_000L ? 1 : 0;
      longestGap = Math.max(longestGap, gap);
      if (firstAfterResume < 0 && sent.get(i)[0] > resumedAt) {
        firstAfterResume = i;
      }
    }
    // a burst on the old baseline would send the next ~15 frames at once; a late frame on a
    // loaded machine may leave close to its successor, so two short gaps are allowed
    assertThat(shortGaps).as("gaps under 10 ms").isLessThanOrEqualTo(2);
    assertThat(longestGap).as("the pause").isBetween(480_000_000L, 800_000_000L);
    assertThat(firstAfterResume).isPositive();
    long lateness = sent.get(firstAfterResume)[0]
        - (moved + sent.get(firstAfterResume)[1] * FRAME_NANOS);
    assertThat(lateness).as("the first frame after the resume, on the new baseline")
        .isBetween(0L, 150_000_000L);
  }
}
