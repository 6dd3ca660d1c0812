package org.tgcalls4j.internal.bench;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.tgcalls4j.internal.dtls.DtlsCertificate;
import org.tgcalls4j.internal.dtls.DtlsEndpoint;
import org.tgcalls4j.internal.dtls.DtlsException;
import org.tgcalls4j.internal.dtls.DtlsHandshakePool;
import org.tgcalls4j.internal.dtls.DtlsRole;
import org.tgcalls4j.internal.dtls.DtlsSrtpKeys;

/**
 * One post-handshake DTLS application-data record per operation between two connected {@link
 * DtlsEndpoint}s (AES-128-GCM): {@code sendApplicationData} on one (seal), {@code receive} of that
 * record on the other (open, deliver to the listener). Before the non-waiting receive path, {@code
 * receive} alone took about 1.1 ms per record (it waited 1 ms for a further datagram); see
 * docs/dtls-spike.md.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DtlsRecordBenchmark {
  @Param({"100", "1000"})
  public int payloadBytes;

  private ExecutorService pool;
  private DtlsEndpoint sender;
  private DtlsEndpoint receiver;
  private byte[] payload;
  private byte[] record;
  private int deliveredBytes;

  /** A listener that keeps the last outgoing record in a field, or forwards it to a peer during the handshake. */
  private final class Capture implements DtlsEndpoint.Listener {
    private final CompletableFuture<DtlsSrtpKeys> keys = new CompletableFuture<>();
    private volatile DtlsEndpoint peer;
    private volatile boolean capturing;

    @Override
    public void sendDatagram(byte[] datagram) {
      if (capturing) {
        record = datagram;
      } else {
        peer.receive(datagram, 0, datagram.length);
      }
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
      deliveredBytes += length;
    }

    @Override
    public void onClosed(DtlsException causeOrNull) {}
  }

  /** Connects the two endpoints (one handshake on a pool) and checks that a record arrives. */
  @Setup
  public void setUp() throws Exception {
    DtlsCertificate certificate = DtlsCertificate.generate();
    pool = DtlsHandshakePool.create();
    Capture senderEvents = new Capture();
    Capture receiverEvents = new Capture();
    String fingerprint = certificate.sha256Fingerprint();
    sender = new DtlsEndpoint(DtlsRole.CLIENT, certificate, "sha-256", fingerprint, senderEvents);
    receiver = new DtlsEndpoint(DtlsRole.SERVER, certificate, "sha-256", fingerprint, receiverEvents);
    senderEvents.peer = receiver;
    receiverEvents.peer = sender;
    receiver.startHandshake(pool, 10_000);
    sender.startHandshake(pool, 10_000);
    senderEvents.keys.get(10, TimeUnit.SECONDS);
    receiverEvents.keys.get(10, TimeUnit.SECONDS);
    senderEvents.capturing = true;
    payload = new byte[payloadBytes];
    deliveredBytes = 0;
    sealAndOpen();
    if (deliveredBytes != payloadBytes) {
      throw new IllegalStateException("the record did not arrive: " + deliveredBytes);
    }
  }

  @TearDown
  public void tearDown() {
    sender.close();
    receiver.close();
    pool.shutdownNow();
  }

  /** @return bytes delivered so far, consumed by JMH */
  @Benchmark
  public int sealAndOpen() throws DtlsException {
    sender.sendApplicationData(payload, 0, payload.length);
    receiver.receive(record, 0, record.length);
    return deliveredBytes;
  }
}
