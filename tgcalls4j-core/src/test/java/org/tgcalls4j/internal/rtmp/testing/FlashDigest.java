package org.tgcalls4j.internal.rtmp.testing;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Test-side, independent statement of the Flash Player 9 handshake digest, written from the
 * published description (FFmpeg libavformat/rtmpproto.c, librtmp handshake.h): a 32-byte
 * HMAC-SHA256 over the 1504 packet bytes that are not the digest, placed at {@code
 * (p[8]+p[9]+p[10]+p[11]) % 728 + 12} (scheme 0) or {@code (p[772]+..+p[775]) % 728 + 776}
 * (scheme 1). Clients key it with "Genuine Adobe Flash Player 001", servers with "Genuine Adobe
 * Flash Media Server 001"; the full keys append the 32 bytes below.
 */
public final class FlashDigest {
  public static final String PLAYER_TEXT = "Genuine Adobe Flash Player 001";
  public static final String SERVER_TEXT = "Genuine Adobe Flash Media Server 001";

  /** The 32 bytes that follow the text in the full keys (rtmp_player_key / rtmp_server_key). */
  public static final int[] KEY_TAIL = {
    0xF0, 0xEE, 0xC2, 0x4A, 0x80, 0x68, 0xBE, 0xE8, 0x2E, 0x00, 0xD0, 0xD1, 0x02, 0x9E, 0x7E, 0x57,
    0x6E, 0xEC, 0x5D, 0x2D, 0x29, 0x80, 0x6F, 0xAB, 0x93, 0xB8, 0xE6, 0x36, 0xCF, 0xEB, 0x31, 0xAE
  };

  private FlashDigest() {}

  /** @return the text key alone (30 or 36 bytes) */
  public static byte[] shortKey(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  /** @return text + 32-byte tail (62 or 68 bytes) */
  public static byte[] fullKey(String text) {
    byte[] head = shortKey(text);
    byte[] key = Arrays.copyOf(head, head.length + KEY_TAIL.length);
    for (int i = 0; i < KEY_TAIL.length; i++) {
      key[head.length + i] = (byte) KEY_TAIL[i];
    }
    return key;
  }

  /** @return the digest position for scheme 0 (base 8) or 1 (base 772) */
  public static int offset(byte[] packet, int scheme) {
    int base = scheme == 0 ? 8 : 772;
    return ((packet[base] & 0xFF) + (packet[base + 1] & 0xFF) + (packet[base + 2] & 0xFF) + (packet[base + 3] & 0xFF))
            % 728
        + base + 4;
  }

  /** @return HMAC-SHA256(key, packet without the 32 bytes at offset) */
  public static byte[] digestAt(byte[] packet, int offset, byte[] key) {
    byte[] rest = new byte[1536 - 32];
    System.arraycopy(packet, 0, rest, 0, offset);
    System.arraycopy(packet, offset + 32, rest, offset, 1536 - offset - 32);
    return hmac(key, rest);
  }

  /** @return the offset of a valid digest under either scheme, or -1 */
  public static int find(byte[] packet, byte[] key) {
    for (int scheme = 0; scheme < 2; scheme++) {
      int offset = offset(packet, scheme);
      if (MessageDigest.isEqual(digestAt(packet, offset, key), Arrays.copyOfRange(packet, offset, offset + 32))) {
        return offset;
      }
    }
    return -1;
  }

  /** Writes a valid scheme-0 digest into the packet; returns its offset. */
  public static int sign(byte[] packet, byte[] key) {
    int offset = offset(packet, 0);
    System.arraycopy(digestAt(packet, offset, key), 0, packet, offset, 32);
    return offset;
  }

  /** @return HMAC-SHA256(key, data) */
  public static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  /** @return true when the last 32 bytes are HMAC(HMAC(fullKey, peerDigest), first 1504 bytes) */
  public static boolean signedResponse(byte[] packet, byte[] fullKey, byte[] peerDigest) {
    byte[] expected = hmac(hmac(fullKey, peerDigest), Arrays.copyOf(packet, 1504));
    return MessageDigest.isEqual(expected, Arrays.copyOfRange(packet, 1504, 1536));
  }

  /** Makes the last 32 bytes HMAC(HMAC(fullKey, peerDigest), first 1504 bytes). */
  public static void signResponse(byte[] packet, byte[] fullKey, byte[] peerDigest) {
    byte[] signature = hmac(hmac(fullKey, peerDigest), Arrays.copyOf(packet, 1504));
    System.arraycopy(signature, 0, packet, 1504, 32);
  }
}
