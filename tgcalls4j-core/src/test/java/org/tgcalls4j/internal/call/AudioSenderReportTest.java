package org.tgcalls4j.internal.call;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.tgcalls4j.ConnectionState;
import org.tgcalls4j.DtlsSetup;
import org.tgcalls4j.NetworkOptions;
import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.internal.dtls.DtlsCertificate;
import org.tgcalls4j.internal.ogg.OpusPacket;
import org.tgcalls4j.internal.rtcp.RtcpPacket;
import org.tgcalls4j.internal.rtcp.RtcpPackets;
import org.tgcalls4j.internal.transport.EventLoops;

/**
 * The audio sender's RTCP sender reports map NTP time to the RTP time of that instant on the
 * pacing baseline (RFC 3550 §6.4.1), also when the frame just sent left late: a live source that
 * delivers one frame 80 ms late (well below the pacer's 200 ms rebase threshold, so the frames
 * after it catch up) must not make the report that follows it map the late frame's timestamp to
 * the later time, which a receiver's lip sync reads as audio 80 ms late against the video.
 */
class AudioSenderReportTest {
  private static final EventLoops LOOPS = EventLoops.start(1, Thread::new);
  private static final long FRAME_NANOS = 20_000_000L;
  private static final int LATE_FRAME = 50; // due at 1.0 s, when the second report is due too
  private static final long LATENESS_NANOS = 80_000_000L;

  @AfterAll
  static void stopLoops() {
    LOOPS.close();
  }

  private final ExecutorService control = Executors.newSingleThreadExecutor();
  private final List<byte[]> reports = new ArrayList<>();
  private AudioSender sender;

  @AfterEach
  void tearDown() {
    if (sender != null) {
      sender.close();
    }
    control.shutdownNow();
  }

  /** A live source: frame i is ready at start + i x 20 ms, frame {@link #LATE_FRAME} later. */
  private static final class LiveFrames implements OpusFrameSource {
    private long startNanos = -1;
    private int index;

    @Override
    public byte[] nextFrame() throws java.io.IOException {
      if (startNanos < 0) {
        startNanos = System.nanoTime();
      }
      long readyNanos = startNanos + index * FRAME_NANOS
          + (index == LATE_FRAME ? LATENESS_NANOS : 0);
      long wait;
      while ((wait = readyNanos - System.nanoTime()) > 0) {
        java.util.concurrent.locks.LockSupport.parkNanos(wait);
        if (Thread.interrupted()) {
          throw new java.io.InterruptedIOException();
        }
      }
      index++;
      return OpusPacket.silence(960);
    }

    @Override
    public TgCallsException endError() {
      return null;
    }

    @Override
    public void close() {}
  }

  @Test
  void aReportAfterALateFrameMapsNowNotTheLateFramesTimestamp() throws Exception {
    SourceSlot slot = new SourceSlot();
    slot.replace(new LiveFrames(), null);
    // the reports' wall clock runs on the pacing clock, so only the mapping is compared
    SessionConfig config = new SessionConfig(Path.of("/usr/bin/ffmpeg"),
        NetworkOptions.loopbackOnly(), 5_000, r -> new Thread(r), LOOPS, DtlsSetup.PASSIVE, 64,
        new SecureRandom(), () -> System.nanoTime() / 1_000_000L, DtlsCertificate.generate(),
        control, 0, 30_000, null, false, null);
    sender = new AudioSender(1, 1234, 111, 1, slot, config, LOOPS.wheel(LOOPS.next()),
        r -> new Thread(r), new SessionEvents() {
          @Override
          public void onState(ConnectionState state, TgCallsException cause) {}

          @Override
          public void onStreamEnd(TgCallsException error) {}
        }, new RtpOutput() {
          @Override
          public boolean sendRtp(byte[] rtp) {
            return true;
          }

          @Override
          public boolean sendRtpInPlace(byte[] buffer, int offset, int length) {
            return true;
          }

          @Override
          public boolean sendRtcp(byte[] rtcp) {
            synchronized (reports) {
              reports.add(rtcp.clone());
            }
            return true;
          }
        }, e -> { }, System::nanoTime);
    sender.start();
    Thread.sleep(2_300);
    sender.close();

    List<RtcpPacket.SenderReport> srs = new ArrayList<>();
    synchronized (reports) {
      for (byte[] r : reports) {
        srs.add((RtcpPacket.SenderReport) RtcpPackets.parseCompound(r, 0, r.length).get(0));
      }
    }
    assertThat(srs).as("a report at the start and one a second later, after the late frame")
        .hasSizeGreaterThanOrEqualTo(2);
    assertThat(sender.pacingStats().latenessMaxMicros()).as("the frame left late, not rebased")
        .isBetween(50_000L, 200_000L);
    RtcpPacket.SenderReport first = srs.get(0);
    for (RtcpPacket.SenderReport sr : srs.subList(1, srs.size())) {
      double rtpSeconds = (sr.rtpTimestamp() - first.rtpTimestamp()) / 48_000.0;
      double ntpSeconds = ntpSeconds(sr.ntpTimestamp()) - ntpSeconds(first.ntpTimestamp());
      assertThat((rtpSeconds - ntpSeconds) * 1000)
          .as("RTP minus NTP time since the first report, ms").isBetween(-5.0, 5.0);
    }
  }

  private static double ntpSeconds(long ntp) {
    return (ntp >>> 32) + (ntp & 0xFFFF_FFFFL) / 4294967296.0;
  }
}
