package org.tgcalls4j.internal.rtmpcall;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tgcalls4j.ConnectionState;
import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.internal.ffmpeg.FlvEncoding;
import org.tgcalls4j.internal.rtmp.RtmpOptions;
import org.tgcalls4j.internal.rtmp.RtmpUrl;
import org.tgcalls4j.internal.rtmp.testing.StrictRtmpServer;

/** close() while the sender is still reconnecting to a slow ingest. */
@Timeout(60)
class RtmpCallCloseDuringReconnectTest {
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final List<Thread> callThreads = new CopyOnWriteArrayList<>();
  private StrictRtmpServer server;
  private GatedProxy proxy;

  @AfterEach
  void cleanUp() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void closeDuringASlowReconnectReportsNothingAfterCloseAndClosesTheNewConnection() throws Exception {
    server = StrictRtmpServer.start(0);
    int serverPort = Integer.parseInt(server.liveUrl().split("[:/]")[4]);
    proxy = new GatedProxy(serverPort);
    AtomicInteger n = new AtomicInteger();
    RtmpCall.Config config = new RtmpCall.Config(Path.of("ffmpeg"),
        new FlvEncoding(320, 240, 25, 400, 64, 48000), false, r -> {
          Thread t = new Thread(r, "close-test-" + n.incrementAndGet());
          t.setDaemon(true);
          callThreads.add(t);
          return t;
        },
        Runnable::run, // events are recorded in the order they are posted
        100, 1000, 3);
    RtmpOptions options = new RtmpOptions(10_000, config.threadFactory(),
        RtmpOptions.defaults().sslSocketFactory());
    RtmpCall call = new RtmpCall(RtmpUrl.parse("rtmp://127.0.0.1:" + proxy.port() + "/live/", "k1"),
        options, config, new RtmpCall.Events() {
          @Override
          public void onConnectionChange(ConnectionState state, TgCallsException cause) {
            events.add(state.name());
          }

          @Override
          public void onStreamEnd(TgCallsException error) {
            events.add("END");
          }
        });
    call.start();
    proxy.dropAll();
    assertThat(proxy.reconnectArrived.await(10, TimeUnit.SECONDS)).isTrue();

    // The ingest answers the reconnect only after close() has begun.
    Thread releaser = new Thread(() -> {
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      proxy.release.countDown();
    }, "releaser");
    releaser.start();
    events.add("close()");
    call.close();
    releaser.join();

    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> server.sessions().size() == 2
        && server.sessions().get(1).ended() && callThreads.stream().noneMatch(Thread::isAlive));
    assertThat(events).containsExactly("CONNECTED", "CONNECTING", "close()", "CLOSED");
  }

  /** Forwards to the server; the second and later connections wait for {@link #release}. */
  private static final class GatedProxy implements AutoCloseable {
    final CountDownLatch reconnectArrived = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    private final ServerSocket serverSocket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final int targetPort;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();

    GatedProxy(int targetPort) throws IOException {
      this.targetPort = targetPort;
      start(this::acceptLoop);
    }

    int port() {
      return serverSocket.getLocalPort();
    }

    private void start(Runnable r) {
      Thread t = new Thread(r, "gated-proxy");
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }

    private void acceptLoop() {
      try {
        for (int accepted = 1; ; accepted++) {
          Socket client = serverSocket.accept();
          open.add(client);
          boolean gated = accepted > 1;
          start(() -> forward(client, gated));
        }
      } catch (IOException closed) {
        // proxy closed
      }
    }

    private void forward(Socket client, boolean gated) {
      try {
        if (gated) {
          reconnectArrived.countDown();
          if (!release.await(20, TimeUnit.SECONDS)) {
            return;
          }
        }
        Socket upstream = new Socket();
        open.add(upstream);
        upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5000);
        start(() -> pump(upstream, client));
        pump(client, upstream);
      } catch (IOException | InterruptedException e) {
        closeQuietly(client);
      }
    }

    private void pump(Socket from, Socket to) {
      byte[] buffer = new byte[16384];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
          out.write(buffer, 0, read);
        }
      } catch (IOException dropped) {
        // connection cut
      } finally {
        closeQuietly(from);
        closeQuietly(to);
      }
    }

    void dropAll() {
      open.forEach(GatedProxy::closeQuietly);
    }

    private static void closeQuietly(Socket s) {
      try {
        s.close();
      } catch (IOException ignored) {
        // already closed
      }
    }

    @Override
    public void close() throws Exception {
      serverSocket.close();
      release.countDown();
      dropAll();
      for (Thread t : threads) {
        t.join(5000);
      }
    }
  }
}
