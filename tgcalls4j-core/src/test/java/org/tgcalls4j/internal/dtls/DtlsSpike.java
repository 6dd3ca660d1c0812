package org.tgcalls4j.internal.dtls;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;

/**
 * Measurements behind docs/dtls-spike.md; a test-scope main, not a test. Run from the repository
 * root after {@code mvn -B -ntp -q -o -pl tgcalls4j-core test-compile}:
 *
 * <pre>
 * mvn -B -ntp -q -o -pl tgcalls4j-core dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -cp tgcalls4j-core/target/test-classes:tgcalls4j-core/target/classes:$(cat /tmp/cp.txt) \
 *     org.tgcalls4j.internal.dtls.DtlsSpike
 * </pre>
 *
 * <p>(a) post-handshake cost per record: Bouncy Castle's {@code receive(..., 1 ms)} loop (the old
 * endpoint), {@code receivePending}, and the non-waiting transport {@link DtlsEndpoint} now uses;
 * (b) handshakes through {@link DtlsHandshakePool} with 2 and 4 threads, N started at once, with
 * and without an emulated round-trip time.
 */
public final class DtlsSpike {
  private DtlsSpike() {}

  public static void main(String[] args) throws Exception {
    System.out.printf(
        Locale.ROOT,
        "JDK %s, %s %s, %d processors%n",
        Runtime.version(),
        System.getProperty("os.name"),
        System.getProperty("os.arch"),
        Runtime.getRuntime().availableProcessors());
    recordLoop();
    for (int rttMillis : new int[] {0, 50}) {
      for (int threads : new int[] {2, 4, 8}) {
        handshakes(threads, 200, rttMillis);
      }
    }
    System.exit(0);
  }

  // ---------------------------------------------------------------- (a) records after the handshake

  /** A record sink the spike can redirect. */
  private static final class Redirect implements Consumer<byte[]> {
    volatile Consumer<byte[]> target = d -> {};

    @Override
    public void accept(byte[] datagram) {
      target.accept(datagram);
    }
  }

  private static void recordLoop() throws Exception {
    DtlsCertificate certificate = DtlsCertificate.generate();
    Redirect fromClient = new Redirect();
    Redirect fromServer = new Redirect();
    QueuedDatagramTransport clientTransport = new QueuedDatagramTransport(fromClient);
    QueuedDatagramTransport serverTransport = new QueuedDatagramTransport(fromServer);
    fromClient.target = serverTransport::push;
    fromServer.target = clientTransport::push;
    RemoteFingerprint fingerprint = new RemoteFingerprint("sha-256", certificate.sha256Fingerprint());
    CompletableFuture<DTLSTransport> serverSide =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                DtlsSession session = session(DtlsRole.SERVER, certificate, fingerprint);
                return new DTLSServerProtocol().accept(new EndpointTlsServer(session), serverTransport);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    DTLSTransport client =
        new DTLSClientProtocol()
            .connect(new EndpointTlsClient(session(DtlsRole.CLIENT, certificate, fingerprint)), clientTransport);
    DTLSTransport server = serverSide.get(10, TimeUnit.SECONDS);

    // Records of 100 bytes (an SCTP DATA chunk's size class), in sequence order.
    List<byte[]> records = new ArrayList<>();
    fromClient.target = records::add;
    int oldWarmup = 300;
    int oldMeasured = 1000;
    int pendingCount = 100;
    int newWarmup = 20_000;
    int newMeasured = 50_000;
    byte[] payload = new byte[100];
    for (int i = 0; i < oldWarmup + oldMeasured + pendingCount + newWarmup + newMeasured; i++) {
      client.send(payload, 0, payload.length);
    }
    byte[] buffer = new byte[QueuedDatagramTransport.RECEIVE_LIMIT_BYTES];
    int next = 0;

    // Old: push the record, then receive(…, 1) until it returns -1 (waits 1 ms for a further datagram).
    long delivered = 0;
    long start = 0;
    for (int i = 0; i < oldWarmup + oldMeasured; i++) {
      if (i == oldWarmup) {
        start = System.nanoTime();
        delivered = 0;
      }
      serverTransport.push(records.get(next++));
      while (server.receive(buffer, 0, buffer.length, 1) >= 0) {
        delivered++;
      }
    }
    report("receive(buf, 0, len, 1) loop (old)", System.nanoTime() - start, oldMeasured, delivered);

    // receivePending: only reads what Bouncy Castle already buffered from an earlier datagram; it never
    // asks the transport, so a newly pushed datagram stays queued.
    delivered = 0;
    start = System.nanoTime();
    for (int i = 0; i < pendingCount; i++) {
      serverTransport.push(records.get(next++));
      while (server.receivePending(buffer, 0, buffer.length) >= 0) {
        delivered++;
      }
    }
    report("receivePending(buf, 0, len)", System.nanoTime() - start, pendingCount, delivered);
    // Drain what receivePending left behind before switching modes.
    while (serverTransport.hasQueued()) {
      server.receive(buffer, 0, buffer.length, 1);
    }

    // New: the transport stops waiting; receive() until it throws WouldBlockException.
    serverTransport.stopWaiting();
    for (int i = 0; i < newWarmup + newMeasured; i++) {
      if (i == newWarmup) {
        start = System.nanoTime();
        delivered = 0;
      }
      serverTransport.push(records.get(next++));
      try {
        while (true) {
          if (server.receive(buffer, 0, buffer.length, 1) >= 0) {
            delivered++;
          }
        }
      } catch (QueuedDatagramTransport.WouldBlockException drained) {
        // next record
      }
    }
    report("non-waiting transport, receive until WouldBlock (new)", System.nanoTime() - start, newMeasured, delivered);

    // The same through DtlsEndpoint.receive (array copy, lock, listener), both handshakes on a pool.
    endpointLoop(certificate);
  }

  private static void endpointLoop(DtlsCertificate certificate) throws Exception {
    ExecutorService pool = DtlsHandshakePool.create();
    AtomicInteger delivered = new AtomicInteger();
    Redirect toServer = new Redirect();
    Redirect toClient = new Redirect();
    CompletableFuture<DtlsSrtpKeys> clientKeys = new CompletableFuture<>();
    CompletableFuture<DtlsSrtpKeys> serverKeys = new CompletableFuture<>();
    DtlsEndpoint client =
        new DtlsEndpoint(DtlsRole.CLIENT, certificate, "sha-256", certificate.sha256Fingerprint(), listener(toServer, clientKeys, null));
    DtlsEndpoint server =
        new DtlsEndpoint(DtlsRole.SERVER, certificate, "sha-256", certificate.sha256Fingerprint(), listener(toClient, serverKeys, delivered));
    toServer.target = d -> server.receive(d, 0, d.length);
    toClient.target = d -> client.receive(d, 0, d.length);
    server.startHandshake(pool, 10_000);
    client.startHandshake(pool, 10_000);
    clientKeys.get(10, TimeUnit.SECONDS);
    serverKeys.get(10, TimeUnit.SECONDS);
    List<byte[]> records = new ArrayList<>();
    toServer.target = records::add;
    int warmup = 20_000;
    int measured = 50_000;
    byte[] payload = new byte[100];
    for (int i = 0; i < warmup + measured; i++) {
      client.sendApplicationData(payload, 0, payload.length);
    }
    long start = 0;
    for (int i = 0; i < warmup + measured; i++) {
      if (i == warmup) {
        start = System.nanoTime();
        delivered.set(0);
      }
      byte[] record = records.get(i);
      server.receive(record, 0, record.length);
    }
    report("DtlsEndpoint.receive (new, whole endpoint)", System.nanoTime() - start, measured, delivered.get());
    client.close();
    server.close();
    pool.shutdownNow();
  }

  private static DtlsEndpoint.Listener listener(
      Consumer<byte[]> sink, CompletableFuture<DtlsSrtpKeys> keys, AtomicInteger delivered) {
    return new DtlsEndpoint.Listener() {
      @Override
      public void sendDatagram(byte[] datagram) {
        sink.accept(datagram);
      }

      @Override
      public void onHandshakeComplete(DtlsSrtpKeys k) {
        keys.complete(k);
      }

      @Override
      public void onHandshakeFailed(DtlsException cause) {
        keys.completeExceptionally(cause);
      }

      @Override
      public void onApplicationData(byte[] data, int offset, int length) {
        if (delivered != null) {
          delivered.incrementAndGet();
        }
      }

      @Override
      public void onClosed(DtlsException causeOrNull) {}
    };
  }

  private static DtlsSession session(DtlsRole role, DtlsCertificate certificate, RemoteFingerprint fingerprint)
      throws java.io.IOException {
    return new DtlsSession(new HandshakeCrypto(new SecureRandom()), role, certificate, fingerprint, 10_000);
  }

  private static void report(String what, long nanos, int records, long delivered) {
    System.out.printf(
        Locale.ROOT,
        "(a) %-55s %7d records, %7.2f us/record, %d delivered%n",
        what,
        records,
        nanos / 1000.0 / records,
        delivered);
  }

  // ------------------------------------------------------------------------ (b) handshake pool

  private static void handshakes(int threads, int count, int rttMillis) throws Exception {
    DtlsCertificate ours = DtlsCertificate.generate();
    DtlsCertificate theirs = DtlsCertificate.generate();
    ExecutorService pool = DtlsHandshakePool.create(Executors.defaultThreadFactory(), threads);
    ExecutorService peers = Executors.newCachedThreadPool(); // the remote side, one thread each
    ScheduledExecutorService network = Executors.newSingleThreadScheduledExecutor(); // one I/O thread
    long oneWayNanos = TimeUnit.MILLISECONDS.toNanos(rttMillis) / 2;
    // Warm up the JIT with a few handshakes first.
    runHandshakes(ours, theirs, pool, peers, network, 20, oneWayNanos);
    long start = System.nanoTime();
    long[] latencies = runHandshakes(ours, theirs, pool, peers, network, count, oneWayNanos);
    long total = System.nanoTime() - start;
    Arrays.sort(latencies);
    System.out.printf(
        Locale.ROOT,
        "(b) %d threads, RTT %3d ms, %d handshakes started at once: %6.1f handshakes/s; latency ms p50 %6.1f"
            + " p90 %6.1f p99 %6.1f max %6.1f; %d failed%n",
        threads,
        rttMillis,
        count,
        count / (total / 1e9),
        latencies[count / 2] / 1e6,
        latencies[count * 9 / 10] / 1e6,
        latencies[count * 99 / 100] / 1e6,
        latencies[count - 1] / 1e6,
        Arrays.stream(latencies).filter(l -> l == Long.MAX_VALUE).count());
    pool.shutdownNow();
    peers.shutdownNow();
    network.shutdownNow();
  }

  /** @return each handshake's time from startHandshake to onHandshakeComplete, Long.MAX_VALUE if failed */
  private static long[] runHandshakes(
      DtlsCertificate ours,
      DtlsCertificate theirs,
      ExecutorService pool,
      ExecutorService peers,
      ScheduledExecutorService network,
      int count,
      long oneWayNanos)
      throws Exception {
    List<CompletableFuture<Long>> done = new ArrayList<>();
    List<DtlsEndpoint> endpoints = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Redirect toPeer = new Redirect();
      Redirect toUs = new Redirect();
      CompletableFuture<DtlsSrtpKeys> ourKeys = new CompletableFuture<>();
      DtlsEndpoint mine =
          new DtlsEndpoint(DtlsRole.CLIENT, ours, "sha-256", theirs.sha256Fingerprint(), listener(toPeer, ourKeys, null));
      DtlsEndpoint peer =
          new DtlsEndpoint(
              DtlsRole.SERVER, theirs, "sha-256", ours.sha256Fingerprint(), listener(toUs, new CompletableFuture<>(), null));
      toPeer.target = d -> network.schedule(() -> peer.receive(d, 0, d.length), oneWayNanos, TimeUnit.NANOSECONDS);
      toUs.target = d -> network.schedule(() -> mine.receive(d, 0, d.length), oneWayNanos, TimeUnit.NANOSECONDS);
      endpoints.add(mine);
      endpoints.add(peer);
      peer.startHandshake(peers, 60_000);
      long startNanos = System.nanoTime();
      mine.startHandshake(pool, 60_000);
      done.add(ourKeys.handle((k, e) -> e == null ? System.nanoTime() - startNanos : Long.MAX_VALUE));
    }
    long[] latencies = new long[count];
    for (int i = 0; i < count; i++) {
      latencies[i] = done.get(i).get(120, TimeUnit.SECONDS);
    }
    endpoints.forEach(DtlsEndpoint::close);
    return latencies;
  }
}
