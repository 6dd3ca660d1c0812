package org.tgcalls4j.internal.ogg;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OpusPacketTest {

  private static int samples(int... b) {
    byte[] p = new byte[b.length];
    for (int i = 0; i < b.length; i++) {
      p[i] = (byte) b[i];
    }
    return OpusPacket.samplesAt48kHz(p);
  }

  @Test
  void readsFrameSizeFromTheConfigurationNumber() {
    // RFC 6716 §3.1 Table 2; TOC = config << 3 | s << 2 | c
    assertThat(samples(0 << 3)).as("config 0: SILK NB 10 ms").isEqualTo(480);
    assertThat(samples(3 << 3)).as("config 3: SILK NB 60 ms").isEqualTo(2880);
    assertThat(samples(9 << 3)).as("config 9: SILK WB 20 ms").isEqualTo(960);
    assertThat(samples(14 << 3)).as("config 14: Hybrid FB 10 ms").isEqualTo(480);
    assertThat(samples(15 << 3)).as("config 15: Hybrid FB 20 ms").isEqualTo(960);
    assertThat(samples(16 << 3)).as("config 16: CELT NB 2.5 ms").isEqualTo(120);
    assertThat(samples(0xFC)).as("config 31, stereo: CELT FB 20 ms").isEqualTo(960);
  }

  @Test
  void multipliesByTheFrameCountOfCodes1To3() {
    assertThat(samples(0xFD, 0xAA, 0xBB)).as("code 1: two equal frames").isEqualTo(1920);
    assertThat(samples(0xFE, 0x01, 0xAA, 0xBB)).as("code 2: two frames").isEqualTo(1920);
    assertThat(samples(0x83, 0x06)).as("code 3: six 2.5 ms frames").isEqualTo(720);
    assertThat(samples(0x13, 0x02)).as("code 3: two 40 ms frames (config 2)").isEqualTo(3840);
  }

  @Test
  void rejectsMalformedPackets() {
    assertThat(samples()).as("empty").isEqualTo(-1);
    assertThat(samples(0xFD, 0xAA)).as("code 1 with odd payload length").isEqualTo(-1);
    assertThat(samples(0xFE)).as("code 2 without frame length").isEqualTo(-1);
    assertThat(samples(0xFF)).as("code 3 without count byte").isEqualTo(-1);
    assertThat(samples(0xFF, 0x00)).as("code 3 with zero frames").isEqualTo(-1);
    assertThat(samples(0x1B, 0x03)).as("three 60 ms frames exceed 120 ms").isEqualTo(-1);
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(ints = {960, 2880, 1920, 480, 240, 120, 5760})
  void silenceDecodesToSilenceOfTheAskedDuration(int samples) throws Exception {
    byte[] packet = OpusPacket.silence(samples);
    assertThat(OpusPacket.samplesAt48kHz(packet)).isEqualTo(samples);
    // an independent decoder (Concentus, a port of libopus) must accept it and output zeros
    io.github.jaredmdobson.concentus.OpusDecoder decoder =
        new io.github.jaredmdobson.concentus.OpusDecoder(48000, 2);
    short[] pcm = new short[5760 * 2];
    int decoded = decoder.decode(packet, 0, packet.length, pcm, 0, 5760, false);
    assertThat(decoded).isEqualTo(samples);
    for (int i = 0; i < decoded * 2; i++) {
      assertThat(Math.abs(pcm[i])).as("sample %d", i).isLessThanOrEqualTo(1);
    }
  }

  @Test
  void silenceRefusesDurationsOpusCannotExpress() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> OpusPacket.silence(100))
        .isInstanceOf(IllegalArgumentException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> OpusPacket.silence(5760 + 960))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
