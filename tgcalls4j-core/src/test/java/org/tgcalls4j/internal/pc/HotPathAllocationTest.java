package org.tgcalls4j.internal.pc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tgcalls4j.internal.rtcp.RtcpPacket;
import org.tgcalls4j.internal.rtmp.testing.Allocation;
import org.tgcalls4j.internal.rtp.OpusRtpPacketizer;
import org.tgcalls4j.internal.srtp.SrtpContext;
import org.tgcalls4j.internal.srtp.SrtpProfile;

/**
 * Issue 8: steady-state audio allocates (almost) nothing per packet from the frame to the wire and
 * from the datagram to the track. Counts this thread's heap allocation over many packets after a
 * warm-up; the bound is generous (16 bytes per packet on average), the code allocates none.
 */
class HotPathAllocationTest {
  private static final int SSRC = 0x1234_5678;
  private static final int WARM_UP_PACKETS = 20_000;
  private static final int MEASURED_PACKETS = 20_000;
  private static final long MAX_BYTES_PER_PACKET = 16;

  private static SrtpContext context(SrtpProfile profile) {
    byte[] key = new byte[profile.keyLengthBytes()];
    byte[] salt = new byte[profile.saltLengthBytes()];
    Arrays.fill(key, (byte) 0x21);
    Arrays.fill(salt, (byte) 0x43);
    return new SrtpContext(profile, key, salt);
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void sendingAndReceivingAllocateNothingPerPacket(SrtpProfile profile) {
    OpusRtpPacketizer packetizer = new OpusRtpPacketizer(SSRC, 111, 1, new SplittableRandom(3));
    SrtpContext sender = context(profile);
    SrtpContext receiver = context(profile);
    MediaRouter router = new MediaRouter();
    CountingTrack track = new CountingTrack();
    router.addTrack(track);
    byte[] frame = new byte[160];
    Arrays.fill(frame, (byte) 0x5A);
    byte[] wire = new byte[packetizer.headerBytes() + frame.length + SrtpContext.MAX_TAG_BYTES];

    runPackets(WARM_UP_PACKETS, packetizer, sender, receiver, router, frame, wire);
    long before = Allocation.allocatedBytes();
    runPackets(MEASURED_PACKETS, packetizer, sender, receiver, router, frame, wire);
    long allocated = Allocation.allocatedBytes() - before;

    assertThat(track.packets).isEqualTo(WARM_UP_PACKETS + MEASURED_PACKETS);
    assertThat(track.bytes).isEqualTo((long) track.packets * (packetizer.headerBytes() + frame.length));
    assertThat(allocated / MEASURED_PACKETS).as("bytes allocated per packet (%d in all)", allocated)
        .isLessThanOrEqualTo(MAX_BYTES_PER_PACKET);
  }

  /** Frame → packet → SRTP in place → (the wire) → unprotected in place → routed to the track. */
  private static void runPackets(int count, OpusRtpPacketizer packetizer, SrtpContext sender,
      SrtpContext receiver, MediaRouter router, byte[] frame, byte[] wire) {
    for (int i = 0; i < count; i++) {
      int length = packetizer.packetizeInto(frame, 0, frame.length, 960, 20, true, wire, 0);
      int protectedLength = sender.protectRtpInPlace(wire, 0, length);
      router.receive(receiver, wire, 0, protectedLength);
    }
  }

  private static final class CountingTrack implements MediaTrack {
    long packets;
    long bytes;

    @Override
    public int[] ssrcs() {
      return new int[] {SSRC};
    }

    @Override
    public void onRtcp(RtcpPacket packet) {}

    @Override
    public void onRtp(byte[] packet, int offset, int length) {
      packets++;
      bytes += length;
    }
  }
}
