package org.tgcalls4j.internal.rtmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tgcalls4j.RtmpException;
import org.tgcalls4j.internal.rtmp.testing.StrictRtmpServer;

/** Refusals, timeouts, server-side drops and closing, against {@link StrictRtmpServer}. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RtmpPublisherLifecycleTest {
  private StrictRtmpServer server;
  private final List<RtmpException> disconnects = new CopyOnWriteArrayList<>();
  private final List<Thread> readerThreads = new CopyOnWriteArrayList<>();
  private final ThreadFactory recordingThreads = runnable -> {
    Thread thread = new Thread(runnable, "test-rtmp-reader");
    thread.setDaemon(true);
    readerThreads.add(thread);
    return thread;
  };
  private final RtmpOptions options =
      new RtmpOptions(5_000, recordingThreads, RtmpOptions.defaults().sslSocketFactory());

  @AfterEach
  void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void connectErrorReplyBecomesRtmpExceptionWithServerCode() throws Exception {
    server = StrictRtmpServer.start(0);
    RtmpUrl url = RtmpUrl.parse(server.liveUrl().replace("/live/", "/nope/"), "key");

    assertThatThrownBy(() -> RtmpPublisher.connect(url, options, disconnects::add))
        .isInstanceOfSatisfying(RtmpException.class, e -> {
          assertThat(e.code()).isEqualTo("NetConnection.Connect.Rejected");
          assertThat(e.getMessage()).contains("unknown application nope");
        });
    assertReaderThreadsEnded();
    assertThat(disconnects).isEmpty();
  }

  @Test
  void serverThatNeverAnswersTheHandshakeTimesOut() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      RtmpUrl url = RtmpUrl.parse("rtmp://127.0.0.1:" + silent.getLocalPort() + "/live/", "k");
      RtmpOptions quick = new RtmpOptions(500, recordingThreads, options.sslSocketFactory());
      long start = System.nanoTime();

      assertThatThrownBy(() -> RtmpPublisher.connect(url, quick, disconnects::add))
          .isInstanceOfSatisfying(RtmpException.class, e -> assertThat(e.code()).isEqualTo("timeout"));
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(400L, 3000L);
      try (Socket accepted = silent.accept()) {
        assertThat(accepted.getInputStream().readAllBytes()).hasSize(1537); // C0+C1, then closed
      }
    }
  }

  @Test
  void statusErrorAfterPublishIsReportedOnceAndStopsSending() throws Exception {
    server = StrictRtmpServer.start(0);
    RtmpPublisher publisher = RtmpPublisher.connect(RtmpUrl.parse(server.liveUrl(), "k"), options, disconnects::add);
    try {
      publisher.sendVideo(0, new byte[] {0x17, 1, 0, 0, 0}, 0, 5);

      server.sessions().get(0).sendStatus("error", "NetStream.Publish.BadName", "stream dropped");

      Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !disconnects.isEmpty());
      assertReaderThreadsEnded();
      assertThat(disconnects).singleElement().satisfies(e -> {
        assertThat(e.code()).isEqualTo("NetStream.Publish.BadName");
        assertThat(e.getMessage()).contains("stream dropped");
      });
      assertThatThrownBy(() -> publisher.sendVideo(40, new byte[] {0x27, 1, 0, 0, 0}, 0, 5))
          // the first failure is what every later send reports
          .isInstanceOfSatisfying(RtmpException.class,
              e -> assertThat(e.code()).isEqualTo("NetStream.Publish.BadName"));
    } finally {
      publisher.close();
    }
    assertThat(disconnects).hasSize(1);
  }

  @Test
  void brokenConnectionIsReportedToTheListener() throws Exception {
    server = StrictRtmpServer.start(0);
    try (RtmpPublisher publisher = RtmpPublisher.connect(RtmpUrl.parse(server.liveUrl(), "k"), options, disconnects::add)) {
      server.close();

      Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !disconnects.isEmpty());
      assertThat(disconnects).singleElement().satisfies(e -> assertThat(e.code()).isEqualTo("disconnected"));
      assertReaderThreadsEnded();
      assertThatThrownBy(() -> publisher.sendVideo(0, new byte[] {0x17, 1, 0, 0, 0}, 0, 5))
          .isInstanceOf(RtmpException.class);
    }
  }

  @Test
  void closeSaysGoodbyeEndsTheReaderAndIsIdempotent() throws Exception {
    server = StrictRtmpServer.start(0);
    RtmpPublisher publisher = RtmpPublisher.connect(RtmpUrl.parse(server.liveUrl(), "k"), options, disconnects::add);

    publisher.close();
    publisher.close();

    assertReaderThreadsEnded();
    StrictRtmpServer.Session session = server.sessions().get(0);
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(session::ended);
    assertThat(session.unpublished()).isTrue();
    assertThat(session.resetReason()).isNull();
    assertThat(disconnects).isEmpty();
    assertThatThrownBy(() -> publisher.sendAudio(0, new byte[] {(byte) 0xAF, 1}, 0, 2))
        .isInstanceOfSatisfying(RtmpException.class, e -> assertThat(e.code()).isEqualTo("closed"));
  }

  private void assertReaderThreadsEnded() throws InterruptedException {
    for (Thread thread : readerThreads) {
      thread.join(2000);
      assertThat(thread.isAlive()).as("reader thread alive").isFalse();
    }
  }
}
