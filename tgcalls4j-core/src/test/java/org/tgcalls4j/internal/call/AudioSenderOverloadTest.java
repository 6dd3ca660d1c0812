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
import org.tgcalls4j.PacingStats;
import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.internal.dtls.DtlsCertificate;
import org.tgcalls4j.internal.ogg.OpusPacket;
import org.tgcalls4j.internal.pacing.PacingOverload;
import org.tgcalls4j.internal.transport.EventLoops;

/**
 * The audio sender under overload, on a clock the test drives (the pump's turns run on the test's
 * thread at the deadlines it asks for, as its wheel would run them): a sender that reaches frames
 * beyond the lateness limit although the source had them drops them and keeps its baseline; a
 * source that had nothing until after the deadline restarts the pacing instead, as before.
 */
class AudioSenderOverloadTest {
  private static final EventLoops LOOPS = EventLoops.start(1, Thread::new);
  private static final long MS = 1_000_000L;
  private static final long T0 = 1_000_000 * MS; // any origin: only differences matter
  private static final long FRAME = 20 * MS;

  @AfterAll
  static void stopLoops() {
    LOOPS.close();
  }

  private final ExecutorService control = Executors.newSingleThreadExecutor();
  /** Sent RTP: {send time, sequence number, RTP timestamp}. */
  private final List<long[]> sent = new ArrayList<>();
  private final List<long[]> overloadEvents = new ArrayList<>();
  private final SourceSlot slot = new SourceSlot();
  private long now = T0;
  private PacingOverload client;
  private AudioSender sender;

  @AfterEach
  void tearDown() {
    if (sender != null) {
      sender.close();
    }
    slot.close();
    control.shutdownNow();
  }

  /**
   * Frames of 20 ms read on the loop: frame i is readable from {@code T0 + i x 20 ms} (a live
   * source; or from the start, a file) and not beyond {@link #available} frames.
   */
  private final class Frames implements OpusFrameSource {
    private final boolean live;
    long available = Long.MAX_VALUE;
    private long read;

    Frames(boolean live) {
      this.live = live;
    }

    @Override
    public boolean readsWithoutWaiting() {
      return true;
    }

    @Override
    public byte[] pollFrame() {
      if (read >= available || (live && T0 + read * FRAME > now)) {
        return NOT_READY;
      }
      read++;
      return OpusPacket.silence(960);
    }

    @Override
    public byte[] nextFrame() {
      throw new AssertionError("read on the loop only");
    }

    @Override
    public TgCallsException endError() {
      return null;
    }

    @Override
    public void close() {}
  }

  private AudioSender sender(long limitMillis) {
    client = new PacingOverload(limitMillis * MS);
    SessionConfig config = new SessionConfig(Path.of("/usr/bin/ffmpeg"),
        NetworkOptions.loopbackOnly(), 5_000, r -> new Thread(r), LOOPS, DtlsSetup.PASSIVE, 64,
        new SecureRandom(), System::currentTimeMillis, DtlsCertificate.generate(), control, 0,
        30_000, null, false, null, client);
    sender = new AudioSender(1, 1234, 111, 1, slot, config, LOOPS.wheel(LOOPS.next()),
        r -> new Thread(r), new SessionEvents() {
          @Override
          public void onState(ConnectionState state, TgCallsException cause) {}

          @Override
          public void onStreamEnd(TgCallsException error) {}

          @Override
          public void onPacingOverload(long framesDropped, long limitMillis) {
            overloadEvents.add(new long[] {now, framesDropped, limitMillis});
          }
        }, new RtpOutput() {
          @Override
          public boolean sendRtp(byte[] p) {
            sent.add(new long[] {now, ((p[2] & 0xFF) << 8) | (p[3] & 0xFF),
                ((p[4] & 0xFFL) << 24) | ((p[5] & 0xFF) << 16) | ((p[6] & 0xFF) << 8) | (p[7] & 0xFF)});
            return true;
          }

          @Override
          public boolean sendRtpInPlace(byte[] buffer, int offset, int length) {
            return sendRtp(java.util.Arrays.copyOfRange(buffer, offset, offset + length));
          }

          @Override
          public boolean sendRtcp(byte[] rtcp) {
            return true;
          }
        }, e -> { }, () -> T0, () -> now);
    return sender;
  }

  /**
   * Runs the pump's turns as its wheel would, from now up to {@code T0 + endMillis}: each at the
   * deadline it asked for, or 1 ms later if that had passed (the next tick).
   */
  private void runUntil(long endMillis) {
    while (true) {
      long next = sender.runTurn(now);
      long at = next <= now ? now + MS : next;
      if (at > T0 + endMillis * MS) {
        return;
      }
      now = at;
    }
  }

  private static long rtpDiff(long[] later, long[] earlier) {
    return (later[2] - earlier[2]) & 0xFFFFFFFFL;
  }

  private void assertSequenceNumbersContiguous() {
    for (int i = 1; i < sent.size(); i++) {
      assertThat((sent.get(i)[1] - sent.get(i - 1)[1]) & 0xFFFF).as("sequence step at %d", i)
          .isEqualTo(1);
    }
  }

  @Test
  void aSenderStalled500MsDropsTheFramesBeyond200MsSendsTheRestBackToBackAndStaysLive() {
    Frames live = new Frames(true);
    slot.replace(live, null);
    sender(200);
    runUntil(990); // frames 0..49 on their deadlines; frame 50 is due at 1000 ms
    assertThat(sent).hasSize(50);

    now = T0 + 1500 * MS; // the loop was stalled: frames 50..75 were due at 1000..1500 ms
    runUntil(1600);

    PacingStats stats = sender.pacingStats();
    // frame 50 + j is 500 - 20 j ms late: beyond 200 ms for j = 0..14
    assertThat(stats.framesDroppedLate()).isEqualTo(15);
    assertThat(stats.overloadRestarts()).as("no restart: the baseline is kept").isZero();
    // 50 before, frames 65..75 caught up, 76..80 on their deadlines
    assertThat(sent).hasSize(50 + 11 + 5);
    assertSequenceNumbersContiguous();
    for (int i = 1; i < sent.size(); i++) {
      assertThat(rtpDiff(sent.get(i), sent.get(i - 1))).as("RTP time step at packet %d", i)
          .isEqualTo(i == 50 ? 16 * 960 : 960); // over the 15 dropped frames
    }
    for (int i = 50; i < 61; i++) {
      assertThat(sent.get(i)[0]).as("frame %d, caught up back to back", i + 15)
          .isBetween(T0 + 1500 * MS, T0 + 1501 * MS);
    }
    for (int i = 61; i < 66; i++) {
      assertThat(sent.get(i)[0]).as("frame %d on its own deadline: still live", i + 15)
          .isEqualTo(T0 + (i + 15) * FRAME);
    }
    assertThat(overloadEvents).hasSize(1);
    assertThat(overloadEvents.get(0)[1]).as("frames in the call's event").isEqualTo(15);
    assertThat(overloadEvents.get(0)[2]).as("limit, ms").isEqualTo(200);
    assertThat(client.logLines()).as("the client's WARN line").isEqualTo(1);
  }

  @Test
  void aSourceThatDeliversLateRestartsThePacingAndDropsNothing() {
    Frames stalled = new Frames(false);
    stalled.available = 50; // frame 50, due at 1000 ms, is not there: ffmpeg stalls
    slot.replace(stalled, null);
    sender(200);
    runUntil(990);
    runUntil(1500); // the sender asks every 1 ms from 1000 ms on
    assertThat(sent).hasSize(50);

    stalled.available = Long.MAX_VALUE; // it comes 500 ms late
    runUntil(1600);

    PacingStats stats = sender.pacingStats();
    assertThat(stats.framesDroppedLate()).isZero();
    assertThat(stats.overloadRestarts()).isEqualTo(1);
    assertThat(sent).hasSize(50 + 6); // frames 50..55 at 1500, 1520, ..., 1600 ms
    assertSequenceNumbersContiguous();
    for (int i = 1; i < sent.size(); i++) {
      assertThat(rtpDiff(sent.get(i), sent.get(i - 1))).as("RTP time step at packet %d", i)
          .isEqualTo(960);
    }
    for (int i = 50; i < 56; i++) {
      assertThat(sent.get(i)[0]).as("frame %d, on the rebased grid", i)
          .isEqualTo(T0 + 1500 * MS + (i - 50) * FRAME);
    }
    assertThat(overloadEvents).isEmpty();
    assertThat(client.logLines()).isZero();
  }

  @Test
  void theLimitIsConfigurable() {
    Frames file = new Frames(false);
    slot.replace(file, null);
    sender(50);
    runUntil(990);
    now = T0 + 1150 * MS; // frames 50..57 were due at 1000..1140 ms
    runUntil(1160);

    // frame 50 + j is 150 - 20 j ms late: beyond 50 ms for j = 0..4
    assertThat(sender.pacingStats().framesDroppedLate()).isEqualTo(5);
    assertThat(sent).hasSize(50 + 3 + 1); // 55..57 at once, 58 on its deadline
    assertThat(rtpDiff(sent.get(50), sent.get(49))).isEqualTo(6 * 960);
    assertThat(sent.get(53)[0]).isEqualTo(T0 + 58 * FRAME);
    assertSequenceNumbersContiguous();
    assertThat(overloadEvents).hasSize(1);
    assertThat(overloadEvents.get(0)[2]).isEqualTo(50);
  }

  @Test
  void aStallWithinTheDefaultLimitIsCaughtUpAsBefore() {
    Frames file = new Frames(false);
    slot.replace(file, null);
    sender(200);
    runUntil(990);
    now = T0 + 1150 * MS;
    runUntil(1160);

    assertThat(sender.pacingStats().framesDroppedLate()).isZero();
    assertThat(sender.pacingStats().overloadRestarts()).isZero();
    assertThat(sent).hasSize(50 + 8 + 1); // 50..57 back to back, 58 on its deadline
    for (int i = 1; i < sent.size(); i++) {
      assertThat(rtpDiff(sent.get(i), sent.get(i - 1))).isEqualTo(960);
    }
    assertThat(overloadEvents).isEmpty();
  }

  @Test
  void overloadEventsOfACallComeAtMostOnceASecond() {
    Frames file = new Frames(false);
    slot.replace(file, null);
    sender(50);
    runUntil(990);
    for (int stall = 0; stall < 5; stall++) { // a 150 ms stall every 300 ms
      now += 150 * MS;
      runUntil((now - T0) / MS + 150);
    }
    long dropped = sender.pacingStats().framesDroppedLate();
    // from a frame's deadline, the next 7 are 130, 110, ..., 10 ms late: 4 beyond 50 ms
    assertThat(dropped).as("4 frames per stall").isEqualTo(20);
    // stalls at 1.13, 1.43, 1.73, 2.03 and 2.33 s: an event for the first, one about a second
    // later with what followed; the rest waits for the next second
    assertThat(overloadEvents).hasSize(2);
    assertThat(overloadEvents.get(0)[1]).isEqualTo(4);
    assertThat(overloadEvents.get(1)[0] - overloadEvents.get(0)[0]).isGreaterThanOrEqualTo(1000 * MS);
    assertThat(client.logLines()).as("one WARN line per 10 s").isEqualTo(1);
  }
}
