package org.tgcalls4j.internal.rtp;

import java.util.Arrays;
import java.util.Objects;

/**
 * The validated header of one received RTP packet (RFC 3550 §5.1), as offsets into the caller's
 * buffer; the record does not keep the buffer, so pass the same array to {@link #extensionElement}.
 *
 * @param marker the M bit
 * @param payloadType 0..127
 * @param sequenceNumber 0..65535
 * @param timestamp RTP timestamp, unsigned 32-bit value in an int
 * @param ssrc synchronization source, unsigned 32-bit value in an int
 * @param csrcCount number of CSRC entries, 0..15
 * @param extensionProfile the 16-bit "defined by profile" value of the header extension, or -1 if
 *     the X bit is clear
 * @param extensionOffset absolute index of the first extension data byte (after the 4-byte
 *     extension header); meaningless without an extension
 * @param extensionLength extension data length in bytes (a multiple of 4); 0 without an extension
 * @param payloadOffset absolute index of the first payload byte
 * @param payloadLength payload length in bytes, padding excluded; may be 0
 * @param paddingLength trailing padding bytes including the count byte (RFC 3550 §5.1 P bit); 0 if none
 */
public record RtpHeader(
    boolean marker,
    int payloadType,
    int sequenceNumber,
    int timestamp,
    int ssrc,
    int csrcCount,
    int extensionProfile,
    int extensionOffset,
    int extensionLength,
    int payloadOffset,
    int payloadLength,
    int paddingLength) {

  private static final int FIXED_HEADER_BYTES = 12;

  /**
   * Parses and validates an RTP header: version 2, CSRC list, extension header and length, and the
   * padding count all have to fit inside {@code len}. Does not look at the payload type's range
   * against RTCP (demultiplex per RFC 5761 §4 before calling).
   *
   * @param b the buffer; not kept
   * @param off index of the first byte of the packet
   * @param len packet length in bytes
   * @return the header, or null if the bytes are not a well-formed RTP packet
   * @throws IndexOutOfBoundsException if {@code off}/{@code len} do not lie within {@code b}
   */
  public static RtpHeader parse(byte[] b, int off, int len) {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len < FIXED_HEADER_BYTES || (b[off] & 0xC0) != 0x80) {
      return null;
    }
    boolean padding = (b[off] & 0x20) != 0;
    boolean extension = (b[off] & 0x10) != 0;
    int csrcCount = b[off] & 0x0F;
    int end = off + len;
    int pos = off + FIXED_HEADER_BYTES + 4 * csrcCount;
    if (pos > end) {
      return null;
    }
    int extensionProfile = -1;
    int extensionOffset = pos;
    int extensionLength = 0;
    if (extension) {
      // RFC 3550 §5.3.1: 16-bit profile value, 16-bit length in 32-bit words excluding this header.
      if (pos + 4 > end) {
        return null;
      }
      extensionProfile = u16(b, pos);
      extensionLength = 4 * u16(b, pos + 2);
      extensionOffset = pos + 4;
      pos = extensionOffset + extensionLength;
      if (pos > end) {
        return null;
      }
    }
    int paddingLength = 0;
    if (padding) {
      // RFC 3550 §5.1: the last octet counts the padding octets, itself included.
      paddingLength = b[end - 1] & 0xFF;
      if (paddingLength == 0 || paddingLength > end - pos) {
        return null;
      }
    }
    return new RtpHeader(
        (b[off + 1] & 0x80) != 0,
        b[off + 1] & 0x7F,
        u16(b, off + 2),
        i32(b, off + 4),
        i32(b, off + 8),
        csrcCount,
        extensionProfile,
        extensionOffset,
        extensionLength,
        pos,
        end - pos - paddingLength,
        paddingLength);
  }

  /**
   * Finds a header extension element by its local id, in either RFC 8285 form: one-byte (profile
   * 0xBEDE, ids 1..14, §4.2) or two-byte (profile 0x100X, ids 1..255, §4.3). Padding bytes are
   * skipped; in the one-byte form id 15 ends the scan (§4.2). An element that overruns the
   * extension block ends the scan as well.
   *
   * @param packet the same buffer this header was parsed from; not kept
   * @param id the negotiated extension id
   * @return a copy of the element's data bytes, or null if the packet has no such element
   */
  public byte[] extensionElement(byte[] packet, int id) {
    boolean oneByte = extensionProfile == 0xBEDE;
    boolean twoByte = (extensionProfile & 0xFFF0) == 0x1000;
    if (!(oneByte || twoByte) || id <= 0) {
      return null;
    }
    int pos = extensionOffset;
    int end = extensionOffset + extensionLength;
    while (pos < end) {
      int elementId;
      int dataLength;
      if (oneByte) {
        elementId = (packet[pos] & 0xF0) >>> 4;
        if (elementId == 15) {
          return null;
        }
        dataLength = (packet[pos] & 0x0F) + 1;
        pos += 1;
      } else {
        elementId = packet[pos] & 0xFF;
        if (elementId != 0 && pos + 1 >= end) {
          return null;
        }
        dataLength = elementId == 0 ? 0 : packet[pos + 1] & 0xFF;
        pos += elementId == 0 ? 1 : 2;
      }
      if (elementId == 0) {
        // Padding byte (RFC 8285 §4.2/§4.3): a one-byte 0x00, skip; anything else with id 0 is invalid.
        if (oneByte && (packet[pos - 1] & 0x0F) != 0) {
          return null;
        }
        continue;
      }
      if (pos + dataLength > end) {
        return null;
      }
      if (elementId == id) {
        return Arrays.copyOfRange(packet, pos, pos + dataLength);
      }
      pos += dataLength;
    }
    return null;
  }

  private static int u16(byte[] b, int off) {
    return ((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF);
  }

  private static int i32(byte[] b, int off) {
    return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
  }
}
