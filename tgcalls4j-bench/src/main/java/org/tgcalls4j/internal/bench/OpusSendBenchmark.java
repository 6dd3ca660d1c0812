package org.tgcalls4j.internal.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.tgcalls4j.internal.rtp.OpusRtpPacketizer;
import org.tgcalls4j.internal.srtp.SrtpContext;
import org.tgcalls4j.internal.srtp.SrtpProfile;

/**
 * The send path of one 20 ms Opus frame (160 bytes, 64 kbit/s): {@link OpusRtpPacketizer#packetize}
 * with the audio-level extension alone, and followed by {@link SrtpContext#protectRtp}, which is
 * what a group call does for each outgoing audio packet.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class OpusSendBenchmark {
  static final int OPUS_FRAME_BYTES = 160;
  static final int SAMPLES_PER_20_MS_AT_48_KHZ = 960;
  static final int AUDIO_LEVEL_DBOV = 30;

  /** The packetizer and one frame of filler bytes. */
  @State(Scope.Thread)
  public static class Packetizing {
    OpusRtpPacketizer packetizer;
    byte[] opusFrame;

    /** Makes the packetizer and the frame. */
    @Setup
    public void setUp() {
      packetizer = new OpusRtpPacketizer(Packets.SSRC, Packets.OPUS_PAYLOAD_TYPE,
          Packets.AUDIO_LEVEL_EXTENSION_ID, new SplittableRandom(1));
      opusFrame = new byte[OPUS_FRAME_BYTES];
      for (int i = 0; i < opusFrame.length; i++) {
        opusFrame[i] = (byte) (i * 31);
      }
    }

    byte[] packetize() {
      return packetizer.packetize(opusFrame, SAMPLES_PER_20_MS_AT_48_KHZ, AUDIO_LEVEL_DBOV, true);
    }
  }

  /** The sending SRTP context; only the benchmark that protects is run per profile. */
  @State(Scope.Thread)
  public static class Protecting {
    @Param({"AES128_CM_HMAC_SHA1_80", "AEAD_AES_128_GCM", "AEAD_AES_256_GCM"})
    public SrtpProfile profile;

    SrtpContext sender;

    /** Makes the sending context. */
    @Setup
    public void setUp() {
      sender = Packets.context(profile);
    }
  }

  /** @return the plain RTP packet, consumed by JMH */
  @Benchmark
  public byte[] packetize(Packetizing packetizing) {
    return packetizing.packetize();
  }

  /** @return the SRTP packet, consumed by JMH */
  @Benchmark
  public byte[] packetizeAndProtect(Packetizing packetizing, Protecting protecting) {
    byte[] rtp = packetizing.packetize();
    return protecting.sender.protectRtp(rtp, 0, rtp.length);
  }
}
