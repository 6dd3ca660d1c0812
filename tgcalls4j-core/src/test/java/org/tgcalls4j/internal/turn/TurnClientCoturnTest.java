package org.tgcalls4j.internal.turn;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TurnClient} against coturn (Debian {@code coturn}), started on 127.0.0.1 with a test user
 * and realm; skipped when {@code /usr/bin/turnserver} is absent. One real UDP socket drives the
 * client; a plain UDP socket on 127.0.0.1 plays the peer.
 *
 * <p>With {@code -Dtgcalls4j.turn.seedDir=DIR} the conversations are written to DIR as scripts of
 * {@link TurnClientFuzz} (the committed fuzz seeds were made that way).
 */
class TurnClientCoturnTest {
  static final Path TURNSERVER = Path.of("/usr/bin/turnserver");
  static final String REALM = "tgcalls4j.test";

  @TempDir static Path dir;
  static Process coturn;
  static InetSocketAddress server;
  static Path log;
  static int minPort;

  @BeforeAll
  static void startCoturn() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(TURNSERVER), "coturn's turnserver is not installed");
    int port;
    try (DatagramChannel probe = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
      port = ((InetSocketAddress) probe.getLocalAddress()).getPort();
    }
    minPort = 40000 + new SplittableRandom().nextInt(20000);
    log = dir.resolve("turn.log");
    coturn = new ProcessBuilder(TURNSERVER.toString(), "-n", "--listening-ip=127.0.0.1",
        "--relay-ip=127.0.0.1", "--listening-port=" + port, "--min-port=" + minPort,
        "--max-port=" + (minPort + 50), "--lt-cred-mech", "--user=" + TurnClientFuzz.USER + ":"
        + TurnClientFuzz.PASSWORD, "--realm=" + REALM, "--no-tls", "--no-dtls", "--no-cli",
        "--allow-loopback-peers", "--denied-peer-ip=0.0.0.0-127.0.0.0",
        "--denied-peer-ip=127.0.0.2-255.255.255.255", "--log-file=" + log, "--simple-log",
        "--no-stdout-log", "--pidfile=" + dir.resolve("turn.pid"), "--userdb=" + dir.resolve("turndb"),
        "--verbose")
        .redirectErrorStream(true).redirectOutput(dir.resolve("turn.out").toFile()).start();
    server = new InetSocketAddress("127.0.0.1", port);
    // Ready when it answers an unauthenticated Allocate (with 401).
    try (Session s = new Session(TurnClientFuzz.PASSWORD)) {
      s.client.start(System.nanoTime(), s);
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (s.serverDatagrams == 0 && System.nanoTime() < end) {
        s.poll();
      }
      assertThat(s.serverDatagrams).as("coturn answers within 5 s").isPositive();
    }
  }

  @AfterAll
  static void stopCoturn() throws Exception {
    if (coturn != null) {
      coturn.destroy();
      if (!coturn.waitFor(5, TimeUnit.SECONDS)) {
        coturn.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
      String seedDir = System.getProperty("tgcalls4j.turn.seedDir");
      if (seedDir != null && Files.exists(log)) {
        Files.copy(log, Path.of(seedDir).getParent().resolve("coturn.log"),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  @Test
  void allocatesAndRelaysBothWaysBeforeAndAfterChannelBind() throws Exception {
    try (Session s = new Session(TurnClientFuzz.PASSWORD);
        DatagramChannel peer = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
      peer.configureBlocking(false);
      InetSocketAddress peerAddress = (InetSocketAddress) peer.getLocalAddress();
      s.client.start(System.nanoTime(), s);
      s.runUntil(() -> s.relayed != null || s.failure != null, 5000);
      assertThat(s.failure).isNull();
      assertThat(s.relayed.getAddress()).isEqualTo(InetAddress.getByName("127.0.0.1"));
      assertThat(s.relayed.getPort()).isBetween(minPort, minPort + 50);
      assertThat(s.mapped).isEqualTo(s.socket.getLocalAddress());
      assertThat(s.client.relayedAddress()).isEqualTo(s.relayed);
      s.seed("allocated");

      // First datagram: queued until CreatePermission succeeds, then sent in a Send indication. The
      // ChannelBind requests are held back meanwhile, so the reply comes in a Data indication.
      s.dropChannelBind = true;
      s.send(peerAddress, "hello-0");
      ByteBuffer buffer = ByteBuffer.allocate(2048);
      SocketAddress[] from = new SocketAddress[1];
      s.runUntil(() -> receive(peer, buffer, from), 3000);
      assertThat(from[0]).as("the peer sees the relayed address").isEqualTo(s.relayed);
      assertThat(text(buffer)).isEqualTo("hello-0");
      assertThat(s.client.sentIndications()).isEqualTo(1);
      assertThat(s.client.sentChannelData()).isZero();
      peer.send(ByteBuffer.wrap("reply-0".getBytes(StandardCharsets.UTF_8)), s.relayed);
      s.runUntil(() -> !s.relayedIn.isEmpty(), 3000);
      assertThat(s.relayedIn).containsExactly(peerAddress + " reply-0");
      assertThat(s.channelDataIn).isZero();
      s.seed("data-indication");

      // After ChannelBind (its retransmission gets through): ChannelData both ways.
      s.dropChannelBind = false;
      s.runUntil(() -> s.client.channelBound(peerAddress), 3000);
      assertThat(s.client.channelBound(peerAddress)).isTrue();
      s.send(peerAddress, "hello-1");
      buffer.clear();
      s.runUntil(() -> receive(peer, buffer, from), 3000);
      assertThat(text(buffer)).isEqualTo("hello-1");
      assertThat(from[0]).isEqualTo(s.relayed);
      assertThat(s.client.sentChannelData()).isEqualTo(1);
      peer.send(ByteBuffer.wrap("reply-1".getBytes(StandardCharsets.UTF_8)), s.relayed);
      s.runUntil(() -> s.relayedIn.size() == 2, 3000);
      assertThat(s.relayedIn.get(1)).isEqualTo(peerAddress + " reply-1");
      assertThat(s.channelDataIn).isEqualTo(1);
      assertThat(s.client.droppedDatagrams()).isZero();
      s.seed("channel-data");

      // Deallocation: Refresh LIFETIME 0, which coturn logs as processed with lifetime 0.
      s.deallocate();
      s.seed("closed");
      assertThat(s.client.relayedAddress()).isNull();
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); // coturn writes its log late under load
      String logText = "";
      while (System.nanoTime() < end) {
        logText = Files.readString(log);
        if (logText.contains("lifetime=0") && logText.contains("REFRESH processed, success")) {
          break;
        }
        Thread.sleep(20);
      }
      assertThat(logText).as("coturn log").containsPattern("refreshed, realm=<" + REALM
          + ">, username=<test>, lifetime=0").contains("REFRESH processed, success");
    }
  }

  @Test
  void wrongPasswordIsUnauthorizedAndDoesNotLeakThePassword() throws Exception {
    String password = "not-the-password-xyz";
    try (Session s = new Session(password)) {
      long start = System.nanoTime();
      s.client.start(start, s);
      s.runUntil(() -> s.failure != null, 5000);
      assertThat(s.failure).isNotNull();
      assertThat(s.failure.reason()).isEqualTo(TurnException.Reason.UNAUTHORIZED);
      assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(3));
      assertThat(s.failure.getMessage()).doesNotContain(password).contains("401");
      assertThat(s.failure.toString()).doesNotContain(password);
      assertThat(s.client.toString()).doesNotContain(password);
      assertThat(s.client.relayedAddress()).isNull();
      s.seed("wrong-password");
    }
  }

  @Test
  void unreachableServerTimesOut() throws Exception {
    InetSocketAddress closed;
    try (DatagramChannel probe = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
      closed = (InetSocketAddress) probe.getLocalAddress();
    }
    try (Session s = new Session(closed, TurnClientFuzz.PASSWORD, 5_000_000L)) {
      long start = System.nanoTime();
      s.client.start(start, s);
      s.runUntil(() -> s.failure != null, 3000);
      assertThat(s.failure).isNotNull();
      assertThat(s.failure.reason()).isEqualTo(TurnException.Reason.TIMEOUT);
      // 7 transmissions at 0, 5, 15, ... 315 ms, then 16 x 5 ms: 395 ms.
      assertThat(s.transmissions).isEqualTo(TurnClient.MAX_TRANSMISSIONS);
      assertThat(System.nanoTime() - start).isBetween(TimeUnit.MILLISECONDS.toNanos(390),
          TimeUnit.MILLISECONDS.toNanos(2000));
    }
  }

  private static boolean receive(DatagramChannel channel, ByteBuffer buffer, SocketAddress[] from) {
    try {
      buffer.clear();
      SocketAddress a = channel.receive(buffer);
      if (a == null) {
        return false;
      }
      buffer.flip();
      from[0] = a;
      return true;
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static String text(ByteBuffer b) {
    return StandardCharsets.UTF_8.decode(b.duplicate()).toString();
  }

  /** One client socket and its TurnClient; records events and the fuzz script. */
  static final class Session implements TurnClient.Output, AutoCloseable {
    final DatagramChannel socket;
    final TurnClient client;
    final InetSocketAddress to;
    final ByteArrayOutputStream script = new ByteArrayOutputStream();
    final List<String> relayedIn = new ArrayList<>();
    InetSocketAddress relayed;
    InetSocketAddress mapped;
    TurnException failure;
    int serverDatagrams;
    int transmissions;
    int channelDataIn;
    boolean dropChannelBind;
    long deadline = Long.MAX_VALUE;

    Session(String password) throws IOException {
      this(server, password, TurnClient.DEFAULT_RTO_NANOS);
    }

    Session(InetSocketAddress to, String password, long rto) throws IOException {
      this.to = to;
      socket = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
      socket.configureBlocking(false);
      client = new TurnClient(to, TurnClientFuzz.USER, password, new SplittableRandom(TurnClientFuzz.SEED), rto);
    }

    void send(InetSocketAddress peer, String text) {
      byte[] d = text.getBytes(StandardCharsets.UTF_8);
      script.write(0x01);
      script.write(peer.getPort() >>> 8);
      script.write(peer.getPort());
      script.write(d.length);
      script.writeBytes(d);
      client.send(peer, d, 0, d.length, System.nanoTime(), this);
    }

    void deallocate() {
      script.write(0x03);
      client.close(System.nanoTime(), this);
    }

    /** Polls the socket and the timer until {@code done} or {@code timeoutMs} passes. */
    void runUntil(BooleanSupplier done, long timeoutMs) throws IOException, InterruptedException {
      long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
      while (!done.getAsBoolean() && System.nanoTime() - end < 0) {
        if (!poll()) {
          Thread.sleep(1);
        }
      }
    }

    boolean poll() throws IOException {
      long now = System.nanoTime();
      if (now - deadline >= 0) {
        deadline = client.onTimer(now, this);
      }
      ByteBuffer b = ByteBuffer.allocate(65536);
      SocketAddress from = socket.receive(b);
      if (from == null) {
        return false;
      }
      b.flip();
      byte[] d = new byte[b.remaining()];
      b.get(d);
      if (client.isFromServer((InetSocketAddress) from)) {
        serverDatagrams++;
        if ((d[0] & 0xC0) == 0x40) {
          channelDataIn++;
        }
        script.write(0x00);
        script.write(d.length >>> 8);
        script.write(d.length);
        script.writeBytes(d);
        client.onDatagram(d, 0, d.length, System.nanoTime(), this);
        deadline = client.onTimer(System.nanoTime(), this);
      }
      return true;
    }

    void seed(String name) throws IOException {
      String seedDir = System.getProperty("tgcalls4j.turn.seedDir");
      if (seedDir != null) {
        Files.createDirectories(Path.of(seedDir));
        Files.write(Path.of(seedDir, "coturn-" + name), script.toByteArray());
      }
    }

    @Override
    public void sendToServer(byte[] datagram, int offset, int length) {
      transmissions++;
      if (dropChannelBind && length >= 20 && datagram[offset] == 0 && datagram[offset + 1] == 0x09) {
        return; // a ChannelBind request, held back by the test
      }
      try {
        socket.send(ByteBuffer.wrap(datagram, offset, length), to);
      } catch (IOException e) {
        // a closed port may answer with ICMP; the client's retransmissions handle it
      }
      deadline = Math.min(deadline, System.nanoTime());
    }

    @Override
    public void onAllocated(InetSocketAddress relayed, InetSocketAddress mapped) {
      this.relayed = relayed;
      this.mapped = mapped;
    }

    @Override
    public void onRelayed(InetSocketAddress peer, byte[] data, int offset, int length) {
      relayedIn.add(peer + " " + new String(data, offset, length, StandardCharsets.UTF_8));
    }

    @Override
    public void onFailure(TurnException failure) {
      this.failure = failure;
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
