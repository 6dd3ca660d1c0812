package org.tgcalls4j.internal.stun;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Builds one STUN message (RFC 8489 §5, §14): attributes in the order added, then optionally
 * MESSAGE-INTEGRITY and FINGERPRINT. Not thread-safe; use one builder per message.
 */
public final class StunMessageBuilder {
  private final int type;
  private final byte[] transactionId;
  private final ByteArrayOutputStream body = new ByteArrayOutputStream();
  private byte paddingByte;

  /**
   * @param type the 14-bit message type, e.g. {@link StunMessage#BINDING_REQUEST}
   * @param transactionId the 12-byte transaction id; copied
   * @throws IllegalArgumentException if the type has its top two bits set or the id is not 12 bytes
   */
  public StunMessageBuilder(int type, byte[] transactionId) {
    if (type < 0 || type > 0x3FFF) {
      throw new IllegalArgumentException("STUN message type must be 14-bit, got " + type);
    }
    if (transactionId.length != StunMessage.TRANSACTION_ID_LENGTH) {
      throw new IllegalArgumentException("transaction id must be 12 bytes, got " + transactionId.length);
    }
    this.type = type;
    this.transactionId = transactionId.clone();
  }

  /**
   * RFC 8489 §14 says padding is zero on send; RFC 5769's vectors pad with spaces. Only the tests
   * that reproduce those vectors change this.
   */
  StunMessageBuilder paddingByte(byte value) {
    this.paddingByte = value;
    return this;
  }

  /**
   * Appends an attribute with its padding to a 4-byte boundary.
   *
   * @param attributeType the 16-bit attribute type
   * @param value the value bytes, at most 0xFFFF; copied
   * @return this builder
   * @throws IllegalArgumentException if the type is not 16-bit or the value is too long
   */
  public StunMessageBuilder add(int attributeType, byte[] value) {
    new StunAttribute(attributeType, value); // validates
    body.write(attributeType >>> 8);
    body.write(attributeType);
    body.write(value.length >>> 8);
    body.write(value.length);
    body.writeBytes(value);
    for (int i = value.length; i % 4 != 0; i++) {
      body.write(paddingByte);
    }
    return this;
  }

  /** Appends USERNAME (RFC 8489 §14.3), UTF-8 encoded. @return this builder */
  public StunMessageBuilder addUsername(String username) {
    return add(StunAttribute.USERNAME, username.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Appends PRIORITY (RFC 8445 §16.1). @return this builder
   *
   * @throws IllegalArgumentException if the priority is not an unsigned 32-bit value
   */
  public StunMessageBuilder addPriority(long priority) {
    if (priority < 0 || priority > 0xFFFFFFFFL) {
      throw new IllegalArgumentException("priority must be unsigned 32-bit, got " + priority);
    }
    byte[] v = new byte[4];
    StunMessage.writeU32(v, 0, (int) priority);
    return add(StunAttribute.PRIORITY, v);
  }

  /** Appends ICE-CONTROLLED with a 64-bit tie-breaker (RFC 8445 §16.1). @return this builder */
  public StunMessageBuilder addIceControlled(long tieBreaker) {
    return add(StunAttribute.ICE_CONTROLLED, u64(tieBreaker));
  }

  /** Appends ICE-CONTROLLING with a 64-bit tie-breaker (RFC 8445 §16.1). @return this builder */
  public StunMessageBuilder addIceControlling(long tieBreaker) {
    return add(StunAttribute.ICE_CONTROLLING, u64(tieBreaker));
  }

  /** Appends the empty USE-CANDIDATE attribute (RFC 8445 §16.1). @return this builder */
  public StunMessageBuilder addUseCandidate() {
    return add(StunAttribute.USE_CANDIDATE, new byte[0]);
  }

  /** Appends ERROR-CODE (RFC 8489 §14.8). @return this builder */
  public StunMessageBuilder addErrorCode(StunErrorCode error) {
    byte[] reason = error.reason().getBytes(StandardCharsets.UTF_8);
    byte[] v = new byte[4 + reason.length];
    v[2] = (byte) (error.code() / 100);
    v[3] = (byte) (error.code() % 100);
    System.arraycopy(reason, 0, v, 4, reason.length);
    return add(StunAttribute.ERROR_CODE, v);
  }

  /**
   * Appends XOR-MAPPED-ADDRESS (RFC 8489 §14.2) for an IPv4 or IPv6 address. @return this builder
   *
   * @throws IllegalArgumentException if the address is unresolved
   */
  public StunMessageBuilder addXorMappedAddress(InetSocketAddress address) {
    return addXorAddress(StunAttribute.XOR_MAPPED_ADDRESS, address);
  }

  /**
   * Appends an attribute of the XOR-MAPPED-ADDRESS layout (RFC 8489 §14.2), e.g. XOR-PEER-ADDRESS
   * (RFC 8656 §18.3), for an IPv4 or IPv6 address. @return this builder
   *
   * @throws IllegalArgumentException if the address is unresolved
   */
  public StunMessageBuilder addXorAddress(int attributeType, InetSocketAddress address) {
    if (address.isUnresolved()) {
      throw new IllegalArgumentException("unresolved address " + address);
    }
    byte[] ip = address.getAddress().getAddress();
    byte[] v = new byte[4 + ip.length];
    v[1] = (byte) (ip.length == 4 ? 0x01 : 0x02);
    StunMessage.writeU16(v, 2, address.getPort() ^ (StunMessage.MAGIC_COOKIE >>> 16));
    byte[] mask = StunMessage.xorMask(transactionId);
    for (int i = 0; i < ip.length; i++) {
      v[4 + i] = (byte) (ip[i] ^ mask[i]);
    }
    return add(attributeType, v);
  }

  /**
   * Encodes the message.
   *
   * @param integrityKey the MESSAGE-INTEGRITY key (for ICE the UTF-8 pwd), or null for none
   * @param fingerprint whether to append FINGERPRINT last
   * @return a new array holding exactly the message
   * @throws IllegalStateException if the message would exceed the 16-bit length field
   */
  public byte[] build(byte[] integrityKey, boolean fingerprint) {
    int bodyLength = body.size() + (integrityKey != null ? 24 : 0) + (fingerprint ? 8 : 0);
    if (bodyLength > 0xFFFF) {
      throw new IllegalStateException("STUN message body of " + bodyLength + " bytes is too long");
    }
    byte[] out = new byte[StunMessage.HEADER_LENGTH + bodyLength];
    StunMessage.writeU16(out, 0, type);
    StunMessage.writeU32(out, 4, StunMessage.MAGIC_COOKIE);
    System.arraycopy(transactionId, 0, out, 8, transactionId.length);
    byte[] attributes = body.toByteArray();
    System.arraycopy(attributes, 0, out, StunMessage.HEADER_LENGTH, attributes.length);
    int position = StunMessage.HEADER_LENGTH + attributes.length;
    if (integrityKey != null) {
      // RFC 8489 §14.5: the length field covers MESSAGE-INTEGRITY but not what follows it.
      StunMessage.writeU16(out, 2, position + 24 - StunMessage.HEADER_LENGTH);
      byte[] mac = StunMessage.hmacSha1(integrityKey, out, 0, position);
      StunMessage.writeU16(out, position, StunAttribute.MESSAGE_INTEGRITY);
      StunMessage.writeU16(out, position + 2, StunMessage.INTEGRITY_LENGTH);
      System.arraycopy(mac, 0, out, position + 4, mac.length);
      position += 24;
    }
    StunMessage.writeU16(out, 2, bodyLength);
    if (fingerprint) {
      StunMessage.writeU16(out, position, StunAttribute.FINGERPRINT);
      StunMessage.writeU16(out, position + 2, 4);
      StunMessage.writeU32(out, position + 4, StunMessage.fingerprintOf(out, position));
    }
    return out;
  }

  private static byte[] u64(long v) {
    byte[] b = new byte[8];
    StunMessage.writeU32(b, 0, (int) (v >>> 32));
    StunMessage.writeU32(b, 4, (int) v);
    return b;
  }
}
