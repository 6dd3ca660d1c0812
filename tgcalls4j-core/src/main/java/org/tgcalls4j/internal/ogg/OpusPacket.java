package org.tgcalls4j.internal.ogg;

/** Reads the duration of an Opus packet from its TOC byte (RFC 6716 §3.1, §3.2); stateless. */
public final class OpusPacket {
  /** RFC 6716 §3.2.5: a packet holds at most 120 ms of audio. */
  private static final int MAX_SAMPLES_AT_48KHZ = 5760;

  private OpusPacket() {}

  /**
   * @param packet one complete Opus packet; not kept
   * @return the packet's duration in 48 kHz samples (frame size × frame count), or -1 if the packet
   *     is empty, a code 2 packet has no frame length byte, a code 3 frame count byte is missing or zero, a code 1 packet has an odd payload
   *     length (RFC 6716 §3.2.3), or the duration exceeds 120 ms
   */
  public static int samplesAt48kHz(byte[] packet) {
    if (packet.length == 0) {
      return -1;
    }
    int toc = packet[0] & 0xFF;
    int config = toc >>> 3;
    int frameSamples;
    if (config < 12) {
      // SILK-only: 10, 20, 40, 60 ms
      frameSamples = new int[] {480, 960, 1920, 2880}[config & 3];
    } else if (config < 16) {
      // Hybrid: 10, 20 ms
      frameSamples = (config & 1) == 0 ? 480 : 960;
    } else {
      // CELT-only: 2.5, 5, 10, 20 ms
      frameSamples = 120 << (config & 3);
    }
    int frames;
    switch (toc & 3) {
      case 0:
        frames = 1;
        break;
      case 1:
        // two frames of equal size
        if ((packet.length - 1) % 2 != 0) {
          return -1;
        }
        frames = 2;
        break;
      case 2:
        // two frames, the first one's length coded after the TOC
        if (packet.length < 2) {
          return -1;
        }
        frames = 2;
        break;
      default:
        // code 3: frame count in the low 6 bits of the second byte
        if (packet.length < 2 || (packet[1] & 0x3F) == 0) {
          return -1;
        }
        frames = packet[1] & 0x3F;
        break;
    }
    int samples = frameSamples * frames;
    return samples > MAX_SAMPLES_AT_48KHZ ? -1 : samples;
  }

  /**
   * An Opus packet of digital silence lasting {@code samples} at 48 kHz: CELT fullband frames whose
   * two bytes {@code FF FE} decode to silence (the 3-byte {@code F8 FF FE} packet WebRTC and others
   * send for 20 ms), one frame per packet (code 0) or several of equal size (code 3, RFC 6716
   * §3.2.5).
   *
   * @param samples duration at 48 kHz: a multiple of 120 (2.5 ms), at most 5760 (120 ms)
   * @return a new packet
   * @throws IllegalArgumentException if the duration cannot be expressed
   */
  public static byte[] silence(int samples) {
    int frameSamples = samples % 960 == 0 ? 960 : samples % 480 == 0 ? 480
        : samples % 240 == 0 ? 240 : 120;
    int frames = samples / frameSamples;
    if (samples <= 0 || samples % frameSamples != 0 || samples > 5760) {
      throw new IllegalArgumentException("no Opus silence of " + samples + " samples");
    }
    // CELT-only fullband configs 28..31 are 2.5, 5, 10, 20 ms (RFC 6716 §3.1)
    int config = 28 + Integer.numberOfTrailingZeros(frameSamples / 120);
    if (frames == 1) {
      return new byte[] {(byte) (config << 3), (byte) 0xFF, (byte) 0xFE};
    }
    byte[] packet = new byte[2 + 2 * frames];
    packet[0] = (byte) (config << 3 | 3);
    packet[1] = (byte) frames; // CBR, no padding
    for (int i = 0; i < frames; i++) {
      packet[2 + 2 * i] = (byte) 0xFF;
      packet[3 + 2 * i] = (byte) 0xFE;
    }
    return packet;
  }
}
