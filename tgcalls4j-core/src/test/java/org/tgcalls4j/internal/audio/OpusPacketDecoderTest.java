package org.tgcalls4j.internal.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.jaredmdobson.concentus.OpusDecoder;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class OpusPacketDecoderTest {
  /**
   * 15 random bytes (TOC 0x59: SILK wideband, two 20 ms frames) on which a fresh stereo Concentus
   * 1.0.2 decoder fails its {@code silk_MLA} assert; found by decoding random packets.
   */
  static final byte[] CONCENTUS_ASSERTS = HexFormat.of().parseHex("59cb3bc30132476ac58b185fc518cd");

  @Test
  void concentusThrowsAnErrorOnThisPacket() throws Exception {
    // the reason for OpusPacketDecoder; if a newer Concentus decodes or rejects it with an
    // OpusException, this fails: look for another crasher or drop the AssertionError branch
    OpusDecoder raw = new OpusDecoder(48_000, 2);
    assertThatThrownBy(() -> raw.decode(CONCENTUS_ASSERTS, 0, CONCENTUS_ASSERTS.length,
        new short[5760 * 2], 0, 5760, false)).isInstanceOf(AssertionError.class);
  }

  @Test
  void anAssertIsARejectedPacketAndTheDecoderGoesOn() {
    OpusPacketDecoder decoder = new OpusPacketDecoder(2);
    short[] pcm = new short[5760 * 2];
    assertThat(decoder.decode(CONCENTUS_ASSERTS, 0, CONCENTUS_ASSERTS.length, pcm, 0, 5760, false))
        .isEqualTo(-1);
    assertThat(decoder.rejected()).isEqualTo(1);
    assertThat(decoder.decode(null, 0, 0, pcm, 0, 960, false)).as("concealment after it")
        .isEqualTo(960);
    byte[] silence = {(byte) 0xFC, (byte) 0xFF, (byte) 0xFE}; // CELT FB 20 ms, stereo, silence
    assertThat(decoder.decode(silence, 0, silence.length, pcm, 0, 5760, false)).isEqualTo(960);
    assertThat(decoder.rejected()).isEqualTo(1);
  }

  @Test
  void anEmptyOrTruncatedPacketIsRejectedNotThrown() {
    OpusPacketDecoder decoder = new OpusPacketDecoder(1);
    short[] pcm = new short[5760];
    assertThat(decoder.decode(new byte[] {(byte) 0x03}, 0, 1, pcm, 0, 5760, false)).isEqualTo(-1);
    assertThat(decoder.rejected()).isEqualTo(1);
  }
}
