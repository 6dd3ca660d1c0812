package org.tgcalls4j.internal.pc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tgcalls4j.internal.rtcp.RtcpPacket;
import org.tgcalls4j.internal.rtcp.RtcpPackets;

/** Which SSRCs each kind of RTCP packet concerns, built byte by byte from its RFC layout. */
class RtcpRoutingTest {
  private static final int SFU = 0x0a0b0c0d;
  private static final int AUDIO = 0x11111111;
  private static final int VIDEO = 0x22222222;

  private static RtcpPacket parseOne(byte[] packet) {
    List<RtcpPacket> packets = RtcpPackets.parseCompound(packet, 0, packet.length);
    assertThat(packets).hasSize(1);
    return packets.get(0);
  }

  /** RFC 4585 §6.1 common header + sender SSRC + media SSRC, then the FCI. */
  private static byte[] feedback(int packetType, int fmt, int mediaSsrc, byte[] fci) {
    ByteBuffer b = ByteBuffer.allocate(12 + fci.length);
    b.put((byte) (0x80 | fmt)).put((byte) packetType).putShort((short) ((12 + fci.length) / 4 - 1));
    b.putInt(SFU).putInt(mediaSsrc).put(fci);
    return b.array();
  }

  @Test
  void receiverReportConcernsTheSourcesOfItsBlocks() {
    ByteBuffer b = ByteBuffer.allocate(8 + 2 * 24);
    b.put((byte) 0x82).put((byte) 201).putShort((short) (b.capacity() / 4 - 1)).putInt(SFU);
    b.putInt(AUDIO).put(new byte[20]).putInt(VIDEO).put(new byte[20]);
    assertThat(RtcpRouting.ssrcsConcerned(parseOne(b.array()))).containsExactly(AUDIO, VIDEO);
  }

  @Test
  void senderReportConcernsItsSenderAndItsBlocks() {
    ByteBuffer b = ByteBuffer.allocate(28 + 24);
    b.put((byte) 0x81).put((byte) 200).putShort((short) (b.capacity() / 4 - 1)).putInt(SFU);
    b.put(new byte[20]).putInt(AUDIO).put(new byte[20]);
    assertThat(RtcpRouting.ssrcsConcerned(parseOne(b.array()))).containsExactly(SFU, AUDIO);
  }

  @Test
  void nackPliAndTransportCcConcernTheirMediaSource() {
    RtcpPacket nack = parseOne(feedback(205, 1, VIDEO, new byte[] {0, 10, 0, 1})); // RFC 4585 §6.2.1
    RtcpPacket pli = parseOne(feedback(206, 1, VIDEO, new byte[0])); // RFC 4585 §6.3.1
    RtcpPacket twcc = parseOne(feedback(205, 15, AUDIO, new byte[8])); // draft-holmer §3.1
    assertThat(((RtcpPacket.Feedback) nack).type()).isEqualTo(RtcpPacket.FeedbackType.NACK);
    assertThat(((RtcpPacket.Feedback) pli).type()).isEqualTo(RtcpPacket.FeedbackType.PLI);
    assertThat(((RtcpPacket.Feedback) twcc).type()).isEqualTo(RtcpPacket.FeedbackType.TRANSPORT_CC);
    assertThat(RtcpRouting.ssrcsConcerned(nack)).containsExactly(VIDEO);
    assertThat(RtcpRouting.ssrcsConcerned(pli)).containsExactly(VIDEO);
    assertThat(RtcpRouting.ssrcsConcerned(twcc)).containsExactly(AUDIO);
  }

  @Test
  void firConcernsTheSourcesInItsFci() {
    // RFC 5104 §4.3.1.1: media source SSRC is 0; each FCI entry is SSRC, seq nr, 3 reserved bytes
    byte[] fci = ByteBuffer.allocate(16).putInt(VIDEO).put((byte) 1).put(new byte[3])
        .putInt(AUDIO).put((byte) 2).put(new byte[3]).array();
    RtcpPacket fir = parseOne(feedback(206, 4, 0, fci));
    assertThat(((RtcpPacket.Feedback) fir).type()).isEqualTo(RtcpPacket.FeedbackType.FIR);
    assertThat(RtcpRouting.ssrcsConcerned(fir)).containsExactly(VIDEO, AUDIO);
  }

  @Test
  void rembConcernsItsSsrcListAndNoMoreThanTheFciHolds() {
    // draft-alvestrand-rmcat-remb-03 §2.2: "REMB", num SSRC, BR exp/mantissa, SSRC feedback
    byte[] fci = ByteBuffer.allocate(16).put(new byte[] {'R', 'E', 'M', 'B'}).put((byte) 2)
        .put(new byte[] {0x04, 0x00, 0x01}).putInt(AUDIO).putInt(VIDEO).array();
    RtcpPacket remb = parseOne(feedback(206, 15, 0, fci));
    assertThat(((RtcpPacket.Feedback) remb).type()).isEqualTo(RtcpPacket.FeedbackType.REMB);
    assertThat(RtcpRouting.ssrcsConcerned(remb)).containsExactly(AUDIO, VIDEO);

    byte[] lying = fci.clone();
    lying[4] = (byte) 200; // claims 200 SSRCs, holds 2
    assertThat(RtcpRouting.ssrcsConcerned(parseOne(feedback(206, 15, 0, lying))))
        .containsExactly(AUDIO, VIDEO);
  }

  @Test
  void byeConcernsItsSources() {
    ByteBuffer b = ByteBuffer.allocate(12);
    b.put((byte) 0x82).put((byte) 203).putShort((short) 2).putInt(AUDIO).putInt(VIDEO);
    assertThat(RtcpRouting.ssrcsConcerned(parseOne(b.array()))).containsExactly(AUDIO, VIDEO);
  }
}
