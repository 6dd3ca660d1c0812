package org.tgcalls4j.internal.rtcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tgcalls4j.internal.rtcp.RtcpPacket.Bye;
import org.tgcalls4j.internal.rtcp.RtcpPacket.Feedback;
import org.tgcalls4j.internal.rtcp.RtcpPacket.FeedbackType;
import org.tgcalls4j.internal.rtcp.RtcpPacket.ReceiverReport;
import org.tgcalls4j.internal.rtcp.RtcpPacket.ReportBlock;
import org.tgcalls4j.internal.rtcp.RtcpPacket.SdesChunk;
import org.tgcalls4j.internal.rtcp.RtcpPacket.SenderReport;
import org.tgcalls4j.internal.rtcp.RtcpPacket.SourceDescription;

class RtcpPacketsTest {

  private static byte[] bytes(int... v) {
    byte[] b = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = (byte) v[i];
    }
    return b;
  }

  @Test
  void buildsSenderReportFollowedByCnameSdes() {
    // 1_700_000_000_500 ms = 1_700_000_000 s + 0.5 s after 1970; + 2_208_988_800 s = 3_908_988_800 = 0xE8FE6F80
    byte[] b = RtcpPackets.senderReportWithCname(0x11223344, 1_700_000_000_500L, 0x3C00, 100, 8000, "abc");

    assertThat(b).containsExactly(
        0x80, 0xC8, 0x00, 0x06, // V=2 P=0 RC=0, PT=200 (SR), length 7 words - 1
        0x11, 0x22, 0x33, 0x44, // SSRC of sender
        0xE8, 0xFE, 0x6F, 0x80, // NTP seconds since 1900
        0x80, 0x00, 0x00, 0x00, // NTP fraction: 0.5 s
        0x00, 0x00, 0x3C, 0x00, // RTP timestamp
        0x00, 0x00, 0x00, 0x64, // sender's packet count 100
        0x00, 0x00, 0x1F, 0x40, // sender's octet count 8000
        0x81, 0xCA, 0x00, 0x03, // V=2 P=0 SC=1, PT=202 (SDES), length 4 words - 1
        0x11, 0x22, 0x33, 0x44, // chunk SSRC
        0x01, 0x03, 'a', 'b', // CNAME item, length 3
        'c', 0x00, 0x00, 0x00); // end-of-items null octet, padded to 32 bits
  }

  @Test
  void padsCnameChunkWithAWholeWordOfNullsWhenItemsEndOnABoundary() {
    byte[] b = RtcpPackets.senderReportWithCname(1, 0, 0, 0x1_0000_0005L, 0, "ab");

    assertThat(b).hasSize(28 + 16);
    assertThat(b).startsWith(0x80, 0xC8, 0x00, 0x06,
        0x00, 0x00, 0x00, 0x01,
        0x83, 0xAA, 0x7E, 0x80, // 2_208_988_800 s: the Unix epoch in NTP time
        0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x05); // packet count sent modulo 2^32
    assertThat(Arrays.copyOfRange(b, 28, 44)).containsExactly(
        0x81, 0xCA, 0x00, 0x03,
        0x00, 0x00, 0x00, 0x01,
        0x01, 0x02, 'a', 'b', // item fills the word exactly...
        0x00, 0x00, 0x00, 0x00); // ...so a full word of nulls terminates it (RFC 3550 §6.5)
  }

  @Test
  void rejectsEmptyOrOverlongCname() {
    assertThatThrownBy(() -> RtcpPackets.senderReportWithCname(1, 0, 0, 0, 0, "")).hasMessageContaining("cname");
    assertThatThrownBy(() -> RtcpPackets.senderReportWithCname(1, 0, 0, 0, 0, "x".repeat(256)))
        .hasMessageContaining("cname");
  }

  @Test
  void parsesItsOwnSenderReport() {
    byte[] b = RtcpPackets.senderReportWithCname(0x91223344, 1_700_000_000_500L, 0xFFFF0000, 100, 8000, "abc");

    List<RtcpPacket> packets = RtcpPackets.parseCompound(b, 0, b.length);

    assertThat(packets).containsExactly(
        new SenderReport(0x91223344, 0xE8FE6F80_80000000L, 0xFFFF0000, 100, 8000, List.of()),
        new SourceDescription(List.of(new SdesChunk(0x91223344, "abc"))));
  }

  private static final int[] RR_SDES_BYE = {
      0x81, 0xC9, 0x00, 0x07, // V=2 RC=1, PT=201 (RR), length 8 words - 1
      0x0A, 0x0B, 0x0C, 0x0D, // SSRC of packet sender
      0x11, 0x22, 0x33, 0x44, // SSRC_1 (source being reported on)
      0x40, // fraction lost 64/256
      0xFF, 0xFF, 0xFE, // cumulative number of packets lost: -2 (signed 24-bit)
      0x00, 0x01, 0xFF, 0xFF, // extended highest sequence number received: cycle 1, seq 65535
      0x00, 0x00, 0x00, 0x2A, // interarrival jitter 42
      0x6F, 0x80, 0x80, 0x00, // last SR (LSR)
      0x00, 0x01, 0x80, 0x00, // delay since last SR: 1.5 s in 1/65536 s
      0x81, 0xCA, 0x00, 0x03, // SDES, SC=1, length 3
      0x0A, 0x0B, 0x0C, 0x0D,
      0x01, 0x03, 'x', 'y', 'z', 0x00, 0x00, 0x00, // CNAME "xyz", null, padding
      0x81, 0xCB, 0x00, 0x03, // BYE, SC=1, length 3
      0x0A, 0x0B, 0x0C, 0x0D,
      0x04, 'd', 'o', 'n', 'e', 0x00, 0x00, 0x00}; // reason length 4 "done", padding

  @Test
  void parsesHandWrittenReceiverReportWithSdesAndBye() {
    byte[] b = bytes(RR_SDES_BYE);

    List<RtcpPacket> packets = RtcpPackets.parseCompound(b, 0, b.length);

    assertThat(packets).containsExactly(
        new ReceiverReport(0x0A0B0C0D,
            List.of(new ReportBlock(0x11223344, 64, -2, 0x1FFFF, 42, 0x6F808000L, 0x18000))),
        new SourceDescription(List.of(new SdesChunk(0x0A0B0C0D, "xyz"))),
        new Bye(List.of(0x0A0B0C0D), "done"));
  }

  @Test
  void detectsFeedbackMessageTypes() {
    byte[] b = bytes(
        0x81, 0xCE, 0x00, 0x02, // PSFB (206) FMT=1: PLI, length 2
        0x0A, 0x0B, 0x0C, 0x0D, // sender SSRC
        0x11, 0x22, 0x33, 0x44, // media source SSRC
        0x81, 0xCD, 0x00, 0x03, // RTPFB (205) FMT=1: generic NACK, length 3
        0x0A, 0x0B, 0x0C, 0x0D,
        0x11, 0x22, 0x33, 0x44,
        0x00, 0x64, 0x00, 0x05, // PID=100, BLP bits 0 and 2: 101 and 103 lost too
        0x84, 0xCE, 0x00, 0x04, // PSFB FMT=4: FIR, length 4
        0x0A, 0x0B, 0x0C, 0x0D,
        0x00, 0x00, 0x00, 0x00, // media source SSRC unused (RFC 5104 §4.3.1.2)
        0x11, 0x22, 0x33, 0x44, 0x07, 0x00, 0x00, 0x00, // FCI: SSRC, seq nr 7, reserved
        0x8F, 0xCE, 0x00, 0x05, // PSFB FMT=15: application layer feedback, length 5
        0x0A, 0x0B, 0x0C, 0x0D,
        0x00, 0x00, 0x00, 0x00,
        'R', 'E', 'M', 'B',
        0x01, 0x0B, 0xD0, 0x90, // 1 SSRC; exp=2, mantissa=0x3D090 (250000): 1,000,000 bps
        0x11, 0x22, 0x33, 0x44);

    List<RtcpPacket> packets = RtcpPackets.parseCompound(b, 0, b.length);

    assertThat(packets).extracting(p -> ((Feedback) p).type())
        .containsExactly(FeedbackType.PLI, FeedbackType.NACK, FeedbackType.FIR, FeedbackType.REMB);
    Feedback pli = (Feedback) packets.get(0);
    assertThat(pli.senderSsrc()).isEqualTo(0x0A0B0C0D);
    assertThat(pli.mediaSsrc()).isEqualTo(0x11223344);
    assertThat(((Feedback) packets.get(1)).nackedSequenceNumbers()).containsExactly(100, 101, 103);
    assertThat(((Feedback) packets.get(2)).fci()).hasSize(8);
    assertThat(((Feedback) packets.get(3)).rembBitrateBps()).isEqualTo(1_000_000);
  }

  @Test
  void returnsNullWhenCompoundStructureIsBroken() {
    byte[] ok = bytes(RR_SDES_BYE);
    byte[] badVersion = ok.clone();
    badVersion[32] = (byte) 0x41; // SDES header says version 1
    assertThat(RtcpPackets.parseCompound(badVersion, 0, badVersion.length)).isNull();
    assertThat(RtcpPackets.parseCompound(ok, 0, ok.length - 4)).as("BYE length overruns").isNull();
    byte[] trailing = Arrays.copyOf(ok, ok.length + 2);
    assertThat(RtcpPackets.parseCompound(trailing, 0, trailing.length)).as("2 stray bytes").isNull();
    assertThat(RtcpPackets.parseCompound(ok, 0, 0)).isNull();
  }

  @Test
  void skipsPacketsWhoseBodyContradictsTheirHeader() {
    byte[] b = bytes(RR_SDES_BYE);
    b[0] = (byte) 0x82; // RR claims 2 report blocks but its length holds 1

    List<RtcpPacket> packets = RtcpPackets.parseCompound(b, 0, b.length);

    assertThat(packets).hasSize(2).allMatch(p -> !(p instanceof ReceiverReport));
  }

  @Test
  void removesPaddingOfTheLastPacket() {
    byte[] b = bytes(
        0xA0, 0xCB, 0x00, 0x02, // BYE with P=1, SC=0, length 2
        0x00, 0x00, 0x00, 0x00, // no reason... (4 bytes of padding below make it empty)
        0x00, 0x00, 0x00, 0x08); // padding count 8: everything after the header
    assertThat(RtcpPackets.parseCompound(b, 0, b.length)).containsExactly(new Bye(List.of(), null));

    b[11] = 0x09; // padding count overruns the packet
    assertThat(RtcpPackets.parseCompound(b, 0, b.length)).isEmpty();
  }
}
