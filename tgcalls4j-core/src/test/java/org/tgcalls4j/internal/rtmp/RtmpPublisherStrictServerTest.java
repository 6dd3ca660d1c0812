package org.tgcalls4j.internal.rtmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tgcalls4j.RtmpException;
import org.tgcalls4j.internal.rtmp.testing.StrictRtmpServer;

/** Publishes to {@link StrictRtmpServer}, which resets clients that break FMS rules. */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class RtmpPublisherStrictServerTest {
  private static final int VIDEO_BITS_PER_SECOND = 2_500_000;
  private static final int FRAMES_PER_SECOND = 25;

  private StrictRtmpServer server;
  private final List<RtmpException> disconnects = new CopyOnWriteArrayList<>();

  @AfterEach
  void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void publishesEightSecondsAndAcknowledgesEveryWindowOfPadding() throws Exception {
    publishAndCheck(8, 1_500_000);
  }

  /** The reference's scenario at full length: a minute of 2.5 Mbit/s on an ACK-enforcing ingest. */
  @Test
  @Tag("slow")
  void publishesSixtySecondsAtTwoAndAHalfMegabitsWithoutBeingReset() throws Exception {
    publishAndCheck(60, 400_000);
  }

  @Test
  void simpleHandshakeClientIsResetByStrictServer() throws Exception {
    server = StrictRtmpServer.start(0);
    RtmpUrl url = RtmpUrl.parse(server.liveUrl(), "key");

    assertThatThrownBy(() -> RtmpPublisher.connect(url, RtmpOptions.defaults(), disconnects::add, false))
        .isInstanceOfSatisfying(RtmpException.class, e -> assertThat(e.code()).isEqualTo("handshake"));
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> server.sessions().get(0).ended());
    assertThat(server.sessions().get(0).resetReason()).isEqualTo("C1 has no valid digest");
  }

  private void publishAndCheck(int seconds, int paddingBytesPerSecond) throws Exception {
    server = StrictRtmpServer.start(paddingBytesPerSecond);
    RtmpUrl url = RtmpUrl.parse(server.liveUrl(), "123456:AbCdEfGhIjKlMnOpQrStUv");
    long acknowledgementsSent;
    try (RtmpPublisher publisher = RtmpPublisher.connect(url, RtmpOptions.defaults(), disconnects::add)) {
      publisher.sendMetaData(RtmpPublisher.metaData(1280, 720, FRAMES_PER_SECOND, 2500, 128, 44100, true));
      sendSyntheticMedia(publisher, seconds);
      acknowledgementsSent = publisher.acknowledgementsSent();
    }
    StrictRtmpServer.Session session = server.sessions().get(0);
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(session::ended);

    assertThat(session.resetReason()).isNull();
    assertThat(disconnects).isEmpty();
    assertThat(session.flashVer()).isEqualTo("FMLE/3.0 (compatible; FMSc/1.0)");
    assertThat(session.streamName()).isEqualTo("123456:AbCdEfGhIjKlMnOpQrStUv");
    assertThat(session.metaData()).isTrue();
    assertThat(session.unpublished()).isTrue();
    assertThat(session.videoMessages()).isEqualTo((long) seconds * FRAMES_PER_SECOND);
    assertThat((double) session.mediaBytes())
        .isCloseTo(seconds * (VIDEO_BITS_PER_SECOND / 8.0 + 128_000 / 8.0), within(seconds * 40_000.0));
    assertThat(session.acknowledgements())
        .isEqualTo(acknowledgementsSent)
        // one per half window, as FFmpeg does, so a server waiting at the full window never stalls
        .isGreaterThanOrEqualTo(2 * session.bytesSent() / StrictRtmpServer.WINDOW - 1)
        .isGreaterThanOrEqualTo(2);
    assertThat(session.pongs()).isGreaterThan(seconds * 5L);
  }

  /** 25 fps of 12 500-byte AVC NALU bodies (2.5 Mbit/s) and 43 AAC frames/s of 372 bytes. */
  private static void sendSyntheticMedia(RtmpPublisher publisher, int seconds) throws Exception {
    Random random = new Random(1);
    byte[] frame = new byte[VIDEO_BITS_PER_SECOND / 8 / FRAMES_PER_SECOND];
    byte[] audio = new byte[372];
    random.nextBytes(frame);
    random.nextBytes(audio);
    audio[0] = (byte) 0xAF; // AAC, 44 kHz, 16 bit, stereo
    audio[1] = 1; // AAC raw
    long start = System.nanoTime();
    int audioFrames = 0;
    for (int i = 0; i < seconds * FRAMES_PER_SECOND; i++) {
      int timestamp = i * 1000 / FRAMES_PER_SECOND;
      long wait = start + TimeUnit.MILLISECONDS.toNanos(timestamp) - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      frame[0] = (byte) (i % FRAMES_PER_SECOND == 0 ? 0x17 : 0x27); // key/inter frame, AVC
      frame[1] = 1; // AVC NALU
      frame[2] = frame[3] = frame[4] = 0; // composition time 0
      publisher.sendVideo(timestamp, frame, 0, frame.length);
      // AAC at 44.1 kHz: 1024 samples per frame, 1000 bytes/s = 128 kbit/s over ~43 frames
      while (audioFrames * 1024L * 1000 / 44100 <= timestamp) {
        publisher.sendAudio((int) (audioFrames * 1024L * 1000 / 44100), audio, 0, audio.length);
        audioFrames++;
      }
    }
  }
}
