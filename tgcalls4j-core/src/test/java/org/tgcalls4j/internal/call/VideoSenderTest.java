package org.tgcalls4j.internal.call;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
import org.tgcalls4j.internal.rtcp.RtcpPacket;
import org.tgcalls4j.internal.rtcp.RtcpPackets;
import org.tgcalls4j.internal.signaling.VideoSendParameters;
import org.tgcalls4j.internal.transport.EventLoops;

/** The video track: RFC 4588 retransmissions, extensions, keyframe requests, pacing on the shared baseline. */
class VideoSenderTest {
  private static final EventLoops LOOPS = EventLoops.start(1, Thread::new);

  @org.junit.jupiter.api.AfterAll
  static void stopLoops() {
    LOOPS.close();
  }

  private static final int SSRC = 0x11223345;
  private static final int RTX_SSRC = 0x11223346;
  private static final VideoSendParameters PARAMS = new VideoSendParameters(100, 101, 2, 3, 13);

  private final ExecutorService control = Executors.newSingleThreadExecutor();
  private final List<byte[]> rtp = new ArrayList<>();
  private final List<Long> rtpNanos = new ArrayList<>();
  private final List<byte[]> rtcp = new ArrayList<>();
  private final SourceSlot slot = new SourceSlot();
  private final MediaTimeline timeline = new MediaTimeline();
  private VideoSender sender;

  @AfterEach
  void tearDown() {
    slot.close();
    if (sender != null) {
      sender.close();
    }
    control.shutdownNow();
  }

  private VideoSender sender(VideoSendParameters params) {
    return sender(params, (av, error) -> { });
  }

  private VideoSender sender(VideoSendParameters params, VideoSender.VideoEndListener onEnd) {
    SessionConfig config = new SessionConfig(Path.of("/usr/bin/ffmpeg"), NetworkOptions.loopbackOnly(),
        5_000, r -> new Thread(r), LOOPS, DtlsSetup.PASSIVE, 64, new SecureRandom(), System::currentTimeMillis,
        DtlsCertificate.generate(), control, 0, 30_000, null, false, null);
    sender = new VideoSender(1, SSRC, RTX_SSRC, params, slot, timeline, "cname1", config,
        LOOPS.wheel(LOOPS.next()), r -> new Thread(r), new RtpOutput() {
          @Override
          public boolean sendRtp(byte[] packet) {
            synchronized (rtp) {
              rtp.add(packet.clone());
              rtpNanos.add(System.nanoTime());
            }
            return true;
          }

          @Override
          public boolean sendRtpInPlace(byte[] buffer, int offset, int length) {
            return sendRtp(java.util.Arrays.copyOfRange(buffer, offset, offset + length));
          }

          @Override
          public boolean sendRtcp(byte[] packet) {
            synchronized (rtcp) {
              rtcp.add(packet.clone());
            }
            return true;
          }
        }, NanoClock.SYSTEM, onEnd);
    return sender;
  }

  private static byte[] frame(boolean key, int length, int fill) {
    byte[] f = new byte[length];
    Arrays.fill(f, (byte) fill);
    f[0] = (byte) (key ? 0x10 : 0x11); // RFC 7741 §4.3: P bit (bit 0) is 0 for a keyframe
    return f;
  }

  private static int seq(byte[] p) {
    return ((p[2] & 0xFF) << 8) | (p[3] & 0xFF);
  }

  private static int ssrc(byte[] p) {
    return ((p[8] & 0xFF) << 24) | ((p[9] & 0xFF) << 16) | ((p[10] & 0xFF) << 8) | (p[11] & 0xFF);
  }

  private static int headerLength(byte[] p) {
    int length = 12;
    if ((p[0] & 0x10) != 0) {
      length += 4 + 4 * (((p[14] & 0xFF) << 8) | (p[15] & 0xFF));
    }
    return length;
  }

  /** RFC 4585 §6.2.1 generic NACK with one PID and a BLP. */
  private static RtcpPacket.Feedback nack(int mediaSsrc, int pid, int blp) {
    byte[] fci = {(byte) (pid >>> 8), (byte) pid, (byte) (blp >>> 8), (byte) blp};
    return new RtcpPacket.Feedback(RtcpPacket.FeedbackType.NACK, 205, 1, 7, mediaSsrc, fci);
  }

  private static RtcpPacket.Feedback pli() {
    return new RtcpPacket.Feedback(RtcpPacket.FeedbackType.PLI, 206, 1, 7, SSRC, new byte[0]);
  }

  @Test
  void aNackedPacketIsRetransmittedOnTheRtxSsrcWithItsOriginalSequenceNumberFirst() {
    VideoSender s = sender(PARAMS);
    s.sendFrame(frame(true, 3000, 0x55), 0, 3000, 0, System.nanoTime());
    assertThat(rtp).hasSize(3);
    byte[] second = rtp.get(1);

    s.onRtcp(nack(SSRC, seq(second), 0));

    assertThat(rtp).hasSize(4);
    byte[] rtx = rtp.get(3);
    assertThat(ssrc(rtx)).isEqualTo(RTX_SSRC);
    assertThat(rtx[1] & 0x7F).isEqualTo(101);
    int h = headerLength(rtx);
    assertThat(h).isEqualTo(headerLength(second));
    assertThat(((rtx[h] & 0xFF) << 8) | (rtx[h + 1] & 0xFF)).as("OSN").isEqualTo(seq(second));
    assertThat(Arrays.copyOfRange(rtx, h + 2, rtx.length))
        .isEqualTo(Arrays.copyOfRange(second, h, second.length));
    assertThat(Arrays.copyOfRange(rtx, 4, 8)).as("timestamp").isEqualTo(Arrays.copyOfRange(second, 4, 8));
    assertThat(s.stats().rtxPacketsSent()).isEqualTo(1);
    assertThat(s.stats().nacksReceived()).isEqualTo(1);
  }

  @Test
  void aRepeatedNackWithin100MsIsNotAnsweredAndUnknownSequencesAreCounted() {
    VideoSender s = sender(PARAMS);
    s.sendFrame(frame(true, 3000, 1), 0, 3000, 0, System.nanoTime());
    int first = seq(rtp.get(0));
    // PID = first, BLP bits 0 and 1: first+1, first+2 (all three sent), bit 3: first+4 (never sent)
    s.onRtcp(nack(SSRC, first, 0b1011));
    s.onRtcp(nack(SSRC, first, 0));

    assertThat(rtp).hasSize(3 + 3);
    List<Integer> osns = new ArrayList<>();
    for (byte[] p : rtp.subList(3, 6)) {
      int h = headerLength(p);
      osns.add(((p[h] & 0xFF) << 8) | (p[h + 1] & 0xFF));
      assertThat(ssrc(p)).isEqualTo(RTX_SSRC);
    }
    assertThat(osns).containsExactly(first, (first + 1) & 0xFFFF, (first + 2) & 0xFFFF);
    assertThat(seq(rtp.get(4))).isEqualTo((seq(rtp.get(3)) + 1) & 0xFFFF); // RTX's own sequence
    assertThat(s.stats().nackedPacketsMissing()).isEqualTo(1);
  }

  @Test
  void withoutRtxInTheAnswerNacksAreOnlyCounted() {
    VideoSender s = sender(new VideoSendParameters(100, -1, 2, 0, 0));
    s.sendFrame(frame(true, 100, 1), 0, 100, 0, System.nanoTime());
    s.onRtcp(nack(SSRC, seq(rtp.get(0)), 0));
    assertThat(rtp).hasSize(1);
    assertThat(s.stats().nackedPacketsMissing()).isEqualTo(1);
  }

  @Test
  void everyPacketCarriesAbsSendTimeAndTheLastOfAFrameTheOrientation() {
    VideoSender s = sender(PARAMS);
    s.sendFrame(frame(true, 3000, 1), 0, 3000, 0, 5_250_000_000L);
    for (int i = 0; i < 3; i++) {
      byte[] p = rtp.get(i);
      assertThat(p[0] & 0x10).as("X bit").isNotZero();
      assertThat(((p[12] & 0xFF) << 8) | (p[13] & 0xFF)).isEqualTo(0xBEDE);
      assertThat(p[16] & 0xFF).isEqualTo(2 << 4 | 2);
      // 5.25 s in 6.18 fixed point: 5 << 18 | 0.25 << 18
      int abs = ((p[17] & 0xFF) << 16) | ((p[18] & 0xFF) << 8) | (p[19] & 0xFF);
      assertThat(abs).isEqualTo((5 << 18) + (1 << 16));
      boolean last = i == 2;
      assertThat((p[1] & 0x80) != 0).as("marker").isEqualTo(last);
      assertThat(headerLength(p)).isEqualTo(last ? 24 : 20); // one extension word, or two with CVO
      if (last) {
        assertThat((p[20] & 0xF0) >>> 4).isEqualTo(13);
      }
      // the VP8 descriptor follows the extension block: X=1 and S=1 on the first packet only
      int h = headerLength(p);
      assertThat(p[h] & 0x90).isEqualTo(i == 0 ? 0x90 : 0x80);
      assertThat(p.length - h).isLessThanOrEqualTo(1200);
    }
  }

  @Test
  void aPliIsServedByTheNextKeyFrameAndRequestsWhileOneIsPendingAreCoalesced() throws Exception {
    VideoSender s = sender(PARAMS);
    s.sendFrame(frame(true, 100, 1), 0, 100, 0, System.nanoTime());
    s.onRtcp(pli());
    s.onRtcp(new RtcpPacket.Feedback(RtcpPacket.FeedbackType.FIR, 206, 4, 7, 0, new byte[8]));
    s.sendFrame(frame(false, 100, 1), 0, 100, 3000, System.nanoTime());
    assertThat(s.stats().lastKeyFrameDelayMillis()).isEqualTo(-1);
    Thread.sleep(50);
    s.sendFrame(frame(true, 100, 1), 0, 100, 6000, System.nanoTime());

    VideoStats stats = s.stats();
    assertThat(stats.pliReceived()).isEqualTo(1);
    assertThat(stats.firReceived()).isEqualTo(1);
    assertThat(stats.keyFrameRequestsCoalesced()).isEqualTo(1);
    assertThat(stats.lastKeyFrameDelayMillis()).isBetween(45L, 1000L);
    assertThat(stats.keyFramesSent()).isEqualTo(2);
    assertThat(stats.framesSent()).isEqualTo(3);
  }

  @Test
  void rembIsExposed() {
    VideoSender s = sender(PARAMS);
    // "REMB", 1 SSRC, exponent 2, mantissa 250000 -> 1,000,000 bit/s
    byte[] fci = {'R', 'E', 'M', 'B', 1, (byte) (2 << 2 | (250000 >>> 16)), (byte) (250000 >>> 8),
        (byte) 250000, 0x11, 0x22, 0x33, 0x45};
    List<RtcpPacket> parsed = RtcpPackets.parseCompound(psfb(15, fci), 0, 8 + 4 + fci.length);
    s.onRtcp(parsed.get(0));
    assertThat(s.stats().rembBitrateBps()).isEqualTo(1_000_000L);
  }

  private static byte[] psfb(int fmt, byte[] fci) {
    int words = (12 + fci.length) / 4 - 1;
    byte[] b = new byte[12 + fci.length];
    b[0] = (byte) (0x80 | fmt);
    b[1] = (byte) 206;
    b[2] = (byte) (words >>> 8);
    b[3] = (byte) words;
    System.arraycopy(fci, 0, b, 12, fci.length);
    return b;
  }

  /** An IVF stream of {@code frames} frames at 30 fps (time base 1/30), a keyframe every 30. */
  static byte[] ivf(int frames) {
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
    for (int i = 0; i < frames; i++) {
      byte[] f = frame(i % 30 == 0, 200, i);
      byte[] fh = new byte[12];
      fh[0] = (byte) f.length;
      fh[1] = (byte) (f.length >>> 8);
      fh[4] = (byte) i;
      out.writeBytes(fh);
      out.writeBytes(f);
    }
    return out.toByteArray();
  }

  private static final class Av implements AudioVideoSource {
    private final IvfReader video;

    Av(byte[] ivf) {
      this(new ByteArrayInputStream(ivf));
    }

    Av(java.io.InputStream ivf) {
      video = new IvfReader(ivf);
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

  @Test
  void framesLeaveOnTheSharedBaselineAtTheirPts() throws Exception {
    Av av = new Av(ivf(12));
    VideoSender s = sender(PARAMS);
    long origin = System.nanoTime() + 100_000_000L;
    timeline.publish(av, origin); // as the audio sender would
    slot.replace(av, null);
    s.start();
    Thread.sleep(100 + 12 * 34 + 200);

    List<Long> frameStarts = new ArrayList<>();
    int previousTimestamp = 0;
    synchronized (rtp) {
      for (int i = 0; i < rtp.size(); i++) {
        byte[] p = rtp.get(i);
        if ((p[0] & 0x20) != 0) {
          continue; // keep-alive padding
        }
        int ts = ((p[4] & 0xFF) << 24) | ((p[5] & 0xFF) << 16) | ((p[6] & 0xFF) << 8) | (p[7] & 0xFF);
        if (!frameStarts.isEmpty()) {
          assertThat(ts - previousTimestamp).isEqualTo(3000); // 90 kHz / 30 fps
        }
        previousTimestamp = ts;
        frameStarts.add(rtpNanos.get(i));
      }
    }
    assertThat(frameStarts).hasSize(12);
    // never early; late only by scheduling delay (bounds generous for a loaded 2-core machine)
    int punctual = 0;
    for (int i = 0; i < 12; i++) {
      long deadline = origin + i * 1_000_000_000L / 30;
      long lateness = frameStarts.get(i) - deadline;
      assertThat(lateness).as("frame %d lateness", i).isBetween(0L, 150_000_000L);
      punctual += lateness < 20_000_000L ? 1 : 0;
    }
    assertThat(punctual).as("frames within 20 ms of their deadline").isGreaterThanOrEqualTo(6);
    assertThat(sender.stats().framesSent()).isEqualTo(12);
  }

  @Test
  void whenTheAudioRebasesTheVideoFollowsWithoutABurst() throws Exception {
    Av av = new Av(ivf(20));
    VideoSender s = sender(PARAMS);
    long origin = System.nanoTime() + 50_000_000L;
    timeline.publish(av, origin);
    slot.replace(av, null);
    s.start();
    Thread.sleep(50 + 5 * 33 + 10); // about 6 frames out
    long moved = origin + 300_000_000L; // as after a stall of the audio: 300 ms later
    timeline.publish(av, moved);
    Thread.sleep(300 + 20 * 34 + 200);

    List<Long> sent = new ArrayList<>();
    synchronized (rtp) {
      for (int i = 0; i < rtp.size(); i++) {
        if ((rtp.get(i)[0] & 0x20) == 0) {
          sent.add(rtpNanos.get(i));
        }
      }
    }
    assertThat(sent).hasSize(20);
    // the last frame leaves on the moved baseline, not 300 ms early on the old one
    long lastDeadline = moved + 19 * 1_000_000_000L / 30;
    assertThat(sent.get(19) - lastDeadline).isBetween(0L, 150_000_000L);
    // no burst: gaps stay near 33 ms or the one jump of about 300 ms (a late frame under load may
    // leave close to its successor, so allow two short gaps)
    long shortGaps = 0;
    long longestGap = 0;
    for (int i = 1; i < 20; i++) {
      long gap = sent.get(i) - sent.get(i - 1);
      shortGaps += gap < 10_000_000L ? 1 : 0;
      longestGap = Math.max(longestGap, gap);
    }
    assertThat(shortGaps).isLessThanOrEqualTo(2);
    assertThat(longestGap).as("the jump").isBetween(280_000_000L, 500_000_000L);
  }

  @Test
  void withoutAnAudioBaselineTheVideoSetsItsOwnAfterOneSecond() throws Exception {
    Av av = new Av(ivf(3));
    VideoSender s = sender(PARAMS);
    long start = System.nanoTime();
    slot.replace(av, null);
    s.start();
    Thread.sleep(1_400);
    assertThat(sender.stats().framesSent()).isEqualTo(3);
    assertThat(timeline.originNanos(av) - start).isBetween(900_000_000L, 1_200_000_000L);
  }

  @Test
  void sendsSenderReportsWithTheSharedCnameAndAKeepAliveWhenThereIsNoVideo() throws Exception {
    VideoSender s = sender(PARAMS);
    s.sendFrame(frame(true, 100, 1), 0, 100, 0, System.nanoTime());
    s.start(); // no source: keep-alives and reports only
    Thread.sleep(2_300);
    assertThat(s.stats().keepalivesSent()).isGreaterThanOrEqualTo(1);
    byte[] padding;
    synchronized (rtp) {
      padding = rtp.get(rtp.size() - 1);
    }
    assertThat(padding[0] & 0x20).as("P bit").isNotZero();
    assertThat(ssrc(padding)).isEqualTo(SSRC);
    assertThat(padding.length).isEqualTo(12 + (padding[padding.length - 1] & 0xFF));
    List<RtcpPacket> report;
    synchronized (rtcp) {
      assertThat(rtcp).isNotEmpty();
      report = RtcpPackets.parseCompound(rtcp.get(0), 0, rtcp.get(0).length);
    }
    assertThat(((RtcpPacket.SenderReport) report.get(0)).ssrc()).isEqualTo(SSRC);
    assertThat(((RtcpPacket.SourceDescription) report.get(1)).chunks().get(0).cname()).isEqualTo("cname1");
  }

  /** How long a task posted to the sender's loop waits to run, ms. */
  private static long loopDelayMillis() throws Exception {
    long start = System.nanoTime();
    LOOPS.next().submit(() -> { }).get(5, java.util.concurrent.TimeUnit.SECONDS);
    return (System.nanoTime() - start) / 1_000_000L;
  }

  @Test
  void aStalledFfmpegStreamAndAWaitingEndReportNeverHoldTheLoopAndNoVideoThreadRuns()
      throws Exception {
    // 5 frames, then a stream that stalls as a stuck ffmpeg's socket does, until released
    java.util.concurrent.CountDownLatch unstall = new java.util.concurrent.CountDownLatch(1);
    java.io.InputStream stalling = new java.io.SequenceInputStream(
        new ByteArrayInputStream(ivf(5)), new java.io.InputStream() {
          @Override
          public int read() throws java.io.IOException {
            try {
              unstall.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return -1; // then a clean end
          }
        });
    Av av = new Av(stalling);
    java.util.concurrent.CountDownLatch endTold = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch releaseEnd = new java.util.concurrent.CountDownLatch(1);
    List<String> endThreads = new java.util.concurrent.CopyOnWriteArrayList<>();
    VideoSender s = sender(PARAMS, (source, error) -> {
      endThreads.add(Thread.currentThread().getName() + " " + error);
      endTold.countDown();
      releaseEnd.await(); // as TrackEnds waits for ffmpeg to exit
    });
    timeline.publish(av, System.nanoTime());
    slot.replace(av, null);
    s.start();
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
        .until(() -> s.stats().framesSent() == 5);

    Thread.sleep(200); // the reader now waits on the stalled stream
    assertThat(loopDelayMillis()).as("the loop while the stream stalls").isLessThan(500);
    assertThat(java.util.Arrays.stream(Thread.getAllStackTraces().keySet().toArray(new Thread[0]))
        .map(Thread::getName)).as("threads").noneMatch(n -> n.startsWith("tgcalls4j-video"));

    unstall.countDown();
    assertThat(endTold.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(loopDelayMillis()).as("the loop while the end's report waits").isLessThan(500);
    assertThat(endThreads).containsExactly("tgcalls4j-read-video-1 null");
    long keepalives = s.stats().keepalivesSent();
    Thread.sleep(2_300); // the sender goes on meanwhile: a keep-alive after 2 s without video
    assertThat(s.stats().keepalivesSent()).isGreaterThan(keepalives);
    releaseEnd.countDown();
    assertThat(s.stats().framesSent()).isEqualTo(5);
  }
}
