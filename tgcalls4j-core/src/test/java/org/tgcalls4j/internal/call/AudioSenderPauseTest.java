package org.tgcalls4j.internal.call;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.tgcalls4j.ConnectionState;
import org.tgcalls4j.DtlsSetup;
import org.tgcalls4j.NetworkOptions;
import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.internal.dtls.DtlsCertificate;
import org.tgcalls4j.internal.ogg.OpusPacket;
import org.tgcalls4j.internal.transport.EventLoops;

/** Pause and resume of the sender: after a pause the spacing continues from the resume, no burst. */
class AudioSenderPauseTest {
  private static final EventLoops LOOPS = EventLoops.start(1, Thread::new);

  @org.junit.jupiter.api.AfterAll
  static void stopLoops() {
    LOOPS.close();
  }

  private final ExecutorService control = Executors.newSingleThreadExecutor();
  private final List<Long> sentNanos = new ArrayList<>();
  private AudioSender sender;

  @AfterEach
  void tearDown() {
    if (sender != null) {
      sender.close();
    }
    control.shutdownNow();
  }

  /** An endless source of 20 ms Opus frames. */
  private static final class EndlessFrames implements OpusFrameSource {
    @Override
    public byte[] nextFrame() {
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
  void aShortPauseLeavesAGapOfItsLengthAndNoCatchUpBurst() throws Exception {
    SourceSlot slot = new SourceSlot();
    slot.replace(new EndlessFrames(), null);
    SessionConfig config = new SessionConfig(Path.of("/usr/bin/ffmpeg"), NetworkOptions.loopbackOnly(),
        5_000, r -> new Thread(r), LOOPS, DtlsSetup.PASSIVE, 64, new SecureRandom(), System::currentTimeMillis,
        DtlsCertificate.generate(), control, 0, 30_000, null, false, null);
    sender = new AudioSender(1, 1234, 111, 1, slot, config, LOOPS.wheel(LOOPS.next()), r -> new Thread(r),
        new SessionEvents() {
      @Override
      public void onState(ConnectionState state, TgCallsException cause) {}

      @Override
      public void onStreamEnd(TgCallsException error) {}
    }, new RtpOutput() {
      @Override
      public boolean sendRtp(byte[] rtp) {
        synchronized (sentNanos) {
          sentNanos.add(System.nanoTime());
        }
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
    }, e -> { }, System::nanoTime);
    sender.start();
    Thread.sleep(300);
    slot.setPaused(true);
    long pausedAt = System.nanoTime();
    Thread.sleep(120); // shorter than the pacer's 200 ms rebase threshold
    long resumedAt = System.nanoTime();
    slot.setPaused(false);
    Thread.sleep(300);
    sender.close();

    List<Long> after;
    synchronized (sentNanos) {
      after = sentNanos.stream().filter(t -> t > resumedAt).toList();
      assertThat(sentNanos.stream().filter(t -> t > pausedAt + 25_000_000L && t <= resumedAt))
          .as("nothing while paused (one frame may have been due as the pause began)").isEmpty();
    }
    // 300 ms after the resume: 15 frames at 20 ms; a catch-up of the paused 120 ms would add 6,
    // all in the first few milliseconds
    long inFirst50Ms = after.stream().filter(t -> t - resumedAt <= 50_000_000L).count();
    assertThat(inFirst50Ms).as("packets in the first 50 ms after resume").isLessThanOrEqualTo(4);
    assertThat(after.size()).as("packets in the 300 ms after resume").isBetween(12, 17);
  }
}
