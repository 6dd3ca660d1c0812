package org.tgcalls4j.internal.rtmp;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Client side of the RTMP handshake, sans-I/O: {@link #c0c1()} gives the bytes to send first,
 * {@link #c2(byte[])} checks S0+S1+S2 and gives C2.
 *
 * <p>The digest ("complex", Flash Player 9) scheme is not in Adobe's published specification; the
 * facts come from FFmpeg's libavformat/rtmpproto.c and librtmp's handshake.h. C1 = time (4) +
 * version 9.0.124.2 (4) + 1528 random bytes, with a 32-byte HMAC-SHA256 digest keyed with the
 * first 30 bytes of {@link #PLAYER_KEY} ("Genuine Adobe Flash Player 001") over the 1504 bytes of
 * C1 that are not the digest. Scheme 0 puts the digest at {@code (C1[8]+C1[9]+C1[10]+C1[11]) % 728
 * + 12}; scheme 1 at {@code (C1[772]+..+C1[775]) % 728 + 776}. We write scheme 0 and look for S1's
 * digest (keyed with the first 36 bytes of {@link #SERVER_KEY}, "Genuine Adobe Flash Media Server
 * 001") in both. When S1 carries one, S2 must either echo C1 or end with HMAC(HMAC(SERVER_KEY,
 * C1 digest), S2[0..1504)), and C2 ends with HMAC(HMAC(PLAYER_KEY, S1 digest), C2[0..1504)).
 * When it does not (simple-handshake servers), C2 echoes S1 (spec §5.2.4).
 */
final class Handshake {
  static final int PACKET_SIZE = 1536;
  static final int DIGEST_SIZE = 32;
  static final int VERSION = 3;

  private static final byte[] KEY_TAIL = {
    (byte) 0xF0, (byte) 0xEE, (byte) 0xC2, 0x4A, (byte) 0x80, 0x68, (byte) 0xBE, (byte) 0xE8,
    0x2E, 0x00, (byte) 0xD0, (byte) 0xD1, 0x02, (byte) 0x9E, 0x7E, 0x57,
    0x6E, (byte) 0xEC, 0x5D, 0x2D, 0x29, (byte) 0x80, 0x6F, (byte) 0xAB,
    (byte) 0x93, (byte) 0xB8, (byte) 0xE6, 0x36, (byte) 0xCF, (byte) 0xEB, 0x31, (byte) 0xAE
  };

  /** "Genuine Adobe Flash Player 001" followed by the 32-byte constant tail (62 bytes). */
  static final byte[] PLAYER_KEY = concat("Genuine Adobe Flash Player 001", KEY_TAIL);

  /** "Genuine Adobe Flash Media Server 001" followed by the 32-byte constant tail (68 bytes). */
  static final byte[] SERVER_KEY = concat("Genuine Adobe Flash Media Server 001", KEY_TAIL);

  private static final byte[] CLIENT_VERSION = {9, 0, 124, 2};

  private final Random random;
  private final boolean digest;
  private byte[] c1;
  private int c1DigestOffset = -1;

  /**
   * @param random source of the random filler (a SecureRandom in production)
   * @param digest false sends a simple-handshake C1 (zero version, no digest); only tests use it
   */
  Handshake(Random random, boolean digest) {
    this.random = random;
    this.digest = digest;
  }

  /** @return C0 (version 3) followed by C1, 1537 bytes */
  byte[] c0c1() {
    c1 = new byte[PACKET_SIZE];
    random.nextBytes(c1);
    Arrays.fill(c1, 0, 8, (byte) 0); // time 0; version 0 means "simple" (spec §5.2.3)
    if (digest) {
      System.arraycopy(CLIENT_VERSION, 0, c1, 4, 4);
      c1DigestOffset = digestOffset(c1, 0);
      byte[] mac = digestOf(c1, c1DigestOffset, Arrays.copyOf(PLAYER_KEY, 30));
      System.arraycopy(mac, 0, c1, c1DigestOffset, DIGEST_SIZE);
    }
    byte[] out = new byte[1 + PACKET_SIZE];
    out[0] = VERSION;
    System.arraycopy(c1, 0, out, 1, PACKET_SIZE);
    return out;
  }

  /**
   * Checks the server's S0+S1+S2 and builds C2.
   *
   * @param s0s1s2 3073 bytes as received
   * @return C2, 1536 bytes
   * @throws HandshakeException when S0 is not version 3, or S1 carries a valid digest but S2 is
   *     neither an echo of C1 nor correctly signed
   */
  byte[] c2(byte[] s0s1s2) throws HandshakeException {
    if (c1 == null) {
      throw new IllegalStateException("c0c1() first");
    }
    if (s0s1s2.length != 1 + 2 * PACKET_SIZE) {
      throw new IllegalArgumentException("S0+S1+S2 length " + s0s1s2.length);
    }
    if (s0s1s2[0] != VERSION) {
      throw new HandshakeException("server answered RTMP version " + (s0s1s2[0] & 0xFF) + ", expected 3");
    }
    byte[] s1 = Arrays.copyOfRange(s0s1s2, 1, 1 + PACKET_SIZE);
    byte[] s2 = Arrays.copyOfRange(s0s1s2, 1 + PACKET_SIZE, s0s1s2.length);
    int s1DigestOffset = digest ? findDigest(s1, Arrays.copyOf(SERVER_KEY, 36)) : -1;
    if (s1DigestOffset < 0) {
      return s1; // simple handshake: C2 echoes S1
    }
    byte[] s2Key = hmac(SERVER_KEY, c1, c1DigestOffset, DIGEST_SIZE);
    byte[] s2Signature = hmac(s2Key, s2, 0, PACKET_SIZE - DIGEST_SIZE);
    boolean signed = MessageDigest.isEqual(
        s2Signature, Arrays.copyOfRange(s2, PACKET_SIZE - DIGEST_SIZE, PACKET_SIZE));
    if (!signed && !MessageDigest.isEqual(s2, c1)) {
      throw new HandshakeException("S2 is neither signed for our C1 digest nor an echo of C1");
    }
    byte[] c2 = new byte[PACKET_SIZE];
    random.nextBytes(c2);
    byte[] c2Key = hmac(PLAYER_KEY, s1, s1DigestOffset, DIGEST_SIZE);
    byte[] signature = hmac(c2Key, c2, 0, PACKET_SIZE - DIGEST_SIZE);
    System.arraycopy(signature, 0, c2, PACKET_SIZE - DIGEST_SIZE, DIGEST_SIZE);
    return c2;
  }

  /** @return where the digest sits in a 1536-byte packet under scheme 0 or 1 */
  static int digestOffset(byte[] packet, int scheme) {
    int base = scheme == 0 ? 8 : 772;
    int sum = 0;
    for (int i = 0; i < 4; i++) {
      sum += packet[base + i] & 0xFF;
    }
    return sum % 728 + base + 4;
  }

  /** @return the offset of a valid digest keyed with {@code key} (scheme 0 first), or -1 */
  static int findDigest(byte[] packet, byte[] key) {
    for (int scheme = 0; scheme < 2; scheme++) {
      int offset = digestOffset(packet, scheme);
      byte[] expected = digestOf(packet, offset, key);
      if (MessageDigest.isEqual(expected, Arrays.copyOfRange(packet, offset, offset + DIGEST_SIZE))) {
        return offset;
      }
    }
    return -1;
  }

  /** HMAC-SHA256 over the packet without the 32 bytes at {@code digestOffset}. */
  private static byte[] digestOf(byte[] packet, int digestOffset, byte[] key) {
    Mac mac = mac(key);
    mac.update(packet, 0, digestOffset);
    mac.update(packet, digestOffset + DIGEST_SIZE, PACKET_SIZE - digestOffset - DIGEST_SIZE);
    return mac.doFinal();
  }

  private static byte[] hmac(byte[] key, byte[] data, int offset, int length) {
    Mac mac = mac(key);
    mac.update(data, offset, length);
    return mac.doFinal();
  }

  private static Mac mac(byte[] key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required on every Java platform", e);
    }
  }

  private static byte[] concat(String text, byte[] tail) {
    byte[] head = text.getBytes(StandardCharsets.US_ASCII);
    byte[] key = Arrays.copyOf(head, head.length + tail.length);
    System.arraycopy(tail, 0, key, head.length, tail.length);
    return key;
  }

  /** The server's handshake answer is not acceptable. */
  static final class HandshakeException extends Exception {
    private static final long serialVersionUID = 1L;

    HandshakeException(String message) {
      super(message);
    }
  }
}
