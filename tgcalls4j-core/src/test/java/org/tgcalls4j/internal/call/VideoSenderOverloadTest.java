package org.tgcalls4j.internal.call;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
import org.tgcalls4j.internal.pacing.PacingOverload;
import org.tgcalls4j.internal.signaling.VideoSendParameters;
import org.tgcalls4j.internal.transport.EventLoops;

/**
 * The video track under overload, on a clock the test drives: frames the sender reaches more than
 * the lateness limit after their deadline are dropped, and so are the delta frames after them
 * until the next keyframe (they reference what was dropped).
 */
class VideoSenderOverloadTest {
  private static final EventLoops LOOPS = EventLoops.start(1, Thread::new);
  private static final int SSRC = 0x11223345;
  private static final VideoSendParameters PARAMS = new VideoSendParameters(100, 101, 2, 3, 13);
  private static final long MS = 1_000_000L;
  private static final long T0 = 1_000_000 * MS;

  @AfterAll
  static void stopLoops() {
    LOOPS.close();
  }

  private final ExecutorService control = Executors.newSingleThreadExecutor();
  /** Media packets that end a frame: {send time, frame index, sequence number}. */
  private final List<long[]> frames = new ArrayList<>();
  private final List<Integer> mediaSeq = new ArrayList<>();
  private final Set<Integer> keyIndices = new HashSet<>();
  private final SourceSlot slot = new SourceSlot();
  private final MediaTimeline timeline = new MediaTimeline();
  private long now = T0;
  private PacingOverload client;
  private VideoSender sender;

  @AfterEach
  void tearDown() {
    slot.close();
    if (sender != null) {
      sender.close();
    }
    control.shutdownNow();
  }

  private VideoSender sender() {
    client = new PacingOverload(200 * MS);
    SessionConfig config = new SessionConfig(Path.of("/usr/bin/ffmpeg"),
        NetworkOptions.loopbackOnly(), 5_000, r -> new Thread(r), LOOPS, DtlsSetup.PASSIVE, 64,
        new SecureRandom(), System::currentTimeMillis, DtlsCertificate.generate(), control, 0,
        30_000, null, false, null, client);
    sender = new VideoSender(1, SSRC, SSRC + 1, PARAMS, slot, timeline, "cname1", config,
        LOOPS.wheel(LOOPS.next()), r -> new Thread(r), new RtpOutput() {
          @Override
          public boolean sendRtp(byte[] p) {
            if ((p[0] & 0x20) != 0) {
              return true; // a keep-alive
            }
            mediaSeq.add(((p[2] & 0xFF) << 8) | (p[3] & 0xFF));
            if ((p[1] & 0x80) != 0) { // the marker: a frame's last packet
              frames.add(new long[] {now, p[p.length - 1] & 0xFF});
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
        }, () -> now);
    return sender;
  }

  /** An IVF stream at 30 fps of small frames filled with their index, a keyframe every 15. */
  private byte[] ivf(int count) {
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
      boolean key = i % 15 == 0;
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
    public boolean videoReadsWithoutWaiting() {
      return true; // read on the loop: no reader thread racing the test's clock
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

  /** Runs the pump's turns as its wheel would, up to {@code T0 + endMillis}. */
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

  @Test
  void aStalledSenderDropsLateFramesAndTheDeltasAfterThemUntilTheNextKeyFrame() {
    Av av = new Av(ivf(60));
    sender();
    timeline.publish(av, T0, slot.stops()); // as the audio sender would: frame i due at T0 + i/30 s
    slot.replace(av, null);
    runUntil(990); // frames 0..29
    assertThat(frames).hasSize(30);

    now = T0 + 1500 * MS; // stalled: frames 30..45 were due at 1000..1500 ms
    runUntil(1600);

    VideoStats stats = sender.stats();
    // 30..38 are more than 200 ms late; 39..44 are deltas after them; 45 is a keyframe
    assertThat(stats.framesDroppedLate()).isEqualTo(15);
    assertThat(stats.framesSkippedMuted()).isZero();
    List<Long> indices = frames.stream().map(f -> f[1]).toList();
    assertThat(indices.subList(30, indices.size())).containsExactly(45L, 46L, 47L, 48L);
    assertThat(keyIndices).contains(45);
    long[] key = frames.get(30);
    assertThat(key[0]).as("the keyframe, at the first turns after the stall")
        .isBetween(T0 + 1500 * MS, T0 + 1501 * MS);
    assertThat(frames.get(31)[0]).as("frame 46 on its own deadline: the baseline is kept")
        .isEqualTo(T0 + 46 * 3000 * MS / 90); // 1533.33 ms
    for (int i = 1; i < mediaSeq.size(); i++) {
      assertThat((mediaSeq.get(i) - mediaSeq.get(i - 1)) & 0xFFFF).as("sequence step at %d", i)
          .isEqualTo(1);
    }
    assertThat(client.logLines()).isEqualTo(1);
  }
}
