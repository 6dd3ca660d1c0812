package org.tgcalls4j.internal.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RtpHeaderTest {

  private static byte[] bytes(int... v) {
    byte[] b = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = (byte) v[i];
    }
    return b;
  }

  /** Fixed header (RFC 3550 §5.1) followed by {@code tail}; X and CC are taken from {@code firstByte}. */
  private static byte[] packet(int firstByte, int... tail) {
    int[] all = new int[12 + tail.length];
    int[] fixed = {firstByte, 0xEF, 0x12, 0x34, 0x00, 0x00, 0x03, 0xC0, 0xDE, 0xAD, 0xBE, 0xEF};
    System.arraycopy(fixed, 0, all, 0, 12);
    System.arraycopy(tail, 0, all, 12, tail.length);
    return bytes(all);
  }

  @Test
  void parsesFixedHeaderFields() {
    byte[] b = packet(0x80, 0xAA, 0xBB);

    RtpHeader h = RtpHeader.parse(b, 0, b.length);

    assertThat(h).isEqualTo(new RtpHeader(true, 111, 0x1234, 960, 0xDEADBEEF, 0, -1, 12, 0, 12, 2, 0));
  }

  @Test
  void honoursOffsetAndLengthWithinALargerBuffer() {
    byte[] inner = packet(0x80, 0xAA, 0xBB);
    byte[] b = new byte[inner.length + 10];
    System.arraycopy(inner, 0, b, 5, inner.length);

    RtpHeader h = RtpHeader.parse(b, 5, inner.length);

    assertThat(h.payloadOffset()).isEqualTo(17);
    assertThat(h.payloadLength()).isEqualTo(2);
  }

  @Test
  void skipsCsrcListAndPadding() {
    byte[] b = packet(0xA2, // V=2, P=1, CC=2
        0, 0, 0, 1, 0, 0, 0, 2, // CSRCs
        0xAA, 0xBB, 0xCC, // payload
        0x00, 0x00, 0x03); // 3 padding octets, the last one counts them

    RtpHeader h = RtpHeader.parse(b, 0, b.length);

    assertThat(h.csrcCount()).isEqualTo(2);
    assertThat(h.payloadOffset()).isEqualTo(20);
    assertThat(h.payloadLength()).isEqualTo(3);
    assertThat(h.paddingLength()).isEqualTo(3);
  }

  @Test
  void rejectsMalformedPackets() {
    byte[] shortPacket = new byte[11];
    shortPacket[0] = (byte) 0x80;
    assertThat(RtpHeader.parse(shortPacket, 0, 11)).as("shorter than 12 bytes").isNull();
    byte[] v1 = packet(0x40);
    assertThat(RtpHeader.parse(v1, 0, v1.length)).as("version 1").isNull();
    byte[] csrcOverrun = packet(0x81, 0, 0, 0);
    assertThat(RtpHeader.parse(csrcOverrun, 0, csrcOverrun.length)).as("CSRC list overruns").isNull();
    byte[] noExtensionHeader = packet(0x90, 0xBE, 0xDE);
    assertThat(RtpHeader.parse(noExtensionHeader, 0, noExtensionHeader.length)).as("extension header cut").isNull();
    byte[] extensionOverrun = packet(0x90, 0xBE, 0xDE, 0x00, 0x02, 0x10, 0x94, 0x00, 0x00);
    assertThat(RtpHeader.parse(extensionOverrun, 0, extensionOverrun.length)).as("2 words, 1 present").isNull();
    byte[] zeroPadding = packet(0xA0, 0xAA, 0x00);
    assertThat(RtpHeader.parse(zeroPadding, 0, zeroPadding.length)).as("padding count 0").isNull();
    byte[] paddingOverrun = packet(0xA0, 0xAA, 0x03);
    assertThat(RtpHeader.parse(paddingOverrun, 0, paddingOverrun.length)).as("padding beyond payload").isNull();
  }

  @Test
  void readsOneByteElementsOfTheRfc8285Section42Example() {
    // RFC 8285 §4.2 figure: length=3; ID L=0 data | ID L=1 data data | pad pad | ID L=3 data×4
    byte[] b = packet(0x90,
        0xBE, 0xDE, 0x00, 0x03,
        0x10, 0x94, // ID=1, L=0: one byte (an RFC 6464 audio level, V=1, 20 dBov)
        0x21, 0xAA, 0xBB, // ID=2, L=1: two bytes
        0x00, 0x00, // padding
        0x33, 0x01, 0x02, 0x03, 0x04, // ID=3, L=3: four bytes
        0x66); // payload
    RtpHeader h = RtpHeader.parse(b, 0, b.length);

    assertThat(h.extensionProfile()).isEqualTo(0xBEDE);
    assertThat(h.extensionElement(b, 1)).containsExactly(0x94);
    assertThat(h.extensionElement(b, 2)).containsExactly(0xAA, 0xBB);
    assertThat(h.extensionElement(b, 3)).containsExactly(0x01, 0x02, 0x03, 0x04);
    assertThat(h.extensionElement(b, 4)).isNull();
    assertThat(h.payloadOffset()).isEqualTo(28);
    assertThat(AudioLevel.read(b, h, 1)).isEqualTo(new AudioLevel(true, 20));
  }

  @Test
  void readsTwoByteElementsOfTheRfc8285Section43Example() {
    // RFC 8285 §4.3 figure: 0x100 + appbits, length=3; ID L=0 | ID L=1 data | pad | ID L=4 data×4
    byte[] b = packet(0x90,
        0x10, 0x00, 0x00, 0x03,
        0x05, 0x00, // ID=5, L=0: no data
        0x07, 0x01, 0x19, // ID=7, L=1: audio level byte, V=0, 25 dBov
        0x00, // padding
        0x0C, 0x04, 0x01, 0x02, 0x03, 0x04); // ID=12, L=4
    RtpHeader h = RtpHeader.parse(b, 0, b.length);

    assertThat(h.extensionElement(b, 5)).isEmpty();
    assertThat(h.extensionElement(b, 7)).containsExactly(0x19);
    assertThat(h.extensionElement(b, 12)).containsExactly(0x01, 0x02, 0x03, 0x04);
    assertThat(AudioLevel.read(b, h, 7)).isEqualTo(new AudioLevel(false, 25));
    assertThat(AudioLevel.read(b, h, 5)).as("no data byte").isNull();
  }

  @Test
  void stopsAtOneByteIdFifteenAndAtOverrunningElements() {
    byte[] reserved = packet(0x90, 0xBE, 0xDE, 0x00, 0x01, 0xF0, 0x10, 0x94, 0x00);
    RtpHeader h = RtpHeader.parse(reserved, 0, reserved.length);
    assertThat(h.extensionElement(reserved, 1)).as("after ID 15, RFC 8285 §4.2").isNull();

    byte[] overrun = packet(0x90, 0xBE, 0xDE, 0x00, 0x01, 0x00, 0x00, 0x13, 0x01);
    RtpHeader o = RtpHeader.parse(overrun, 0, overrun.length);
    assertThat(o.extensionElement(overrun, 1)).as("L=3 needs 4 bytes, 1 left").isNull();
  }

  @Test
  void parsesWhatThePacketizerWrites() {
    OpusRtpPacketizer p = new OpusRtpPacketizer(0x0BADCAFE, 111, 3, new ScriptedRandom(100, 5000));
    byte[] b = p.packetize(new byte[] {1, 2, 3, 4}, 960, 33, true);

    RtpHeader h = RtpHeader.parse(b, 0, b.length);

    assertThat(h.marker()).isTrue();
    assertThat(h.payloadType()).isEqualTo(111);
    assertThat(h.sequenceNumber()).isEqualTo(100);
    assertThat(h.timestamp()).isEqualTo(5000);
    assertThat(h.ssrc()).isEqualTo(0x0BADCAFE);
    assertThat(h.payloadLength()).isEqualTo(4);
    assertThat(AudioLevel.read(b, h, 3)).isEqualTo(new AudioLevel(true, 33));
  }
}
