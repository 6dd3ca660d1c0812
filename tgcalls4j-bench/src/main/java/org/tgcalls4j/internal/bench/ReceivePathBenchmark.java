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
import org.tgcalls4j.internal.pc.MediaRouter;
import org.tgcalls4j.internal.pc.MediaTrack;
import org.tgcalls4j.internal.rtcp.RtcpPacket;
import org.tgcalls4j.internal.rtp.RtpHeader;
import org.tgcalls4j.internal.srtp.SrtpContext;
import org.tgcalls4j.internal.srtp.SrtpProfile;

/**
 * The whole receive path of one incoming audio packet, as issue 8 words it: an SRTP datagram
 * (160-byte Opus payload) lands in the socket's receive buffer (copied there from a pre-protected
 * ring, as {@code DatagramChannel.receive} would), is unprotected in place and routed by SSRC by
 * {@link MediaRouter} (the code {@code PeerTransport} runs on its I/O thread) to a track that parses
 * the RTP header, as the audio receiver does, and does nothing else. As in
 * {@link SrtpUnprotectBenchmark}, each pass over the ring uses a new receiving context (replay
 * protection), amortized over {@value #RING_SIZE} packets.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ReceivePathBenchmark {
  static final int RING_SIZE = 16_384;
  static final int PAYLOAD_BYTES = 160;
  static final int RECEIVE_BUFFER_BYTES = 2048;

  @Param({"AES128_CM_HMAC_SHA1_80", "AEAD_AES_128_GCM", "AEAD_AES_256_GCM"})
  public SrtpProfile profile;

  private byte[][] ring;
  private final byte[] receiveBuffer = new byte[RECEIVE_BUFFER_BYTES];
  private SrtpContext receiver;
  private MediaRouter router;
  private NoOpTrack track;
  private int next;

  /** Protects the ring, plugs the track in and checks that the first packet reaches it. */
  @Setup
  public void setUp() {
    SrtpContext sender = Packets.context(profile);
    byte[] plain = Packets.rtp(PAYLOAD_BYTES);
    ring = new byte[RING_SIZE][];
    for (int i = 0; i < RING_SIZE; i++) {
      Packets.setSequenceNumber(plain, i);
      ring[i] = sender.protectRtp(plain, 0, plain.length);
    }
    router = new MediaRouter();
    track = new NoOpTrack();
    router.addTrack(track);
    receiver = Packets.context(profile);
    next = 0;
    receive();
    if (track.packets != 1 || track.payloadBytes != PAYLOAD_BYTES) {
      throw new IllegalStateException("the first packet did not reach the track intact");
    }
    receiver = Packets.context(profile);
    next = 0;
  }

  /** @return payload bytes the track has seen, consumed by JMH */
  @Benchmark
  public long receive() {
    if (next == RING_SIZE) {
      receiver = Packets.context(profile);
      next = 0;
    }
    byte[] datagram = ring[next++];
    System.arraycopy(datagram, 0, receiveBuffer, 0, datagram.length);
    router.receive(receiver, receiveBuffer, 0, datagram.length);
    return track.payloadBytes;
  }

  /** Owns the benchmark SSRC; parses each packet's RTP header and counts. */
  static final class NoOpTrack implements MediaTrack {
    long packets;
    long payloadBytes;

    @Override
    public int[] ssrcs() {
      return new int[] {Packets.SSRC};
    }

    @Override
    public void onRtcp(RtcpPacket packet) {}

    @Override
    public void onRtp(byte[] packet, int offset, int length) {
      RtpHeader header = RtpHeader.parse(packet, offset, length);
      if (header != null) {
        packets++;
        payloadBytes += header.payloadLength();
      }
    }
  }
}
