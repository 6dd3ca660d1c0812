package org.tgcalls4j.internal.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;
import org.tgcalls4j.internal.rtp.OpusRtpPacketizer;
import org.tgcalls4j.internal.srtp.SrtpContext;
import org.tgcalls4j.internal.srtp.SrtpProfile;
import org.tgcalls4j.internal.transport.EventLoops;
import org.tgcalls4j.internal.transport.UdpTransport;

/**
 * The whole send path of one outgoing audio packet, as issue 8 words it: an Opus frame (160 bytes,
 * 20 ms at 64 kbit/s) already in memory, packetized into the sender's reused buffer
 * ({@link OpusRtpPacketizer#packetizeInto}), protected in place under the send lock
 * ({@link SrtpContext#protectRtpInPlace}, as {@code PeerTransport.sendRtpInPlace} does) and handed
 * to the socket layer.
 *
 * <ul>
 *   <li>{@link #toSocketLayer}: ends where {@code PeerTransport} calls the socket layer (the
 *       packet goes to a {@link Blackhole}); no system call, so its ops/s is the CPU cost.
 *   <li>{@link #toDatagramChannel}: continues through {@link UdpTransport#send} into a real
 *       {@link DatagramChannel} on 127.0.0.1 towards a bound socket nobody reads (the kernel drops
 *       what does not fit); includes the JDK's {@code DatagramChannel.send} and the system call.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SendPathBenchmark {
  static final int OPUS_FRAME_BYTES = 160;
  static final int SAMPLES_PER_20_MS_AT_48_KHZ = 960;
  static final int AUDIO_LEVEL_DBOV = 30;

  @Param({"AES128_CM_HMAC_SHA1_80", "AEAD_AES_128_GCM", "AEAD_AES_256_GCM"})
  public SrtpProfile profile;

  private OpusRtpPacketizer packetizer;
  private SrtpContext sender;
  private final Object sendLock = new Object();
  private byte[] opusFrame;
  private byte[] packetBuffer;
  private UdpTransport socket;
  private EventLoops loops;
  private DatagramChannel drain;
  private InetSocketAddress drainAddress;

  /** Makes the packetizer, the sending context, the frame and the two sockets. */
  @Setup(Level.Trial)
  public void setUp() throws IOException {
    packetizer = new OpusRtpPacketizer(Packets.SSRC, Packets.OPUS_PAYLOAD_TYPE,
        Packets.AUDIO_LEVEL_EXTENSION_ID, new SplittableRandom(1));
    sender = Packets.context(profile);
    opusFrame = new byte[OPUS_FRAME_BYTES];
    for (int i = 0; i < opusFrame.length; i++) {
      opusFrame[i] = (byte) (i * 31);
    }
    packetBuffer = new byte[packetizer.headerBytes() + OPUS_FRAME_BYTES + SrtpContext.MAX_TAG_BYTES];
    InetAddress loopback = InetAddress.getLoopbackAddress();
    drain = DatagramChannel.open().bind(new InetSocketAddress(loopback, 0));
    drainAddress = (InetSocketAddress) drain.getLocalAddress();
    // never started: send needs no I/O thread
    loops = EventLoops.start(1, Executors.defaultThreadFactory());
    socket = UdpTransport.bind(new InetSocketAddress(loopback, 0), loops.next());
  }

  /** Closes the sockets. */
  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    socket.close();
    loops.close();
    drain.close();
  }

  private int packetizeAndProtect() {
    int length = packetizer.packetizeInto(opusFrame, 0, opusFrame.length,
        SAMPLES_PER_20_MS_AT_48_KHZ, AUDIO_LEVEL_DBOV, true, packetBuffer, 0);
    synchronized (sendLock) {
      return sender.protectRtpInPlace(packetBuffer, 0, length);
    }
  }

  /** Frame to protected packet, handed to a Blackhole where PeerTransport calls the socket. */
  @Benchmark
  public void toSocketLayer(Blackhole blackhole) {
    int length = packetizeAndProtect();
    blackhole.consume(packetBuffer);
    blackhole.consume(length);
  }

  /** Frame to protected packet, sent through UdpTransport and a real DatagramChannel. */
  @Benchmark
  public void toDatagramChannel() {
    int length = packetizeAndProtect();
    socket.send(drainAddress, packetBuffer, 0, length);
  }
}
