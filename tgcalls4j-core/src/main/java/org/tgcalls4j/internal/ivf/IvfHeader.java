package org.tgcalls4j.internal.ivf;

import java.math.BigInteger;

/**
 * The 32-byte IVF file header, as validated by {@link IvfReader}.
 *
 * @param version the header version (0 in every known writer)
 * @param headerLengthBytes the declared header length in bytes, 32..{@value IvfReader#MAX_HEADER_BYTES}
 * @param fourCc the codec FourCC, always "VP80" here
 * @param width frame width in pixels as declared by the writer, 1..65535
 * @param height frame height in pixels as declared by the writer, 1..65535
 * @param timebaseRate the time base denominator: one pts unit lasts {@code timebaseScale /
 *     timebaseRate} seconds; positive (ffmpeg writes its stream time base, libvpx the frame rate)
 * @param timebaseScale the time base numerator, positive
 * @param frameCount the frame count the writer declared; informative only (ffmpeg writes 0 when
 *     its output cannot seek), unsigned 32-bit value in a long
 */
public record IvfHeader(
    int version,
    int headerLengthBytes,
    String fourCc,
    int width,
    int height,
    long timebaseRate,
    long timebaseScale,
    long frameCount) {

  /**
   * Converts a frame's pts to the 90 kHz clock of video RTP (RFC 7741 §4.1, RFC 3551 §5), rounding
   * towards negative infinity.
   *
   * @param pts a frame's presentation timestamp in this file's time base
   * @return {@code pts × timebaseScale × 90000 / timebaseRate}; exact for any pts (no overflow)
   */
  public long ptsTo90kHz(long pts) {
    long numerator = timebaseScale * 90_000L; // both factors are below 2^32 and 2^17: no overflow
    long high = Math.multiplyHigh(pts, numerator);
    long low = pts * numerator;
    if ((high == 0 && low >= 0) || (high == -1 && low < 0)) {
      return Math.floorDiv(low, timebaseRate);
    }
    BigInteger[] qr = BigInteger.valueOf(pts).multiply(BigInteger.valueOf(numerator))
        .divideAndRemainder(BigInteger.valueOf(timebaseRate));
    BigInteger floor = qr[1].signum() < 0 ? qr[0].subtract(BigInteger.ONE) : qr[0];
    return floor.longValue(); // the low 64 bits: RTP keeps only the low 32 anyway
  }
}
