package org.tgcalls4j;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;

/** Shared fixtures of the key-exchange tests. */
final class DhTestSupport {
  /**
   * Telegram's 2048-bit prime as {@code messages.getDhConfig} returns it (tdlib {@code
   * td/telegram/DhCache.cpp}), written out again here so the tests do not read it from main code.
   */
  static final String TELEGRAM_PRIME_HEX =
      "c71caeb9c6b1c9048e6c522f70f13f73980d40238e3e21c14934d037563d930f"
          + "48198a0aa7c14058229493d22530f4dbfa336f6e0ac925139543aed44cce7c37"
          + "20fd51f69458705ac68cd4fe6b6b13abdc9746512969328454f18faf8c595f64"
          + "2477fe96bb2a941d5bcd1d4ac8cc49880708fa9b378e3c4f3a9060bee67cf9a4"
          + "a4a695811051907e162753b56b0f6b410dba74d8a84b2a14b3144e0ef1284754"
          + "fd17ed950d5965b4b9dd46582db1178d169c6bc465b0d6ff9ca3928fef5b9ae4"
          + "e418fc15e83ebea0f87fa9ff5eed70050ded2849f47bf959d956850ce929851f"
          + "0d8115f635b105ee2e4e15d04b2454bf6f4fadf034b10403119cd8e3b92fcc5b";

  static final BigInteger TELEGRAM_PRIME = new BigInteger(TELEGRAM_PRIME_HEX, 16);

  private DhTestSupport() {}

  static byte[] telegramPrime() {
    return HexFormat.of().parseHex(TELEGRAM_PRIME_HEX);
  }

  /** 256 bytes from a fixed pattern, distinct per {@code seed}. */
  static byte[] pattern(int seed) {
    byte[] out = new byte[256];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) (seed * 31 + i * 7 + (i * i >> 3));
    }
    return out;
  }

  static DhConfig telegramConfig(int g, byte[] random) throws KeyExchangeException {
    return DhConfig.of(g, telegramPrime(), random);
  }

  /** Unsigned big-endian bytes of x with exactly {@code length} bytes (left-padded). */
  static byte[] bytes(BigInteger x, int length) {
    byte[] raw = x.toByteArray();
    int start = raw.length > length ? raw.length - length : 0;
    byte[] out = new byte[length];
    System.arraycopy(raw, start, out, length - (raw.length - start), raw.length - start);
    return out;
  }

  /** Minimal unsigned big-endian bytes of x. */
  static byte[] minimal(BigInteger x) {
    return bytes(x, Math.max(1, (x.bitLength() + 7) / 8));
  }

  static byte[] xor(byte[] a, byte[] b) {
    byte[] out = new byte[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = (byte) (a[i] ^ b[i]);
    }
    return out;
  }

  /** A SecureRandom that hands out scripted blocks, in order, to {@code nextBytes}. */
  static final class ScriptedSecureRandom extends SecureRandom {
    private static final long serialVersionUID = 1L;
    private final transient Deque<byte[]> blocks;

    ScriptedSecureRandom(List<byte[]> blocks) {
      this.blocks = new ArrayDeque<>(blocks);
    }

    @Override
    public void nextBytes(byte[] bytes) {
      byte[] next = blocks.poll();
      if (next == null || next.length != bytes.length) {
        throw new AssertionError("unexpected draw of " + bytes.length + " bytes");
      }
      System.arraycopy(next, 0, bytes, 0, bytes.length);
    }

    int remaining() {
      return blocks.size();
    }

    @Override
    public String toString() {
      return "ScriptedSecureRandom" + Arrays.toString(new int[] {blocks.size()});
    }
  }
}
