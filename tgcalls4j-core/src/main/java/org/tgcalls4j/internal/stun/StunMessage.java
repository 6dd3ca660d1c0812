package org.tgcalls4j.internal.stun;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A parsed STUN message (RFC 8489 §5): type, 96-bit transaction id and the attributes before
 * MESSAGE-INTEGRITY, plus a copy of the raw bytes so MESSAGE-INTEGRITY can be checked once the
 * caller knows the key. Immutable; safe to share between threads.
 */
public final class StunMessage {
  /** Binding request, RFC 8489 §18.2. */
  public static final int BINDING_REQUEST = 0x0001;
  /** Binding indication, RFC 8489 §18.2. */
  public static final int BINDING_INDICATION = 0x0011;
  /** Binding success response, RFC 8489 §18.2. */
  public static final int BINDING_SUCCESS_RESPONSE = 0x0101;
  /** Binding error response, RFC 8489 §18.2. */
  public static final int BINDING_ERROR_RESPONSE = 0x0111;

  static final int MAGIC_COOKIE = 0x2112A442;
  static final int HEADER_LENGTH = 20;
  static final int TRANSACTION_ID_LENGTH = 12;
  static final int INTEGRITY_LENGTH = 20;
  static final int FINGERPRINT_XOR = 0x5354554E;

  private final int type;
  private final byte[] transactionId;
  private final List<StunAttribute> attributes;
  private final byte[] raw;
  /** Offset of the MESSAGE-INTEGRITY attribute header in {@link #raw}, or -1. */
  private final int integrityOffset;
  private final boolean fingerprint;

  private StunMessage(int type, byte[] transactionId, List<StunAttribute> attributes, byte[] raw,
      int integrityOffset, boolean fingerprint) {
    this.type = type;
    this.transactionId = transactionId;
    this.attributes = attributes;
    this.raw = raw;
    this.integrityOffset = integrityOffset;
    this.fingerprint = fingerprint;
  }

  /**
   * Parses one STUN message that fills the given range exactly, validating every length and the
   * FINGERPRINT if present (RFC 8489 §14.7). Attributes after MESSAGE-INTEGRITY other than
   * FINGERPRINT are ignored (RFC 8489 §14.5); unknown attributes are kept as raw values.
   *
   * @param data the datagram; read only, copied, so the caller may reuse it after return
   * @param offset where the message starts
   * @param length the datagram length in bytes
   * @return the parsed message
   * @throws StunParseException if the bytes are not one well-formed STUN message with the magic
   *     cookie, or the FINGERPRINT does not match
   */
  public static StunMessage parse(byte[] data, int offset, int length) throws StunParseException {
    if (offset < 0 || length < 0 || offset > data.length - length) {
      throw new StunParseException("range " + offset + "+" + length + " outside buffer of " + data.length);
    }
    if (length < HEADER_LENGTH) {
      throw new StunParseException("datagram of " + length + " bytes is shorter than the 20-byte STUN header");
    }
    byte[] raw = Arrays.copyOfRange(data, offset, offset + length);
    int type = readU16(raw, 0);
    if ((type & 0xC000) != 0) {
      throw new StunParseException("first two bits of the STUN header are not zero");
    }
    int bodyLength = readU16(raw, 2);
    if (bodyLength % 4 != 0) {
      throw new StunParseException("message length " + bodyLength + " is not a multiple of 4");
    }
    if (bodyLength != length - HEADER_LENGTH) {
      throw new StunParseException(
          "message length " + bodyLength + " does not match the " + (length - HEADER_LENGTH) + " bytes after the header");
    }
    if (readU32(raw, 4) != MAGIC_COOKIE) {
      throw new StunParseException("magic cookie missing");
    }
    byte[] transactionId = Arrays.copyOfRange(raw, 8, HEADER_LENGTH);
    List<StunAttribute> attributes = new ArrayList<>();
    int integrityOffset = -1;
    boolean fingerprint = false;
    int position = HEADER_LENGTH;
    while (position < length) {
      if (fingerprint) {
        throw new StunParseException("attribute after FINGERPRINT");
      }
      if (length - position < 4) {
        throw new StunParseException("truncated attribute header at offset " + position);
      }
      int attributeType = readU16(raw, position);
      int valueLength = readU16(raw, position + 2);
      int valueStart = position + 4;
      int padded = (valueLength + 3) & ~3;
      if (padded > length - valueStart) {
        throw new StunParseException(String.format("attribute 0x%04x length %d runs past the end (%d left)",
            attributeType, valueLength, length - valueStart));
      }
      if (attributeType == StunAttribute.FINGERPRINT) {
        if (valueLength != 4) {
          throw new StunParseException("FINGERPRINT length " + valueLength + ", expected 4");
        }
        if (readU32(raw, valueStart) != fingerprintOf(raw, position)) {
          throw new StunParseException("FINGERPRINT does not match");
        }
        fingerprint = true;
      } else if (integrityOffset >= 0) {
        // RFC 8489 §14.5: ignore everything after MESSAGE-INTEGRITY but FINGERPRINT.
      } else if (attributeType == StunAttribute.MESSAGE_INTEGRITY) {
        if (valueLength != INTEGRITY_LENGTH) {
          throw new StunParseException("MESSAGE-INTEGRITY length " + valueLength + ", expected 20");
        }
        integrityOffset = position;
      } else {
        attributes.add(new StunAttribute(attributeType,
            Arrays.copyOfRange(raw, valueStart, valueStart + valueLength)));
      }
      position = valueStart + padded;
    }
    return new StunMessage(type, transactionId, List.copyOf(attributes), raw, integrityOffset, fingerprint);
  }

  /** @return the 14-bit message type, method and class combined (e.g. {@link #BINDING_REQUEST}) */
  public int type() {
    return type;
  }

  /** @return a copy of the 12-byte transaction id */
  public byte[] transactionId() {
    return transactionId.clone();
  }

  /** @return true if this message carries the given 12-byte transaction id */
  public boolean hasTransactionId(byte[] id) {
    return Arrays.equals(transactionId, id);
  }

  /** @return the attributes in wire order, without MESSAGE-INTEGRITY, FINGERPRINT and what follows them */
  public List<StunAttribute> attributes() {
    return attributes;
  }

  /** @return the value of the first attribute of this type, or null if absent; the caller must not modify it */
  public byte[] attribute(int attributeType) {
    for (StunAttribute a : attributes) {
      if (a.type() == attributeType) {
        return a.value();
      }
    }
    return null;
  }

  /** @return true if MESSAGE-INTEGRITY is present */
  public boolean hasMessageIntegrity() {
    return integrityOffset >= 0;
  }

  /** @return true if a FINGERPRINT is present (it was verified during parsing) */
  public boolean hasFingerprint() {
    return fingerprint;
  }

  /**
   * Checks MESSAGE-INTEGRITY (HMAC-SHA1, RFC 8489 §14.5) with a short-term credential key.
   *
   * @param key the key, for ICE the UTF-8 bytes of the pwd (RFC 8445 §7.2.2)
   * @return true only if MESSAGE-INTEGRITY is present and matches
   */
  public boolean verifyMessageIntegrity(byte[] key) {
    if (integrityOffset < 0) {
      return false;
    }
    byte[] header = Arrays.copyOf(raw, integrityOffset);
    writeU16(header, 2, integrityOffset + 4 + INTEGRITY_LENGTH - HEADER_LENGTH);
    byte[] expected = hmacSha1(key, header, 0, header.length);
    byte[] actual = Arrays.copyOfRange(raw, integrityOffset + 4, integrityOffset + 4 + INTEGRITY_LENGTH);
    return MessageDigest.isEqual(expected, actual);
  }

  /** @return USERNAME as UTF-8 text, or null if absent */
  public String username() {
    byte[] v = attribute(StunAttribute.USERNAME);
    return v == null ? null : new String(v, StandardCharsets.UTF_8);
  }

  /**
   * @return PRIORITY (RFC 8445 §16.1) as an unsigned 32-bit value, or -1 if absent
   * @throws StunParseException if the attribute is not 4 bytes long
   */
  public long priority() throws StunParseException {
    byte[] v = attribute(StunAttribute.PRIORITY);
    if (v == null) {
      return -1;
    }
    requireLength(v, 4, "PRIORITY");
    return readU32(v, 0) & 0xFFFFFFFFL;
  }

  /**
   * @return the ICE-CONTROLLED tie-breaker (RFC 8445 §16.1), or null if absent
   * @throws StunParseException if the attribute is not 8 bytes long
   */
  public Long iceControlled() throws StunParseException {
    return tieBreaker(StunAttribute.ICE_CONTROLLED, "ICE-CONTROLLED");
  }

  /**
   * @return the ICE-CONTROLLING tie-breaker (RFC 8445 §16.1), or null if absent
   * @throws StunParseException if the attribute is not 8 bytes long
   */
  public Long iceControlling() throws StunParseException {
    return tieBreaker(StunAttribute.ICE_CONTROLLING, "ICE-CONTROLLING");
  }

  /** @return true if USE-CANDIDATE is present (RFC 8445 §7.3.1.5) */
  public boolean useCandidate() {
    return attribute(StunAttribute.USE_CANDIDATE) != null;
  }

  /**
   * @return ERROR-CODE (RFC 8489 §14.8), or null if absent
   * @throws StunParseException if the attribute is shorter than 4 bytes or the code is outside 300..699
   */
  public StunErrorCode errorCode() throws StunParseException {
    byte[] v = attribute(StunAttribute.ERROR_CODE);
    if (v == null) {
      return null;
    }
    if (v.length < 4) {
      throw new StunParseException("ERROR-CODE length " + v.length + ", expected at least 4");
    }
    int code = (v[2] & 0x07) * 100 + (v[3] & 0xFF);
    if (code < 300 || code > 699) {
      throw new StunParseException("ERROR-CODE " + code + " outside 300..699");
    }
    return new StunErrorCode(code, new String(v, 4, v.length - 4, StandardCharsets.UTF_8));
  }

  /**
   * @return XOR-MAPPED-ADDRESS (RFC 8489 §14.2), IPv4 or IPv6, or null if absent
   * @throws StunParseException if the family is unknown or the length does not fit the family
   */
  public InetSocketAddress xorMappedAddress() throws StunParseException {
    return xorAddress(StunAttribute.XOR_MAPPED_ADDRESS, "XOR-MAPPED-ADDRESS");
  }

  /**
   * Decodes the first attribute of an XOR-address type: XOR-MAPPED-ADDRESS (RFC 8489 §14.2) or the
   * TURN attributes of the same layout, XOR-PEER-ADDRESS and XOR-RELAYED-ADDRESS (RFC 8656 §18.3, §18.5).
   *
   * @param attributeType e.g. {@link StunAttribute#XOR_PEER_ADDRESS}
   * @return the address, IPv4 or IPv6, or null if absent
   * @throws StunParseException if the family is unknown or the length does not fit the family
   */
  public InetSocketAddress xorAddress(int attributeType) throws StunParseException {
    return xorAddress(attributeType, String.format("attribute 0x%04x", attributeType));
  }

  private InetSocketAddress xorAddress(int attributeType, String name) throws StunParseException {
    byte[] v = attribute(attributeType);
    if (v == null) {
      return null;
    }
    if (v.length < 4) {
      throw new StunParseException(name + " length " + v.length + " too short");
    }
    int family = v[1] & 0xFF;
    int addressLength = switch (family) {
      case 0x01 -> 4;
      case 0x02 -> 16;
      default -> throw new StunParseException(name + " family " + family + " unknown");
    };
    requireLength(v, 4 + addressLength, name);
    int port = readU16(v, 2) ^ (MAGIC_COOKIE >>> 16);
    byte[] address = Arrays.copyOfRange(v, 4, 4 + addressLength);
    byte[] mask = xorMask(transactionId);
    for (int i = 0; i < addressLength; i++) {
      address[i] ^= mask[i];
    }
    try {
      return new InetSocketAddress(InetAddress.getByAddress(address), port);
    } catch (UnknownHostException e) {
      throw new AssertionError("4 or 16 address bytes are always valid", e);
    }
  }

  private Long tieBreaker(int attributeType, String name) throws StunParseException {
    byte[] v = attribute(attributeType);
    if (v == null) {
      return null;
    }
    requireLength(v, 8, name);
    return ((long) readU32(v, 0) << 32) | (readU32(v, 4) & 0xFFFFFFFFL);
  }

  private static void requireLength(byte[] v, int expected, String name) throws StunParseException {
    if (v.length != expected) {
      throw new StunParseException(name + " length " + v.length + ", expected " + expected);
    }
  }

  /** Magic cookie followed by the transaction id: the XOR mask of RFC 8489 §14.2. */
  static byte[] xorMask(byte[] transactionId) {
    byte[] mask = new byte[16];
    writeU32(mask, 0, MAGIC_COOKIE);
    System.arraycopy(transactionId, 0, mask, 4, TRANSACTION_ID_LENGTH);
    return mask;
  }

  /** CRC-32 of {@code message[0, end)} XOR 0x5354554E (RFC 8489 §14.7). */
  static int fingerprintOf(byte[] message, int end) {
    CRC32 crc = new CRC32();
    crc.update(message, 0, end);
    return (int) crc.getValue() ^ FINGERPRINT_XOR;
  }

  /**
   * One HMAC-SHA1 engine per thread (the event loops, O(cores)), initialised with each message's
   * key: a {@code Mac.getInstance} per message cost 896 bytes and 1.6-5.5 µs against 144 bytes
   * and 0.65 µs reused (JDK 17, 100-byte messages), paid for every check, consent check and
   * answer of every call.
   */
  private static final ThreadLocal<Mac> HMAC_SHA1 = ThreadLocal.withInitial(() -> {
    try {
      return Mac.getInstance("HmacSHA1");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 is required on every Java platform", e);
    }
  });

  static byte[] hmacSha1(byte[] key, byte[] data, int offset, int length) {
    try {
      Mac mac = HMAC_SHA1.get();
      mac.init(new SecretKeySpec(key, "HmacSHA1"));
      mac.update(data, offset, length);
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 is required on every Java platform", e);
    }
  }

  static int readU16(byte[] b, int i) {
    return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
  }

  static int readU32(byte[] b, int i) {
    return ((b[i] & 0xFF) << 24) | ((b[i + 1] & 0xFF) << 16) | ((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF);
  }

  static void writeU16(byte[] b, int i, int v) {
    b[i] = (byte) (v >>> 8);
    b[i + 1] = (byte) v;
  }

  static void writeU32(byte[] b, int i, int v) {
    b[i] = (byte) (v >>> 24);
    b[i + 1] = (byte) (v >>> 16);
    b[i + 2] = (byte) (v >>> 8);
    b[i + 3] = (byte) v;
  }

  @Override
  public String toString() {
    return String.format("StunMessage[type=0x%04x, attributes=%s]", type, attributes);
  }
}
