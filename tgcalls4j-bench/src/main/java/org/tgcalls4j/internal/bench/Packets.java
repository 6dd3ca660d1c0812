package org.tgcalls4j.internal.bench;

import java.util.Arrays;
import org.tgcalls4j.internal.srtp.SrtpContext;
import org.tgcalls4j.internal.srtp.SrtpProfile;

/** Fixed keys and plain RTP packets shared by the SRTP benchmarks; stateless. */
final class Packets {
  /** SSRC of every benchmark packet. */
  static final int SSRC = 0x1234_5678;
  /** Opus payload type Telegram answers with. */
  static final int OPUS_PAYLOAD_TYPE = 111;
  /** RFC 8285 id of the audio-level extension in the benchmark packets. */
  static final int AUDIO_LEVEL_EXTENSION_ID = 1;
  /** RTP header (12 bytes) plus the one-byte-form audio-level extension block (8 bytes). */
  static final int HEADER_BYTES = 20;

  private Packets() {}

  /** @return a new context for the profile with a fixed master key and salt (same on both sides) */
  static SrtpContext context(SrtpProfile profile) {
    byte[] key = new byte[profile.keyLengthBytes()];
    byte[] salt = new byte[profile.saltLengthBytes()];
    Arrays.fill(key, (byte) 0x2B);
    Arrays.fill(salt, (byte) 0x5C);
    return new SrtpContext(profile, key, salt);
  }

  /**
   * @param payloadBytes payload size after the header
   * @return a new plain RTP packet (RFC 3550 §5.1) with sequence number 0 and the audio-level
   *     extension (RFC 8285 §4.2, RFC 6464), as OpusRtpPacketizer writes it
   */
  static byte[] rtp(int payloadBytes) {
    byte[] packet = new byte[HEADER_BYTES + payloadBytes];
    packet[0] = (byte) 0x90; // V=2, X=1
    packet[1] = (byte) OPUS_PAYLOAD_TYPE;
    packet[8] = (byte) (SSRC >>> 24);
    packet[9] = (byte) (SSRC >>> 16);
    packet[10] = (byte) (SSRC >>> 8);
    packet[11] = (byte) SSRC;
    packet[12] = (byte) 0xBE;
    packet[13] = (byte) 0xDE;
    packet[15] = 1; // one extension word
    packet[16] = (byte) (AUDIO_LEVEL_EXTENSION_ID << 4);
    packet[17] = (byte) 0x9E; // V=1, 30 -dBov
    for (int i = HEADER_BYTES; i < packet.length; i++) {
      packet[i] = (byte) (i * 31);
    }
    return packet;
  }

  /** Writes the 16-bit RTP sequence number (RFC 3550 §5.1) into a packet from {@link #rtp}. */
  static void setSequenceNumber(byte[] packet, int sequenceNumber) {
    packet[2] = (byte) (sequenceNumber >>> 8);
    packet[3] = (byte) sequenceNumber;
  }
}
