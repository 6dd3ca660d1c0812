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
import org.tgcalls4j.internal.rtmp.testing.StunnelTlsTerminator;
import org.tgcalls4j.internal.rtmp.testing.TestFlv;
import org.tgcalls4j.internal.rtmp.testing.TestMedia;

/** RTMPS: stunnel terminates TLS in front of nginx-rtmp, as Telegram's rtmps:// ingest does. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RtmpsPublisherTest {
  @TempDir Path tmp;
  private NginxRtmpServer nginx;
  private StunnelTlsTerminator stunnel;
  private final List<RtmpException> disconnects = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    nginx = NginxRtmpServer.start();
    stunnel = StunnelTlsTerminator.start(nginx.port());
  }

  @AfterEach
  void stop() {
    if (stunnel != null) {
      stunnel.close();
    }
    nginx.close();
  }

  @Test
  void publishesOverTlsAndNginxRecordsIt() throws Exception {
    List<TestFlv.Tag> tags =
        TestFlv.readTags(TestMedia.makeSource(tmp.resolve("test.flv"), "testsrc", 440, 3));
    RtmpUrl url = RtmpUrl.parse("rtmps://localhost:" + stunnel.port() + "/live/", "1234:tls-key");
    RtmpOptions options =
        new RtmpOptions(10_000, RtmpOptions.defaults().threadFactory(), stunnel.trustingSocketFactory());

    try (RtmpPublisher publisher = RtmpPublisher.connect(url, options, disconnects::add)) {
      publisher.sendMetaData(RtmpPublisher.metaData(320, 240, 25, 300, 64, 48000, false));
      RtmpPublisherNginxTest.publishPaced(publisher, tags);
    }

    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> nginx.endedPublishSessions() == 1);
    assertThat(disconnects).isEmpty();
    assertThat(TestMedia.probe(nginx.recording("1234:tls-key")).codecs())
        .as("ffprobe of %s", java.util.Arrays.toString(nginx.recordDir().toFile().list()))
        .contains("h264", "aac");
  }

  @Test
  void refusesCertificateTheTrustStoreDoesNotKnow() throws Exception {
    RtmpUrl url = RtmpUrl.parse("rtmps://localhost:" + stunnel.port() + "/live/", "k");

    assertThatThrownBy(() -> RtmpPublisher.connect(url, RtmpOptions.defaults(), disconnects::add))
        .isInstanceOfSatisfying(RtmpException.class, e -> assertThat(e.code()).isEqualTo("io"))
        .hasMessageContaining("PKIX");
  }
}
