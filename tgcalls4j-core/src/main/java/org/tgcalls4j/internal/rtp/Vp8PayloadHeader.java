package org.tgcalls4j.internal.rtp;

import java.util.Objects;

/**
 * The start of a VP8 frame as RFC 7741 §4.3 describes it for RTP receivers and senders: the
 * 3-byte payload header (the frame tag of RFC 6386 §9.1) and, for a keyframe, the 7 bytes after it
 * (start code and dimensions, RFC 6386 §9.1 / RFC 7741 §4.3).
 *
 * @param keyFrame whether the P bit (inverse key frame flag) is 0
 * @param version the 3-bit VER field (RFC 6386 §9.1: 0..3 are defined)
 * @param showFrame the H bit
 * @param firstPartitionSize the 19-bit size of the first partition in bytes (Size0 + 8 × Size1 +
 *     2048 × Size2)
 * @param width frame width in pixels, 14 bits, from a keyframe; 0 for an interframe
 * @param horizontalScale 2-bit upscaling code (RFC 6386 §9.1), 0 for an interframe
 * @param height frame height in pixels, 14 bits, from a keyframe; 0 for an interframe
 * @param verticalScale 2-bit upscaling code, 0 for an interframe
 */
public record Vp8PayloadHeader(
    boolean keyFrame,
    int version,
    boolean showFrame,
    int firstPartitionSize,
    int width,
    int horizontalScale,
    int height,
    int verticalScale) {

  /** Bytes of the payload header (frame tag). */
  public static final int PAYLOAD_HEADER_BYTES = 3;
  /** Bytes of a keyframe's header: frame tag, 3-byte start code, 2 × 2 bytes of dimensions. */
  public static final int KEY_FRAME_HEADER_BYTES = 10;

  /**
   * Parses the start of a VP8 frame.
   *
   * @param b buffer holding the frame; not kept
   * @param off index of the frame's first byte
   * @param len bytes of the frame available from {@code off}
   * @return the header, or null if fewer than 3 bytes are given, or a keyframe is shorter than 10
   *     bytes or lacks the start code 0x9d 0x01 0x2a
   * @throws IndexOutOfBoundsException if {@code off}/{@code len} do not lie within {@code b}
   */
  public static Vp8PayloadHeader parse(byte[] b, int off, int len) {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len < PAYLOAD_HEADER_BYTES) {
      return null;
    }
    // RFC 7741 §4.3: |Size0 (3)|H|VER (3)|P| in the first octet (P is the least significant bit),
    // then Size1 and Size2.
    int b0 = b[off] & 0xFF;
    boolean keyFrame = (b0 & 0x01) == 0;
    int version = (b0 >>> 1) & 0x07;
    boolean show = (b0 & 0x10) != 0;
    int size = (b0 >>> 5) + 8 * (b[off + 1] & 0xFF) + 2048 * (b[off + 2] & 0xFF);
    if (!keyFrame) {
      return new Vp8PayloadHeader(false, version, show, size, 0, 0, 0, 0);
    }
    if (len < KEY_FRAME_HEADER_BYTES || (b[off + 3] & 0xFF) != 0x9d || (b[off + 4] & 0xFF) != 0x01
        || (b[off + 5] & 0xFF) != 0x2a) {
      return null;
    }
    int w = (b[off + 6] & 0xFF) | (b[off + 7] & 0xFF) << 8;
    int h = (b[off + 8] & 0xFF) | (b[off + 9] & 0xFF) << 8;
    return new Vp8PayloadHeader(true, version, show, size, w & 0x3FFF, w >>> 14, h & 0x3FFF, h >>> 14);
  }

  /**
   * Whether a frame is a keyframe, from the P bit alone (RFC 7741 §4.3).
   *
   * @return true if the frame has at least one byte and its P bit is 0
   */
  public static boolean isKeyFrame(byte[] b, int off, int len) {
    Objects.checkFromIndexSize(off, len, b.length);
    return len > 0 && (b[off] & 0x01) == 0;
  }
}
