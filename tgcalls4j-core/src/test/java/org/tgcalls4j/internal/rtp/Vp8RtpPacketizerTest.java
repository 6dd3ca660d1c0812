package org.tgcalls4j.internal.rtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Vp8RtpPacketizerTest {
  private static final int SSRC = 0x11223344;
  private static final int PT = 100;

  private static byte[] frame(int length) {
    byte[] f = new byte[length];
    for (int i = 0; i < length; i++) {
      f[i] = (byte) (i * 31 + 7);
    }
    return f;
  }

  private static byte[] descriptor(byte[] packet) {
    return java.util.Arrays.copyOfRange(packet, 12, 16);
  }

  @Test
  void rfc7741KeyFrameInASingleRtpPacket() {
    // RFC 7741 §4.6.1: X=1, S=1, PartID=0 | I=1 | M=1, PictureID 4711 (extended to 15 bits): 90 80 92 67
    Vp8RtpPacketizer p = new Vp8RtpPacketizer(SSRC, PT, 1200, 0, 0, 4711);
    List<byte[]> packets = p.packetize(frame(500), 0, 500, 0);

    assertThat(packets).hasSize(1);
    assertThat(HexFormat.of().formatHex(descriptor(packets.get(0)))).isEqualTo("90809267");
    assertThat(packets.get(0)[1] & 0x80).as("marker").isEqualTo(0x80);
  }

  @Test
  void rfc7741FrameFragmentedAcrossRtpPackets() {
    // RFC 7741 §4.6.4: the first packet X=1 S=1 PartID=0; the later ones X=1 S=0 PartID=0; I=1 and
    // the same PictureID 4711 in all; the marker bit on the last only
    Vp8RtpPacketizer p = new Vp8RtpPacketizer(SSRC, PT, 1200, 0, 0, 4711);
    List<byte[]> packets = p.packetize(frame(3000), 0, 3000, 0);

    assertThat(packets).hasSize(3);
    assertThat(packets).extracting(b -> HexFormat.of().formatHex(descriptor(b)))
        .containsExactly("90809267", "80809267", "80809267");
    assertThat(packets).extracting(b -> (b[1] & 0x80) != 0).containsExactly(false, false, true);
    assertThat(p.nextPictureId()).isEqualTo(4712);
  }

  @Test
  void rtpHeaderCarriesSsrcPayloadTypeSequenceAndMarkerOnTheLastPacket() {
    Vp8RtpPacketizer p = new Vp8RtpPacketizer(SSRC, PT, 1200, 65534, 0xFFFF_FF00, 1);
    List<byte[]> packets = p.packetize(frame(3000), 0, 3000, 3000);

    assertThat(packets).hasSize(3);
    for (int i = 0; i < 3; i++) {
      RtpHeader h = RtpHeader.parse(packets.get(i), 0, packets.get(i).length);
      assertThat(h).isNotNull();
      assertThat(h.ssrc()).isEqualTo(SSRC);
      assertThat(h.payloadType()).isEqualTo(PT);
      assertThat(h.sequenceNumber()).isEqualTo((65534 + i) & 0xFFFF); // wraps 65535 -> 0
      assertThat(h.timestamp()).isEqualTo(0xFFFF_FF00 + 3000); // wraps mod 2^32
      assertThat(h.marker()).isEqualTo(i == 2);
      assertThat(h.extensionProfile()).isEqualTo(-1);
      assertThat(h.payloadOffset()).isEqualTo(12);
    }
    assertThat(p.packetCount()).isEqualTo(3);
    assertThat(p.octetCount()).isEqualTo(3000 + 3 * 4);
    assertThat(p.frameCount()).isEqualTo(1);
    assertThat(p.lastRtpTimestamp()).isEqualTo(0xFFFF_FF00 + 3000);
  }

  @Test
  void splitsIntoTheFewestPacketsOfEqualSizesThatFitTheBound() {
    Vp8RtpPacketizer p = new Vp8RtpPacketizer(SSRC, PT, 1200, new SplittableRandom(3));
    // 1196 bytes of frame fit one 1200-byte payload; 1197 need two of 599 and 598
    assertThat(p.packetize(frame(1196), 0, 1196, 0)).extracting(b -> b.length).containsExactly(1212);
    assertThat(p.packetize(frame(1197), 0, 1197, 0)).extracting(b -> b.length - 16).containsExactly(599, 598);
    List<byte[]> packets = p.packetize(frame(10_000), 0, 10_000, 0);
    // ceil(10000 / 1196) = 9 packets of 1111 or 1112 bytes
    assertThat(packets).hasSize(9);
    assertThat(packets).allSatisfy(b -> assertThat(b.length - 16).isBetween(1111, 1112));
    assertThat(packets).allSatisfy(b -> assertThat(b.length - 12).isLessThanOrEqualTo(1200));
    assertThat(p.packetize(frame(1), 0, 1, 0)).extracting(b -> b.length).containsExactly(17);
  }

  @Test
  void payloadsConcatenateToTheFrameAndOnlyTheFirstHasS() {
    byte[] f = frame(5000);
    Vp8RtpPacketizer p = new Vp8RtpPacketizer(SSRC, PT, 300, new SplittableRandom(4));
    byte[] padded = new byte[5010];
    System.arraycopy(f, 0, padded, 7, 5000);
    List<byte[]> packets = p.packetize(padded, 7, 5000, 0);
    ByteArrayOutputStream joined = new ByteArrayOutputStream();
    for (int i = 0; i < packets.size(); i++) {
      byte[] b = packets.get(i);
      assertThat(b[12] & 0xFF).isEqualTo(i == 0 ? 0x90 : 0x80); // X, S, N=0, PartID 0
      joined.write(b, 16, b.length - 16);
    }
    assertThat(joined.toByteArray()).isEqualTo(f);
  }

  @Test
  void pictureIdIncrementsPerFrameAndWrapsAt15Bits() {
    Vp8RtpPacketizer p = new Vp8RtpPacketizer(SSRC, PT, 1200, 0, 0, 0x7FFE);
    int[] ids = new int[3];
    for (int i = 0; i < 3; i++) {
      byte[] first = p.packetize(frame(3000), 0, 3000, i * 3000L).get(0);
      assertThat(first[14] & 0x80).as("M bit").isEqualTo(0x80);
      ids[i] = (first[14] & 0x7F) << 8 | first[15] & 0xFF;
    }
    assertThat(ids).containsExactly(0x7FFE, 0x7FFF, 0);
  }

  @Test
  void timestampIsTheRandomBasePlusMediaTimeOn90kHz() {
    Vp8RtpPacketizer p = new Vp8RtpPacketizer(SSRC, PT, 1200, new SplittableRandom(9));
    int base = p.lastRtpTimestamp();
    byte[] a = p.packetize(frame(10), 0, 10, 0).get(0);
    byte[] b = p.packetize(frame(10), 0, 10, 3000).get(0);
    assertThat(RtpHeader.parse(a, 0, a.length).timestamp()).isEqualTo(base);
    assertThat(RtpHeader.parse(b, 0, b.length).timestamp()).isEqualTo(base + 3000);
  }

  @Test
  void rejectsBadArguments() {
    assertThatThrownBy(() -> new Vp8RtpPacketizer(SSRC, 128, 1200, new SplittableRandom()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Vp8RtpPacketizer(SSRC, PT, 4, new SplittableRandom()))
        .isInstanceOf(IllegalArgumentException.class);
    Vp8RtpPacketizer p = new Vp8RtpPacketizer(SSRC, PT, 5, new SplittableRandom());
    assertThatThrownBy(() -> p.packetize(new byte[3], 0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> p.packetize(new byte[3], 2, 2, 0)).isInstanceOf(IndexOutOfBoundsException.class);
    // the smallest bound: one frame byte per packet
    assertThat(p.packetize(new byte[3], 0, 3, 0)).hasSize(3);
  }
}
