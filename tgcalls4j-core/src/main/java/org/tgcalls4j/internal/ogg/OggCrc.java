package org.tgcalls4j.internal.ogg;

/**
 * The Ogg page checksum (RFC 3533 §6): CRC-32 with generator 0x04C11DB7, MSB first (not reflected),
 * initial value 0 and no final XOR, which {@link java.util.zip.CRC32} (reflected, inverted) is not.
 */
final class OggCrc {
  private static final int[] TABLE = new int[256];

  static {
    for (int i = 0; i < 256; i++) {
      int r = i << 24;
      for (int bit = 0; bit < 8; bit++) {
        r = (r & 0x8000_0000) != 0 ? (r << 1) ^ 0x04C1_1DB7 : r << 1;
      }
      TABLE[i] = r;
    }
  }

  private OggCrc() {}

  /** @return the CRC of {@code b[off, off+len)} continuing from {@code crc} (0 to start) */
  static int update(int crc, byte[] b, int off, int len) {
    for (int i = off; i < off + len; i++) {
      crc = (crc << 8) ^ TABLE[((crc >>> 24) ^ b[i]) & 0xFF];
    }
    return crc;
  }
}
