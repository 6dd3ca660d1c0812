package org.tgcalls4j.internal.stun;

import java.util.Arrays;

/**
 * One STUN attribute as carried on the wire (RFC 8489 §14): a 16-bit type and its value without the
 * padding. The value array is owned by this record; callers must not modify it.
 *
 * @param type the attribute type, 0..0xFFFF (constants below)
 * @param value the value bytes, at most 0xFFFF of them
 */
public record StunAttribute(int type, byte[] value) {
  /** USERNAME, RFC 8489 §14.3. */
  public static final int USERNAME = 0x0006;
  /** MESSAGE-INTEGRITY (HMAC-SHA1), RFC 8489 §14.5. */
  public static final int MESSAGE_INTEGRITY = 0x0008;
  /** ERROR-CODE, RFC 8489 §14.8. */
  public static final int ERROR_CODE = 0x0009;
  /** CHANNEL-NUMBER, RFC 8656 §18.1. */
  public static final int CHANNEL_NUMBER = 0x000C;
  /** LIFETIME in seconds, RFC 8656 §18.2. */
  public static final int LIFETIME = 0x000D;
  /** XOR-PEER-ADDRESS, RFC 8656 §18.3. */
  public static final int XOR_PEER_ADDRESS = 0x0012;
  /** DATA, RFC 8656 §18.4. */
  public static final int DATA = 0x0013;
  /** REALM, RFC 8489 §14.9. */
  public static final int REALM = 0x0014;
  /** NONCE, RFC 8489 §14.10. */
  public static final int NONCE = 0x0015;
  /** XOR-RELAYED-ADDRESS, RFC 8656 §18.5. */
  public static final int XOR_RELAYED_ADDRESS = 0x0016;
  /** REQUESTED-TRANSPORT, RFC 8656 §18.6. */
  public static final int REQUESTED_TRANSPORT = 0x0019;
  /** XOR-MAPPED-ADDRESS, RFC 8489 §14.2. */
  public static final int XOR_MAPPED_ADDRESS = 0x0020;
  /** PRIORITY, RFC 8445 §16.1. */
  public static final int PRIORITY = 0x0024;
  /** USE-CANDIDATE, RFC 8445 §16.1. */
  public static final int USE_CANDIDATE = 0x0025;
  /** SOFTWARE, RFC 8489 §14.14. */
  public static final int SOFTWARE = 0x8022;
  /** FINGERPRINT, RFC 8489 §14.7. */
  public static final int FINGERPRINT = 0x8028;
  /** ICE-CONTROLLED, RFC 8445 §16.1. */
  public static final int ICE_CONTROLLED = 0x8029;
  /** ICE-CONTROLLING, RFC 8445 §16.1. */
  public static final int ICE_CONTROLLING = 0x802A;

  /**
   * @throws IllegalArgumentException if the type is not 16-bit or the value is longer than 0xFFFF bytes
   * @throws NullPointerException if {@code value} is null
   */
  public StunAttribute {
    if (type < 0 || type > 0xFFFF) {
      throw new IllegalArgumentException("attribute type must be 16-bit, got " + type);
    }
    if (value.length > 0xFFFF) {
      throw new IllegalArgumentException("attribute value too long: " + value.length + " bytes");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StunAttribute a && a.type == type && Arrays.equals(a.value, value);
  }

  @Override
  public int hashCode() {
    return 31 * type + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return String.format("StunAttribute[type=0x%04x, length=%d]", type, value.length);
  }
}
