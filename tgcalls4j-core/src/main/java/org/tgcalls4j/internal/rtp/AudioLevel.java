package org.tgcalls4j.internal.rtp;

/**
 * The client-to-mixer audio level of one RTP packet (RFC 6464 §3), read from its header extension.
 *
 * @param voiceActivity the V flag: the sender believes the packet contains speech
 * @param levelDbov the level in −dBov, 0 (loudest) .. 127 (−127 dBov or quieter)
 */
public record AudioLevel(boolean voiceActivity, int levelDbov) {

  /**
   * @param packet the buffer {@code header} was parsed from; not kept
   * @param header the parsed header
   * @param extensionId the negotiated id of {@code urn:ietf:params:rtp-hdrext:ssrc-audio-level}
   * @return the level, or null if the packet has no such element or its data is empty or longer
   *     than 2 bytes; only the first data byte is read (RFC 6464 §3)
   */
  public static AudioLevel read(byte[] packet, RtpHeader header, int extensionId) {
    byte[] data = header.extensionElement(packet, extensionId);
    if (data == null || data.length == 0 || data.length > 2) {
      return null;
    }
    return new AudioLevel((data[0] & 0x80) != 0, data[0] & 0x7F);
  }
}
