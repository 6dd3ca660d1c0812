package org.tgcalls4j.internal.dh;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Stateless helpers of the private-call key exchange (p2p-call.md §1.2–§1.5). Sizes are in bytes
 * unless a name says bits.
 */
public final class Dh {
  /** Size of p, of the shared key and of {@code dh_config.random}: 256 bytes (2048 bits). */
  public static final int SIZE = 256;

  /** 2^1984 = 2^(2048−64): the lower bound of a public value and the margin below p (§1.3). */
  private static final BigInteger MARGIN = BigInteger.ONE.shiftLeft(2048 - 64);

  private Dh() {}

  /**
   * The §1.3 range check of a public value g_a or g_b (TDL {@code mtproto/DhHandshake.cpp}
   * dh_check; TD {@code mtproto/mtproto_dh_utils.cpp} IsGoodModExpFirst): at most 256 bytes as
   * sent and 2^1984 ≤ x ≤ p − 2^1984.
   *
   * @param encoded the value as sent, unsigned big-endian
   * @param p the 2048-bit prime
   * @return whether the value may be used
   */
  public static boolean inRange(byte[] encoded, BigInteger p) {
    if (encoded.length > SIZE) {
      return false;
    }
    return inRange(new BigInteger(1, encoded), p);
  }

  /**
   * @param x a public value
   * @param p the 2048-bit prime
   * @return whether 2^1984 ≤ x ≤ p − 2^1984
   */
  public static boolean inRange(BigInteger x, BigInteger p) {
    return x.compareTo(MARGIN) >= 0 && x.compareTo(p.subtract(MARGIN)) <= 0;
  }

  /**
   * Minimal unsigned big-endian bytes of a non-negative value: {@link BigInteger#toByteArray()}
   * without the 0x00 sign byte it adds when the top bit is set (§1.2, AND {@code VoIPService.java}).
   *
   * @param x a value ≥ 0
   * @return its bytes, at least one
   */
  public static byte[] unsigned(BigInteger x) {
    byte[] bytes = x.toByteArray();
    if (bytes.length > 1 && bytes[0] == 0) {
      return Arrays.copyOfRange(bytes, 1, bytes.length);
    }
    return bytes;
  }

  /**
   * Big-endian bytes left-padded with zeros to {@code length} (§1.4: the key is always 256 bytes,
   * TD {@code AuthKey::FillData}).
   *
   * @param x a value ≥ 0 below 2^(8·length)
   * @param length the output size in bytes
   * @return exactly {@code length} bytes
   */
  public static byte[] padded(BigInteger x, int length) {
    byte[] bytes = unsigned(x);
    if (bytes.length > length) {
      throw new IllegalArgumentException("value has " + bytes.length + " bytes, more than " + length);
    }
    byte[] out = new byte[length];
    System.arraycopy(bytes, 0, out, length - bytes.length, bytes.length);
    return out;
  }

  /**
   * @param parts byte strings hashed one after the other
   * @return SHA-256 of their concatenation, 32 bytes
   */
  public static byte[] sha256(byte[]... parts) {
    return digest("SHA-256", parts);
  }

  /**
   * @param data bytes to hash
   * @return SHA-1 of the data, 20 bytes
   */
  public static byte[] sha1(byte[] data) {
    return digest("SHA-1", data);
  }

  /**
   * The key fingerprint of §1.4: bytes 12..19 of SHA1(key) read as a little-endian int64 (TD
   * ComputeFingerprint, TDL calc_key_id).
   *
   * @param key the 256-byte shared key
   * @return the TL {@code key_fingerprint}
   */
  public static long fingerprint(byte[] key) {
    byte[] hash = sha1(key);
    long value = 0;
    for (int i = 19; i >= 12; i--) {
      value = (value << 8) | (hash[i] & 0xFF);
    }
    return value;
  }

  /**
   * The emoji indices of §1.5: h = SHA256(key || g_a); for i in 0..3,
   * {@code (BE64(h[8i..8i+8]) & 0x7FFFFFFFFFFFFFFF) % 333} (TDL {@code telegram/misc.cpp}
   * get_emoji_fingerprints).
   *
   * @param key the 256-byte shared key
   * @param gA the caller's public value, bytes as sent
   * @return four indices into {@link EmojiTable}
   */
  public static int[] emojiIndices(byte[] key, byte[] gA) {
    byte[] h = sha256(key, gA);
    int[] out = new int[4];
    for (int i = 0; i < 4; i++) {
      long n = 0;
      for (int j = 0; j < 8; j++) {
        n = (n << 8) | (h[8 * i + j] & 0xFF);
      }
      out[i] = (int) ((n & Long.MAX_VALUE) % EmojiTable.SIZE);
    }
    return out;
  }

  private static byte[] digest(String algorithm, byte[]... parts) {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is required of every Java platform", e);
    }
    for (byte[] part : parts) {
      digest.update(part);
    }
    return digest.digest();
  }
}
