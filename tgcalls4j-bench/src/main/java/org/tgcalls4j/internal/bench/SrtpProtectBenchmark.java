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

/**
 * {@link SrtpContext#protectRtp} (into a new array) or {@link SrtpContext#protectRtpInPlace} (into
 * a reused buffer, after copying the plain packet there) of one RTP packet per operation: 160-byte (Opus at 64 kbit/s,
 * 20 ms) or 1200-byte (video-sized) payload behind a 20-byte header. The sequence number advances
 * every operation, as on a real stream (and GCM refuses to reuse an IV).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SrtpProtectBenchmark {
  @Param({"AES128_CM_HMAC_SHA1_80", "AEAD_AES_128_GCM", "AEAD_AES_256_GCM"})
  public SrtpProfile profile;

  @Param({"160", "1200"})
  public int payloadBytes;

  private SrtpContext sender;
  private byte[] plain;
  private byte[] buffer;
  private int sequenceNumber;

  /** Makes the sending context and the plain packet. */
  @Setup
  public void setUp() {
    sender = Packets.context(profile);
    plain = Packets.rtp(payloadBytes);
    buffer = new byte[plain.length + SrtpContext.MAX_TAG_BYTES];
    sequenceNumber = 0;
  }

  /** @return the SRTP packet, consumed by JMH */
  @Benchmark
  public byte[] protectRtp() {
    sequenceNumber = (sequenceNumber + 1) & 0xFFFF;
    Packets.setSequenceNumber(plain, sequenceNumber);
    return sender.protectRtp(plain, 0, plain.length);
  }

  /** @return the SRTP packet's length; the packet is in the reused buffer */
  @Benchmark
  public int protectRtpInPlace() {
    sequenceNumber = (sequenceNumber + 1) & 0xFFFF;
    Packets.setSequenceNumber(plain, sequenceNumber);
    System.arraycopy(plain, 0, buffer, 0, plain.length);
    return sender.protectRtpInPlace(buffer, 0, plain.length);
  }
}
