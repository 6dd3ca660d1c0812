package org.tgcalls4j.internal.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.tgcalls4j.internal.srtp.SrtpContext;
import org.tgcalls4j.internal.srtp.SrtpProfile;
import org.tgcalls4j.internal.srtp.SrtpResult;
import org.tgcalls4j.internal.srtp.SrtpStatus;

/**
 * {@link SrtpContext#unprotectRtp} (into a new array) or {@link SrtpContext#unprotectRtpInPlace}
 * (in a reused receive buffer, after copying the packet there) of one SRTP packet per operation. A ring of {@value #RING_SIZE}
 * packets with consecutive sequence numbers is protected once per trial; each pass over the ring
 * uses a new receiving context, since replay protection (RFC 3711 §3.3.2) rejects a packet seen
 * before. That context's key derivation is amortized over the ring (well under 1% of the time).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SrtpUnprotectBenchmark {
  static final int RING_SIZE = 16_384;

  @Param({"AES128_CM_HMAC_SHA1_80", "AEAD_AES_128_GCM", "AEAD_AES_256_GCM"})
  public SrtpProfile profile;

  @Param({"160", "1200"})
  public int payloadBytes;

  private byte[][] ring;
  private SrtpContext receiver;
  private final byte[] buffer = new byte[2048];
  private int next;

  /** Protects the ring of packets and checks that the first one unprotects. */
  @Setup
  public void setUp() {
    SrtpContext sender = Packets.context(profile);
    byte[] plain = Packets.rtp(payloadBytes);
    ring = new byte[RING_SIZE][];
    for (int i = 0; i < RING_SIZE; i++) {
      Packets.setSequenceNumber(plain, i);
      ring[i] = sender.protectRtp(plain, 0, plain.length);
    }
    receiver = Packets.context(profile);
    next = 0;
  }

  /** @return the plain packet, consumed by JMH */
  @Benchmark
  public byte[] unprotectRtp() {
    if (next == RING_SIZE) {
      receiver = Packets.context(profile);
      next = 0;
    }
    byte[] packet = ring[next++];
    SrtpResult result = receiver.unprotectRtp(packet, 0, packet.length);
    if (result.status() != SrtpStatus.OK) {
      throw new IllegalStateException("unprotectRtp returned " + result.status() + " for packet " + (next - 1));
    }
    return result.data();
  }

  /** @return the plain packet's length; the packet is in the reused buffer */
  @Benchmark
  public int unprotectRtpInPlace() {
    if (next == RING_SIZE) {
      receiver = Packets.context(profile);
      next = 0;
    }
    byte[] packet = ring[next++];
    System.arraycopy(packet, 0, buffer, 0, packet.length);
    int length = receiver.unprotectRtpInPlace(buffer, 0, packet.length);
    if (length < 0) {
      throw new IllegalStateException("unprotectRtpInPlace returned " + SrtpContext.statusOf(length)
          + " for packet " + (next - 1));
    }
    return length;
  }
}
