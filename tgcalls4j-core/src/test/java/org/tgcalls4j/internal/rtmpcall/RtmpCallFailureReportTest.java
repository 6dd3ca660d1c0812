package org.tgcalls4j.internal.rtmpcall;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.tgcalls4j.ConnectionState;
import org.tgcalls4j.MediaSource;
import org.tgcalls4j.NotConnectedException;
import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.internal.ffmpeg.FlvEncoding;
import org.tgcalls4j.internal.rtmp.RtmpOptions;
import org.tgcalls4j.internal.rtmp.RtmpUrl;
import org.tgcalls4j.internal.rtmp.testing.ChunkFloodServer;
import org.tgcalls4j.internal.rtmp.testing.TestMedia;

/**
 * What an RTMP call reports when the ingest misbehaves or cannot be reached: the first cause, and
 * never the stream key.
 */
@Timeout(60)
class RtmpCallFailureReportTest {
  private static final String FLOOD = "protocol: more than 64 open chunk streams";
  private static final String KEY_NAME = "secretStreamKey-7f3a9c";
  private static final String KEY_SECRET = "topSecretSig42";
  private static final String KEY =
      KEY_NAME + "?wsSecret=" + KEY_SECRET + "&wsTime=1700000000";

  @TempDir Path dir;
  private final ExecutorService dispatcher =
      Executors.newSingleThreadExecutor(r -> new Thread(r, "dispatcher"));
  private final List<ConnectionState> states = new CopyOnWriteArrayList<>();
  private final List<TgCallsException> causes = new CopyOnWriteArrayList<>();
  private final List<TgCallsException> streamEnds = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private ChunkFloodServer server;

  @AfterEach
  void cleanUp() throws Exception {
    if (server != null) {
      server.close();
    }
    dispatcher.shutdown();
    assertThat(dispatcher.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    for (Thread t : threads) {
      t.join(5000);
      assertThat(t.isAlive()).as("thread " + t.getName()).isFalse();
    }
    Awaitility.await("child processes to end").atMost(Duration.ofSeconds(5))
        .until(() -> ProcessHandle.current().descendants().noneMatch(ProcessHandle::isAlive));
  }

  private RtmpCall newCall(String url, String key, boolean fallback) throws TgCallsException {
    AtomicInteger n = new AtomicInteger();
    ThreadFactory factory = r -> {
      Thread t = new Thread(r, "failure-test-" + n.incrementAndGet());
      t.setDaemon(true);
      threads.add(t);
      return t;
    };
    RtmpCall.Config config = new RtmpCall.Config(Path.of("ffmpeg"),
        new FlvEncoding(320, 240, 25, 400, 64, 48000), fallback, factory, dispatcher, 100, 200, 1);
    RtmpOptions options = new RtmpOptions(5_000, factory, RtmpOptions.defaults().sslSocketFactory());
    return new RtmpCall(RtmpUrl.parse(url, key), options, config, new RtmpCall.Events() {
      @Override
      public void onConnectionChange(ConnectionState state, TgCallsException cause) {
        states.add(state);
        if (cause != null) {
          causes.add(cause);
        }
      }

      @Override
      public void onStreamEnd(TgCallsException error) {
        streamEnds.add(error);
      }
    });
  }

  @Test
  void aChunkFloodAtConnectFailsStartWithTheProtocolError() throws Exception {
    server = ChunkFloodServer.start(false);
    RtmpCall call = newCall(server.liveUrl(), "k1", false);
    try {
      assertThatThrownBy(call::start).hasMessage(FLOOD);
    } finally {
      call.close();
    }
  }

  @Test
  void aChunkFloodWhilePublishingIsReportedAsTheProtocolError() throws Exception {
    server = ChunkFloodServer.start(true);
    RtmpCall call = newCall(server.liveUrl(), "k1", false);
    try {
      call.start();
      Awaitility.await("the connection to be lost").atMost(Duration.ofSeconds(20))
          .until(() -> !causes.isEmpty());
    } finally {
      call.close();
    }
    assertThat(states).startsWith(ConnectionState.CONNECTED, ConnectionState.CONNECTING);
    assertThat(causes.get(0)).hasMessage(FLOOD);
  }

  @Test
  void fallbackToAClosedPortFailsWithoutShowingTheKey() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    Path source = TestMedia.makeSource(dir.resolve("a.mp4"), "testsrc", 440, 3);
    PrintStream savedErr = System.err;
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
    List<String> texts = new CopyOnWriteArrayList<>();
    try {
      RtmpCall call = newCall("rtmp://127.0.0.1:" + closedPort + "/live/", KEY, true);
      try {
        call.start();
        call.setSource(MediaSource.file(source));
        Awaitility.await("FAILED or a stream end").atMost(Duration.ofSeconds(20))
            .until(() -> states.contains(ConnectionState.FAILED) || !streamEnds.isEmpty());
        try {
          call.setSource(MediaSource.file(source));
          texts.add("setSource after the failure did not throw");
        } catch (TgCallsException e) {
          texts.add(e.toString());
        }
      } finally {
        call.close();
      }
      Awaitility.await("CLOSED").atMost(Duration.ofSeconds(5))
          .until(() -> states.contains(ConnectionState.CLOSED));
    } finally {
      System.setErr(savedErr);
      savedErr.print(log.toString(StandardCharsets.UTF_8));
    }
    for (Throwable e : streamEnds) {
      texts.add(String.valueOf(e));
    }
    for (Throwable e : causes) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        texts.add(t.toString());
      }
    }
    texts.add(log.toString(StandardCharsets.UTF_8));
    assertThat(texts).allSatisfy(text -> assertThat(text)
        .doesNotContain(KEY_NAME).doesNotContain(KEY_SECRET).doesNotContain("1700000000"));
    assertThat(states).containsExactly(
        ConnectionState.CONNECTED, ConnectionState.FAILED, ConnectionState.CLOSED);
    assertThat(streamEnds).as("stream ends").isEmpty();
    assertThat(causes).hasSize(1);
    assertThat(causes.get(0).getMessage()).contains("127.0.0.1:" + closedPort)
        .contains("Connection refused");
    assertThat(texts).anyMatch(t -> t.contains(NotConnectedException.class.getName()));
  }
}
