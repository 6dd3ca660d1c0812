package org.tgcalls4j.internal.srtp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-GCM (NIST SP 800-38D) with a 12-byte IV and a 16-byte tag, in place and without allocating
 * per message: the counter-mode keystream comes from one AES/ECB cipher keyed once, and GHASH is
 * computed here with 4-bit tables (Shoup's method, as in many C libraries' portable fallback). JCA's
 * own AES/GCM has to be re-initialized for every IV, and its {@code Cipher.init} allocates about a
 * kilobyte of engine state per packet.
 *
 * <p>The GHASH tables (256 bytes) are indexed by data that depends on the hash key; they span four
 * cache lines, the usual trade-off of table-driven GHASH against cache-timing observers on the same
 * machine. Not thread-safe: one instance per SRTP context, which is itself confined.
 */
final class AesGcm {
  static final int IV_BYTES = 12;
  static final int TAG_BYTES = 16;
  private static final int BLOCK = 16;
  private static final VarHandle LONG_BIG_ENDIAN =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle INT_BIG_ENDIAN =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  /** x^4 reductions of the 4 bits shifted out, pre-shifted into the top 16 bits (R = 0xE1 || 0^120). */
  private static final long[] REDUCE_4BIT = {
    0x0000L << 48, 0x1C20L << 48, 0x3840L << 48, 0x2460L << 48,
    0x7080L << 48, 0x6CA0L << 48, 0x48C0L << 48, 0x54E0L << 48,
    0xE100L << 48, 0xFD20L << 48, 0xD940L << 48, 0xC560L << 48,
    0x9180L << 48, 0x8DA0L << 48, 0xA9C0L << 48, 0xB5E0L << 48,
  };

  private final Cipher ecb;
  /** Multiples of the hash subkey H by every 4-bit element: high and low 64 bits. */
  private final long[] tableHi = new long[16];
  private final long[] tableLo = new long[16];
  // scratch
  private final byte[] partial = new byte[BLOCK];
  /** Counter blocks IV || 1 + i; the counters are written when the array is made, the IV per call. */
  private byte[] counters = counterBlocks(2048);
  /** E(K, J0) (the tag mask) at [0, 16), then the keystream E(K, inc32(J0)), ... */
  private byte[] keystream = new byte[2048];
  // GHASH state
  private long yHi;
  private long yLo;
  private int partialBytes;

  /**
   * @param key the AES key, 16 or 32 bytes
   * @throws GeneralSecurityException if JCA has no AES/ECB/NoPadding or rejects the key
   */
  AesGcm(SecretKeySpec key) throws GeneralSecurityException {
    ecb = Cipher.getInstance("AES/ECB/NoPadding");
    ecb.init(Cipher.ENCRYPT_MODE, key);
    byte[] h = ecb.doFinal(new byte[BLOCK]); // H = E(K, 0^128)
    long vHi = readLong(h, 0);
    long vLo = readLong(h, 8);
    // table[8] = H, table[4] = H·x, table[2] = H·x^2, table[1] = H·x^3 (bit order of SP 800-38D)
    for (int i = 8; i > 0; i >>= 1) {
      tableHi[i] = vHi;
      tableLo[i] = vLo;
      long carry = 0xE100_0000_0000_0000L & -(vLo & 1);
      vLo = (vHi << 63) | (vLo >>> 1);
      vHi = (vHi >>> 1) ^ carry;
    }
    for (int i = 2; i < 16; i <<= 1) {
      for (int j = 1; j < i; j++) {
        tableHi[i + j] = tableHi[i] ^ tableHi[j];
        tableLo[i + j] = tableLo[i] ^ tableLo[j];
      }
    }
  }

  /**
   * Encrypts {@code length} bytes at {@code offset} in place and writes the 16-byte tag right after
   * them. The AAD is {@code aad[aadOffset, +aadLength)} followed by {@code aad2[aad2Offset,
   * +aad2Length)} (aad2 may be null); it may lie in {@code data} before the plaintext.
   */
  void seal(byte[] iv, byte[] aad, int aadOffset, int aadLength, byte[] aad2, int aad2Offset,
      int aad2Length, byte[] data, int offset, int length) throws GeneralSecurityException {
    keystream(iv, length);
    xorKeystream(data, offset, length);
    ghash(aad, aadOffset, aadLength, aad2, aad2Offset, aad2Length, data, offset, length);
    writeTag(data, offset + length);
  }

  /**
   * Checks the tag that follows {@code length} bytes of ciphertext at {@code offset} and, if it
   * matches, decrypts them in place; the AAD as for {@link #seal}.
   *
   * @return false if the tag does not match (the data is left as it was)
   */
  boolean open(byte[] iv, byte[] aad, int aadOffset, int aadLength, byte[] aad2, int aad2Offset,
      int aad2Length, byte[] data, int offset, int length) throws GeneralSecurityException {
    keystream(iv, length);
    ghash(aad, aadOffset, aadLength, aad2, aad2Offset, aad2Length, data, offset, length);
    long tagHi = yHi ^ readLong(keystream, 0);
    long tagLo = yLo ^ readLong(keystream, 8);
    int tagAt = offset + length;
    long difference = (tagHi ^ readLong(data, tagAt)) | (tagLo ^ readLong(data, tagAt + 8));
    if (difference != 0) {
      return false;
    }
    xorKeystream(data, offset, length);
    return true;
  }

  /** keystream = E(K, J0), E(K, inc32(J0)), ... for the tag mask and {@code length} bytes. */
  private void keystream(byte[] iv, int length) throws GeneralSecurityException {
    int blocks = 1 + (length + BLOCK - 1) / BLOCK;
    int bytes = blocks * BLOCK;
    if (bytes > counters.length) {
      counters = counterBlocks(bytes);
      keystream = new byte[bytes];
    }
    // J0 = IV || 0^31 || 1 for a 96-bit IV (SP 800-38D §7.1); only the IV changes from call to call
    long ivHead = readLong(iv, 0);
    int ivTail = (int) INT_BIG_ENDIAN.get(iv, 8);
    byte[] c = counters;
    for (int at = 0; at < bytes; at += BLOCK) {
      writeLong(c, at, ivHead);
      INT_BIG_ENDIAN.set(c, at + 8, ivTail);
    }
    if (ecb.update(c, 0, bytes, keystream, 0) != bytes) {
      throw new GeneralSecurityException("AES/ECB did not encrypt every counter block");
    }
  }

  /** Blocks of 16 bytes whose last four hold the counter 1 + i of block i, big-endian. */
  private static byte[] counterBlocks(int bytes) {
    byte[] c = new byte[bytes];
    for (int at = 0, counter = 1; at < bytes; at += BLOCK, counter++) {
      INT_BIG_ENDIAN.set(c, at + 12, counter);
    }
    return c;
  }

  private void xorKeystream(byte[] data, int offset, int length) {
    byte[] k = keystream;
    int i = 0;
    for (; i + 8 <= length; i += 8) {
      writeLong(data, offset + i, readLong(data, offset + i) ^ readLong(k, BLOCK + i));
    }
    for (; i < length; i++) {
      data[offset + i] ^= k[BLOCK + i];
    }
  }

  /** GHASH(H, A, C) into (yHi, yLo), SP 800-38D §7.1 steps 5 and 6. */
  private void ghash(byte[] aad, int aadOffset, int aadLength, byte[] aad2, int aad2Offset,
      int aad2Length, byte[] c, int cOffset, int cLength) {
    yHi = 0;
    yLo = 0;
    partialBytes = 0;
    absorb(aad, aadOffset, aadLength);
    if (aad2 != null) {
      absorb(aad2, aad2Offset, aad2Length);
    }
    padPartial();
    absorb(c, cOffset, cLength);
    padPartial();
    long aadBits = 8L * (aadLength + (aad2 != null ? aad2Length : 0));
    yHi ^= aadBits;
    yLo ^= 8L * cLength;
    multiplyByH();
  }

  private void absorb(byte[] b, int offset, int length) {
    int end = offset + length;
    int i = offset;
    while (partialBytes > 0 && i < end) {
      partial[partialBytes++] = b[i++];
      if (partialBytes == BLOCK) {
        yHi ^= readLong(partial, 0);
        yLo ^= readLong(partial, 8);
        multiplyByH();
        partialBytes = 0;
      }
    }
    for (; i + BLOCK <= end; i += BLOCK) {
      yHi ^= readLong(b, i);
      yLo ^= readLong(b, i + 8);
      multiplyByH();
    }
    while (i < end) {
      partial[partialBytes++] = b[i++];
    }
  }

  /** Ends a section (AAD or ciphertext): a partial block is zero-padded and hashed. */
  private void padPartial() {
    if (partialBytes > 0) {
      for (int i = partialBytes; i < BLOCK; i++) {
        partial[i] = 0;
      }
      yHi ^= readLong(partial, 0);
      yLo ^= readLong(partial, 8);
      multiplyByH();
      partialBytes = 0;
    }
  }

  /** Y = Y · H in GF(2^128), four bits at a time from the last byte of Y to the first. */
  private void multiplyByH() {
    long[] hi = tableHi;
    long[] lo = tableLo;
    long x = yLo;
    int nibble = (int) x & 0xF;
    long zHi = hi[nibble];
    long zLo = lo[nibble];
    for (int shift = 4; shift < 64; shift += 4) {
      nibble = (int) (x >>> shift) & 0xF;
      long reduce = REDUCE_4BIT[(int) zLo & 0xF];
      zLo = ((zHi << 60) | (zLo >>> 4)) ^ lo[nibble];
      zHi = (zHi >>> 4) ^ reduce ^ hi[nibble];
    }
    x = yHi;
    for (int shift = 0; shift < 64; shift += 4) {
      nibble = (int) (x >>> shift) & 0xF;
      long reduce = REDUCE_4BIT[(int) zLo & 0xF];
      zLo = ((zHi << 60) | (zLo >>> 4)) ^ lo[nibble];
      zHi = (zHi >>> 4) ^ reduce ^ hi[nibble];
    }
    yHi = zHi;
    yLo = zLo;
  }

  private void writeTag(byte[] out, int at) {
    long tagHi = yHi ^ readLong(keystream, 0);
    long tagLo = yLo ^ readLong(keystream, 8);
    writeLong(out, at, tagHi);
    writeLong(out, at + 8, tagLo);
  }

  private static long readLong(byte[] b, int i) {
    return (long) LONG_BIG_ENDIAN.get(b, i);
  }

  private static void writeLong(byte[] b, int i, long v) {
    LONG_BIG_ENDIAN.set(b, i, v);
  }
}
