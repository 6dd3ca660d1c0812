package org.tgcalls4j.internal.pc;

import io.netty.channel.IoEventLoop;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tgcalls4j.internal.dtls.DtlsCertificate;
import org.tgcalls4j.internal.dtls.DtlsEndpoint;
import org.tgcalls4j.internal.dtls.DtlsException;
import org.tgcalls4j.internal.dtls.DtlsRole;
import org.tgcalls4j.internal.dtls.DtlsSrtpKeys;
import org.tgcalls4j.internal.srtp.SrtpContext;
import org.tgcalls4j.internal.srtp.SrtpResult;
import org.tgcalls4j.internal.srtp.SrtpStatus;
import org.tgcalls4j.internal.stun.StunMessage;
import org.tgcalls4j.internal.stun.StunMessageBuilder;
import org.tgcalls4j.internal.transport.UdpPort;
import org.tgcalls4j.internal.transport.UdpPorts;
import org.tgcalls4j.internal.transport.UdpTransport;

/**
 * Runs, once per JVM and off the caller's thread, what a first connect would otherwise run cold:
 * an in-memory DTLS handshake between two {@link DtlsEndpoint}s (Bouncy Castle's handshake code,
 * ECDHE, ECDSA, AES-GCM, the SRTP key export), one SRTP packet protected and unprotected, one STUN
 * Binding request built and verified, and a UDP socket bound on the loopback address, started and
 * closed (nothing is sent). On a shared 2-core machine the first group-call connect of a process
 * spent 75-130 ms before ICE started and 135-180 ms in its DTLS handshake (later connects: about
 * 2 and 8 ms), loading and interpreting code for the first time; with the warm-up done first, the
 * first connect costs nearly what later ones cost.
 *
 * <p>Threads: three short-lived daemon threads from the client's thread factory, named
 * {@code tgcalls4j-warmup} and {@code tgcalls4j-warmup-dtls-1/2} (the socket runs on one of the
 * client's event loops);
 * they end once the warm-up is over (every wait is bounded: 5 s at most for the handshake).
 * Failures are logged at debug level and otherwise ignored: a failed warm-up only means the first
 * connect loads the code itself.
 */
public final class TransportWarmup {
  private static final Logger log = LoggerFactory.getLogger(TransportWarmup.class);
  private static final AtomicBoolean STARTED = new AtomicBoolean();
  private static final long HANDSHAKE_TIMEOUT_MILLIS = 5_000;

  private TransportWarmup() {}

  /**
   * Starts the warm-up on a new thread unless one was started before in this JVM; returns at once.
   *
   * @param threads makes the warm-up's threads (named and made daemon here)
   * @param loop the client's event loop the warm-up socket runs on
   * @param certificate the client's certificate, used by both endpoints of the handshake
   */
  public static void startOnce(ThreadFactory threads, IoEventLoop loop,
      DtlsCertificate certificate) {
    if (!STARTED.compareAndSet(false, true)) {
      return;
    }
    Thread thread = threads.newThread(() -> run(threads, loop, certificate));
    thread.setName("tgcalls4j-warmup");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Runs the warm-up on the calling thread (plus the threads it makes); never throws.
   *
   * @return whether every step succeeded
   */
  static boolean run(ThreadFactory threads, IoEventLoop loop, DtlsCertificate certificate) {
    long startNanos = System.nanoTime();
    try {
      stun();
      udp(loop);
      dtlsAndSrtp(threads, certificate);
      log.debug("transport warm-up done in {} ms",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
      return true;
    } catch (Exception | LinkageError e) {
      log.debug("transport warm-up failed after {} ms: {}",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), e.toString());
      return false;
    }
  }

  /** A Binding request as IceAgent sends it (MESSAGE-INTEGRITY, FINGERPRINT), parsed and verified. */
  private static void stun() throws Exception {
    byte[] key = "warm-up-password-of-22".getBytes(StandardCharsets.UTF_8);
    byte[] request = new StunMessageBuilder(StunMessage.BINDING_REQUEST, new byte[12])
        .addUsername("a:b").addPriority(1).addIceControlled(1).build(key, true);
    StunMessage parsed = StunMessage.parse(request, 0, request.length);
    if (!parsed.verifyMessageIntegrity(key)) {
      throw new IllegalStateException("the warm-up STUN request does not verify");
    }
  }

  private static void udp(IoEventLoop loop) throws Exception {
    try (UdpPort socket = UdpPorts.bind(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), loop)) {
      CompletableFuture<Void> ran = new CompletableFuture<>();
      socket.start(new UdpTransport.Handler() {
        @Override
        public void onDatagram(byte[] data, int length, InetSocketAddress from, long nowNanos) {}

        @Override
        public void onFailure(Exception cause) {}

        @Override
        public long onTimer(long nowNanos) {
          return Long.MAX_VALUE;
        }
      });
      socket.execute(() -> ran.complete(null));
      ran.get(1, TimeUnit.SECONDS);
    }
  }

  private static void dtlsAndSrtp(ThreadFactory threads, DtlsCertificate certificate)
      throws Exception {
    AtomicInteger count = new AtomicInteger();
    Executor pool = task -> {
      Thread t = threads.newThread(task);
      t.setName("tgcalls4j-warmup-dtls-" + count.incrementAndGet());
      t.setDaemon(true);
      t.start();
    };
    Side client = new Side();
    Side server = new Side();
    String fingerprint = certificate.sha256Fingerprint();
    try (DtlsEndpoint clientEndpoint = new DtlsEndpoint(DtlsRole.CLIENT, certificate, "sha-256",
            fingerprint, client);
        DtlsEndpoint serverEndpoint = new DtlsEndpoint(DtlsRole.SERVER, certificate, "sha-256",
            fingerprint, server)) {
      client.peer = serverEndpoint;
      server.peer = clientEndpoint;
      serverEndpoint.startHandshake(pool, HANDSHAKE_TIMEOUT_MILLIS);
      clientEndpoint.startHandshake(pool, HANDSHAKE_TIMEOUT_MILLIS);
      DtlsSrtpKeys sent = client.keys.get(HANDSHAKE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
      DtlsSrtpKeys received = server.keys.get(HANDSHAKE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
      byte[] rtp = new byte[12 + 80];
      rtp[0] = (byte) 0x80;
      rtp[1] = 111;
      byte[] packet = new SrtpContext(sent.profile(), sent.localMasterKey(), sent.localMasterSalt())
          .protectRtp(rtp, 0, rtp.length);
      SrtpResult opened = new SrtpContext(received.profile(), received.remoteMasterKey(),
          received.remoteMasterSalt()).unprotectRtp(packet, 0, packet.length);
      if (opened.status() != SrtpStatus.OK) {
        throw new IllegalStateException("the warm-up SRTP packet did not open: " + opened.status());
      }
    }
  }

  /** One endpoint's events: its records go straight to the other endpoint. */
  private static final class Side implements DtlsEndpoint.Listener {
    final CompletableFuture<DtlsSrtpKeys> keys = new CompletableFuture<>();
    volatile DtlsEndpoint peer;

    @Override
    public void sendDatagram(byte[] datagram) {
      DtlsEndpoint to = peer;
      if (to != null) {
        to.receive(datagram, 0, datagram.length);
      }
    }

    @Override
    public void onHandshakeComplete(DtlsSrtpKeys negotiated) {
      keys.complete(negotiated);
    }

    @Override
    public void onHandshakeFailed(DtlsException cause) {
      keys.completeExceptionally(cause);
    }

    @Override
    public void onApplicationData(byte[] data, int offset, int length) {}

    @Override
    public void onClosed(DtlsException causeOrNull) {}
  }
}
