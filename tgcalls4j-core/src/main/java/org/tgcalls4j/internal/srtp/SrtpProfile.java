package org.tgcalls4j.internal.srtp;

/**
 * The DTLS-SRTP protection profiles tgcalls4j negotiates, with their key sizes.
 * Identifiers: RFC 5764 §4.1.2 and RFC 7714 §14.2.
 */
public enum SrtpProfile {
  /** AES-128 counter mode with an 80-bit HMAC-SHA1 tag (RFC 3711, RFC 5764). */
  AES128_CM_HMAC_SHA1_80(0x0001, 16, 14, 10),
  /** AES-128-GCM AEAD with a 16-byte tag (RFC 7714). */
  AEAD_AES_128_GCM(0x0007, 16, 12, 16),
  /** AES-256-GCM AEAD with a 16-byte tag (RFC 7714). */
  AEAD_AES_256_GCM(0x0008, 32, 12, 16);

  private final int id;
  private final int keyLengthBytes;
  private final int saltLengthBytes;
  private final int tagLengthBytes;

  SrtpProfile(int id, int keyLengthBytes, int saltLengthBytes, int tagLengthBytes) {
    this.id = id;
    this.keyLengthBytes = keyLengthBytes;
    this.saltLengthBytes = saltLengthBytes;
    this.tagLengthBytes = tagLengthBytes;
  }

  /** @return the 16-bit profile identifier carried in the use_srtp extension */
  public int id() {
    return id;
  }

  /** @return master key length in bytes */
  public int keyLengthBytes() {
    return keyLengthBytes;
  }

  /** @return master salt length in bytes */
  public int saltLengthBytes() {
    return saltLengthBytes;
  }

  /** @return authentication tag length in bytes appended to each SRTP packet */
  public int tagLengthBytes() {
    return tagLengthBytes;
  }

  /**
   * @param id a use_srtp profile identifier
   * @return the profile, or null if tgcalls4j does not implement it
   */
  public static SrtpProfile fromId(int id) {
    for (SrtpProfile p : values()) {
      if (p.id == id) {
        return p;
      }
    }
    return null;
  }
}
