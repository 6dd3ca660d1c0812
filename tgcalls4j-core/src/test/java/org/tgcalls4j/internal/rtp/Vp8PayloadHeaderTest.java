package org.tgcalls4j.internal.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class Vp8PayloadHeaderTest {
  @Test
  void parsesTheKeyFrameHeaderOfAnFfmpegFrame() {
    // first 10 bytes of frame 0 of the committed seed fuzz/ivf/ffmpeg-32x24-4frames.ivf (libvpx, 32x24)
    byte[] f = HexFormat.of().parseHex("5014009d012a20001800");
    Vp8PayloadHeader h = Vp8PayloadHeader.parse(f, 0, f.length);
    // 0x50 = 010 1 000 0: Size0 = 2, H = 1, VER = 0, P = 0 (keyframe); size = 2 + 8 * 0x14 + 0 = 162
    assertThat(h).isEqualTo(new Vp8PayloadHeader(true, 0, true, 162, 32, 0, 24, 0));
    assertThat(Vp8PayloadHeader.isKeyFrame(f, 0, f.length)).isTrue();
  }

  @Test
  void interFrameHasPBitSetAndNoDimensions() {
    byte[] f = {(byte) 0xB1, 0x02, 0x01};
    // 0xB1 = 101 1 000 1: Size0 = 5, H = 1, VER = 0, P = 1; size = 5 + 8 * 2 + 2048 * 1
    assertThat(Vp8PayloadHeader.parse(f, 0, 3)).isEqualTo(new Vp8PayloadHeader(false, 0, true, 2069, 0, 0, 0, 0));
    assertThat(Vp8PayloadHeader.isKeyFrame(f, 0, 3)).isFalse();
  }

  @Test
  void readsScaleBitsAnd14BitDimensions() {
    // width 1920 with horizontal scale 1 (0x4780), height 1080 with vertical scale 3 (0xC438)
    byte[] f = HexFormat.of().parseHex("0000009d012a804738c4");
    Vp8PayloadHeader h = Vp8PayloadHeader.parse(f, 0, f.length);
    assertThat(h.width()).isEqualTo(1920);
    assertThat(h.horizontalScale()).isEqualTo(1);
    assertThat(h.height()).isEqualTo(1080);
    assertThat(h.verticalScale()).isEqualTo(3);
    assertThat(h.showFrame()).isFalse();
  }

  @Test
  void malformedStartsAreNull() {
    assertThat(Vp8PayloadHeader.parse(new byte[2], 0, 2)).isNull();
    // keyframe without start code, and keyframe cut before the dimensions
    assertThat(Vp8PayloadHeader.parse(HexFormat.of().parseHex("0000009d012b20001800"), 0, 10)).isNull();
    assertThat(Vp8PayloadHeader.parse(HexFormat.of().parseHex("0000009d012a2000"), 0, 8)).isNull();
    assertThat(Vp8PayloadHeader.isKeyFrame(new byte[1], 0, 0)).isFalse();
  }
}
