package org.tgcalls4j.internal.rtmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.tgcalls4j.RtmpException;
import org.tgcalls4j.internal.rtmp.testing.NginxRtmpServer;
import org.tgcalls4j.internal.rtmp.testing.TestFlv;
import org.tgcalls4j.internal.rtmp.testing.TestMedia;

/** Publishes to a real nginx-rtmp and checks what it recorded with ffprobe. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RtmpPublisherNginxTest {
  @TempDir Path tmp;
  private NginxRtmpServer nginx;
  private final List<RtmpException> disconnects = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startNginx() throws Exception {
    nginx = NginxRtmpServer.start();
  }

  @AfterEach
  void stopNginx() {
    nginx.close();
  }

  @Test
  void publishesFiveSecondsOfH264AndAacThatNginxRecords() throws Exception {
    List<TestFlv.Tag> tags =
        TestFlv.readTags(TestMedia.makeSource(tmp.resolve("test.flv"), "testsrc", 440, 5));
    RtmpUrl url = RtmpUrl.parse(nginx.liveUrl(), "test-stream");

    try (RtmpPublisher publisher = RtmpPublisher.connect(url, RtmpOptions.defaults(), disconnects::add)) {
      publisher.sendMetaData(RtmpPublisher.metaData(320, 240, 25, 300, 64, 48000, false));
      publishPaced(publisher, tags);
      assertThat(publisher.bytesSent()).isGreaterThan(10_000);
    }

    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> nginx.endedPublishSessions() == 1);
    assertThat(disconnects).isEmpty();
    TestMedia.Probe probe = TestMedia.probe(nginx.recording("test-stream"));
    assertThat(probe.codecs()).as("ffprobe of the recording").contains("h264", "aac");
    assertThat(probe.maxPtsSeconds("video")).as("last video pts in s").isBetween(4.0, 6.0);
  }

  @Test
  void secondPublisherOfTheSameNameIsRefusedWithBadName() throws Exception {
    RtmpUrl url = RtmpUrl.parse(nginx.liveUrl(), "taken");
    try (RtmpPublisher first = RtmpPublisher.connect(url, RtmpOptions.defaults(), disconnects::add)) {
      assertThat(first.bytesSent()).isGreaterThan(1537);
      assertThatThrownBy(() -> RtmpPublisher.connect(url, RtmpOptions.defaults(), disconnects::add))
          .isInstanceOfSatisfying(
              RtmpException.class,
              e -> assertThat(e.code()).isEqualTo("NetStream.Publish.BadName"));
    }
    assertThat(disconnects).isEmpty();
  }

  /** Sends FLV tags at their timestamps (real time), skipping script tags. */
  static void publishPaced(RtmpPublisher publisher, List<TestFlv.Tag> tags) throws Exception {
    long start = System.nanoTime();
    for (TestFlv.Tag tag : tags) {
      long due = start + TimeUnit.MILLISECONDS.toNanos(tag.timestampMillis());
      long wait = due - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      if (tag.type() == TestFlv.VIDEO) {
        publisher.sendVideo(tag.timestampMillis(), tag.body(), 0, tag.body().length);
      } else if (tag.type() == TestFlv.AUDIO) {
        publisher.sendAudio(tag.timestampMillis(), tag.body(), 0, tag.body().length);
      }
    }
  }
}
