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
}
