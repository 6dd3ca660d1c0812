package org.tgcalls4j.internal.rtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OpusRtpPacketizerTest {
  private static final byte[] FRAME = {(byte) 0xFC, 0x01, 0x02};

  @Test
  void writesHeaderWithAudioLevelExtensionFieldByField() {
    OpusRtpPacketizer p = new OpusRtpPacketizer(0x12345678, 111, 1, new ScriptedRandom(0xFFFF, 0xFFFFFC40));

    byte[] first = p.packetize(FRAME, 960, 20, true);

    assertThat(first).containsExactly(
        0x90, // V=2, P=0, X=1, CC=0
        0xEF, // M=1, PT=111 (0x6F)
        0xFF, 0xFF, // sequence number 65535 (initial, from the random source)
        0xFF, 0xFF, 0xFC, 0x40, // timestamp 0xFFFFFC40 (initial)
        0x12, 0x34, 0x56, 0x78, // SSRC
        0xBE, 0xDE, 0x00, 0x01, // RFC 8285 §4.2 one-byte form, length 1 word
        0x10, // ID=1, L=0 (one data byte)
        0x94, // RFC 6464 §3: V=1, level 20 (−20 dBov)
        0x00, 0x00, // padding to the word boundary
        0xFC, 0x01, 0x02); // Opus payload
  }

  @Test
  void secondPacketHasNoMarkerAndWrapsSequenceNumberAndTimestamp() {
    OpusRtpPacketizer p = new OpusRtpPacketizer(0x12345678, 111, 1, new ScriptedRandom(0xFFFF, 0xFFFFFC40));
    p.packetize(FRAME, 960, 20, true);

    byte[] second = p.packetize(new byte[] {0x7A}, 960, 200, false);

    assertThat(second).containsExactly(
        0x90, // V=2, X=1
        0x6F, // M=0, PT=111
        0x00, 0x00, // sequence number 65535 + 1 wraps to 0
        0x00, 0x00, 0x00, 0x00, // timestamp 0xFFFFFC40 + 960 wraps to 0
        0x12, 0x34, 0x56, 0x78,
        0xBE, 0xDE, 0x00, 0x01,
        0x10,
        0x7F, // V=0, level 200 sent as 127 ("−127 dBov or less", RFC 6464 §3)
        0x00, 0x00,
        0x7A);
    assertThat(p.lastRtpTimestamp()).isZero();
    assertThat(p.packetCount()).isEqualTo(2);
    assertThat(p.octetCount()).isEqualTo(4);
  }

  @Test
  void skippedSlotsAdvanceTheTimestampNotTheSequenceAndMarkTheNextPacket() {
    OpusRtpPacketizer p = new OpusRtpPacketizer(0x12345678, 111, 0, new ScriptedRandom(0x0010, 0x00001000));
    p.packetize(FRAME, 960, 20, true);
    p.packetize(FRAME, 960, 20, true);
    p.skip(960);
    p.skip(960);
    p.skip(960);

    byte[] afterGap = p.packetize(FRAME, 960, 20, true);
    byte[] next = p.packetize(FRAME, 960, 20, true);

    assertThat(afterGap).startsWith(
        0x80, // V=2, X=0
        0xEF, // M=1 (RFC 3551 §4.1: first packet of a talkspurt), PT=111
        0x00, 0x12, // sequence number 0x10 + 2: no hole for the receiver to count as loss
        0x00, 0x00, 0x22, 0xC0); // timestamp 0x1000 + 5 × 960 = 0x22C0
    assertThat(next[1] & 0xFF).isEqualTo(0x6F); // marker only once
    assertThat(p.packetCount()).isEqualTo(4);
    assertThatThrownBy(() -> p.skip(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void omitsExtensionWhenIdIsZero() {
    OpusRtpPacketizer p = new OpusRtpPacketizer(0xCAFEBABE, 96, 0, new ScriptedRandom(0x0102, 0x03040506));

    assertThat(p.packetize(FRAME, 480, 0, true)).containsExactly(
        0x80, // V=2, X=0
        0xE0, // M=1, PT=96
        0x01, 0x02,
        0x03, 0x04, 0x05, 0x06,
        0xCA, 0xFE, 0xBA, 0xBE,
        0xFC, 0x01, 0x02);
  }

  @Test
  void timestampAdvancesByEachFramesOwnSampleCount() {
    OpusRtpPacketizer p = new OpusRtpPacketizer(1, 111, 1, new ScriptedRandom(0, 1000));
    p.packetize(FRAME, 960, 0, true);
    p.packetize(FRAME, 2880, 0, true);
    byte[] third = p.packetize(FRAME, 960, 0, true);

    RtpHeader h = RtpHeader.parse(third, 0, third.length);
    assertThat(h.timestamp()).isEqualTo(1000 + 960 + 2880);
    assertThat(h.sequenceNumber()).isEqualTo(2);
    assertThat(p.lastRtpTimestamp()).isEqualTo(1000 + 960 + 2880);
  }

  @Test
  void initialSequenceNumberAndTimestampComeFromTheRandomSource() {
    Set<Integer> sequenceNumbers = new HashSet<>();
    Set<Integer> timestamps = new HashSet<>();
    Random random = new Random(7);
    for (int i = 0; i < 20; i++) {
      byte[] b = new OpusRtpPacketizer(1, 111, 0, random).packetize(FRAME, 960, 0, false);
      RtpHeader h = RtpHeader.parse(b, 0, b.length);
      sequenceNumbers.add(h.sequenceNumber());
      timestamps.add(h.timestamp());
    }
    assertThat(sequenceNumbers).hasSizeGreaterThan(15);
    assertThat(timestamps).hasSizeGreaterThan(15);
  }

  @Test
  void rejectsOutOfRangeArguments() {
    ScriptedRandom r = new ScriptedRandom(0, 0);
    assertThatThrownBy(() -> new OpusRtpPacketizer(1, 128, 0, r)).hasMessageContaining("payloadType");
    assertThatThrownBy(() -> new OpusRtpPacketizer(1, 111, 15, r)).hasMessageContaining("audioLevelExtensionId");
    OpusRtpPacketizer p = new OpusRtpPacketizer(1, 111, 1, r);
    assertThatThrownBy(() -> p.packetize(new byte[0], 960, 0, true)).hasMessageContaining("empty");
    assertThatThrownBy(() -> p.packetize(FRAME, 0, 0, true)).hasMessageContaining("samplesAt48kHz");
    assertThatThrownBy(() -> p.packetize(FRAME, 960, -1, true)).hasMessageContaining("audioLevelDbov");
    assertThat(p.packetCount()).isZero();
  }
}
