package org.tgcalls4j.internal.rtcp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.tgcalls4j.internal.rtcp.RtcpPacket.Bye;
import org.tgcalls4j.internal.rtcp.RtcpPacket.Feedback;
import org.tgcalls4j.internal.rtcp.RtcpPacket.FeedbackType;
import org.tgcalls4j.internal.rtcp.RtcpPacket.ReceiverReport;
import org.tgcalls4j.internal.rtcp.RtcpPacket.ReportBlock;
import org.tgcalls4j.internal.rtcp.RtcpPacket.SdesChunk;
import org.tgcalls4j.internal.rtcp.RtcpPacket.SenderReport;
import org.tgcalls4j.internal.rtcp.RtcpPacket.SourceDescription;

/** Builds and parses plain (unprotected) RTCP packets, RFC 3550 §6; stateless and thread-safe. */
public final class RtcpPackets {
  static final int SR = 200;
  static final int RR = 201;
  static final int SDES = 202;
  static final int BYE = 203;
  static final int RTPFB = 205;
  static final int PSFB = 206;
  private static final int SDES_CNAME = 1;
  /** Seconds from the NTP epoch (1900-01-01) to the Unix epoch (1970-01-01), RFC 868. */
  private static final long NTP_UNIX_OFFSET_SECONDS = 2_208_988_800L;

  private RtcpPackets() {}

  /**
   * Builds a compound packet of one Sender Report without report blocks (RFC 3550 §6.4.1) followed
   * by an SDES with one CNAME item (§6.5.1), as §6.1 requires of a compound packet.
   *
   * @param ssrc the sender's SSRC
   * @param wallClockMillis wall-clock time of {@code rtpTimestamp}, milliseconds since 1970-01-01
   *     UTC; encoded as a 64-bit NTP timestamp
   * @param rtpTimestamp the RTP timestamp of the same instant, unsigned 32-bit in an int
   * @param packetCount packets sent since the start; sent modulo 2^32
   * @param octetCount payload octets sent since the start; sent modulo 2^32
   * @param cname the canonical name, 1..255 bytes in UTF-8
   * @return a new array holding the compound packet; owned by the caller
   * @throws IllegalArgumentException if {@code cname} is empty or longer than 255 UTF-8 bytes
   */
  public static byte[] senderReportWithCname(
      int ssrc, long wallClockMillis, int rtpTimestamp, long packetCount, long octetCount, String cname) {
    byte[] name = cname.getBytes(StandardCharsets.UTF_8);
    if (name.length == 0 || name.length > 255) {
      throw new IllegalArgumentException("cname must be 1..255 UTF-8 bytes: " + name.length);
    }
    // SDES chunk: SSRC, CNAME item (type, length, text), then at least one null octet up to a
    // 32-bit boundary (RFC 3550 §6.5).
    int chunkBytes = 4 + ((2 + name.length) / 4 + 1) * 4;
    byte[] out = new byte[28 + 4 + chunkBytes];

    // RFC 3550 §6.4.1: V=2 P=0 RC=0 | PT=200 | length in 32-bit words minus one
    putHeader(out, 0, 0, SR, 28);
    putInt(out, 4, ssrc);
    long ntpSeconds = Math.floorDiv(wallClockMillis, 1000) + NTP_UNIX_OFFSET_SECONDS;
    long ntpFraction = ((long) Math.floorMod(wallClockMillis, 1000) << 32) / 1000;
    putInt(out, 8, (int) ntpSeconds);
    putInt(out, 12, (int) ntpFraction);
    putInt(out, 16, rtpTimestamp);
    putInt(out, 20, (int) packetCount);
    putInt(out, 24, (int) octetCount);

    // RFC 3550 §6.5: V=2 P=0 SC=1 | PT=202 | length
    putHeader(out, 28, 1, SDES, 4 + chunkBytes);
    putInt(out, 32, ssrc);
    out[36] = SDES_CNAME;
    out[37] = (byte) name.length;
    System.arraycopy(name, 0, out, 38, name.length);
    return out;
  }

  /**
   * Splits a compound RTCP packet and decodes the packet types listed in {@link RtcpPacket}. Other
   * packet types (APP, XR, ...) and individual packets whose body contradicts their own header
   * (counts that overrun the length, bad padding) are skipped.
   *
   * @param b the buffer; not kept
   * @param off index of the first byte
   * @param len length of the compound packet in bytes
   * @return the decoded packets in order, or null if the compound structure itself is broken (a
   *     version other than 2, a length field overrunning {@code len}, trailing bytes shorter than
   *     a header, or empty input)
   * @throws IndexOutOfBoundsException if {@code off}/{@code len} do not lie within {@code b}
   */
  public static List<RtcpPacket> parseCompound(byte[] b, int off, int len) {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return null;
    }
    List<RtcpPacket> packets = new ArrayList<>();
    int pos = off;
    int end = off + len;
    while (pos < end) {
      if (end - pos < 4 || (b[pos] & 0xC0) != 0x80) {
        return null;
      }
      int packetBytes = (u16(b, pos + 2) + 1) * 4;
      if (packetBytes > end - pos) {
        return null;
      }
      int bodyEnd = pos + packetBytes;
      if ((b[pos] & 0x20) != 0) {
        // RFC 3550 §6.4.1: the last octet counts the padding octets, itself included.
        int padding = b[bodyEnd - 1] & 0xFF;
        bodyEnd = padding == 0 || padding > packetBytes - 4 ? -1 : bodyEnd - padding;
      }
      RtcpPacket packet = bodyEnd < 0 ? null : parseOne(b, pos, bodyEnd);
      if (packet != null) {
        packets.add(packet);
      }
      pos += packetBytes;
    }
    return packets;
  }

  /** @return the packet, or null if it is of an unknown type or malformed */
  private static RtcpPacket parseOne(byte[] b, int pos, int end) {
    int count = b[pos] & 0x1F;
    int packetType = b[pos + 1] & 0xFF;
    int body = pos + 4;
    switch (packetType) {
      case SR: {
        if (body + 24 + 24 * count > end) {
          return null;
        }
        long ntp = ((long) i32(b, body + 4) << 32) | u32(b, body + 8);
        return new SenderReport(i32(b, body), ntp, i32(b, body + 12), u32(b, body + 16), u32(b, body + 20),
            reportBlocks(b, body + 24, count));
      }
      case RR: {
        if (body + 4 + 24 * count > end) {
          return null;
        }
        return new ReceiverReport(i32(b, body), reportBlocks(b, body + 4, count));
      }
      case SDES:
        return sourceDescription(b, pos, end, count);
      case BYE:
        return bye(b, body, end, count);
      case RTPFB:
      case PSFB: {
        // RFC 4585 §6.1: sender SSRC, media source SSRC, FCI.
        if (body + 8 > end) {
          return null;
        }
        byte[] fci = Arrays.copyOfRange(b, body + 8, end);
        return new Feedback(feedbackType(packetType, count, fci), packetType, count, i32(b, body), i32(b, body + 4), fci);
      }
      default:
        return null;
    }
  }

  private static FeedbackType feedbackType(int packetType, int fmt, byte[] fci) {
    if (packetType == RTPFB) {
      return fmt == 1 ? FeedbackType.NACK : fmt == 15 ? FeedbackType.TRANSPORT_CC : FeedbackType.OTHER;
    }
    if (fmt == 1) {
      return FeedbackType.PLI;
    }
    if (fmt == 4) {
      return FeedbackType.FIR;
    }
    if (fmt == 15 && fci.length >= 8 && fci[0] == 'R' && fci[1] == 'E' && fci[2] == 'M' && fci[3] == 'B') {
      return FeedbackType.REMB;
    }
    return FeedbackType.OTHER;
  }

  private static List<ReportBlock> reportBlocks(byte[] b, int pos, int count) {
    List<ReportBlock> blocks = new ArrayList<>(count);
    for (int i = 0; i < count; i++, pos += 24) {
      // cumulative lost is a signed 24-bit value (RFC 3550 §6.4.1)
      int cumulativeLost = (i32(b, pos + 4) << 8) >> 8;
      blocks.add(new ReportBlock(i32(b, pos), b[pos + 4] & 0xFF, cumulativeLost, u32(b, pos + 8), u32(b, pos + 12),
          u32(b, pos + 16), u32(b, pos + 20)));
    }
    return List.copyOf(blocks);
  }

  private static SourceDescription sourceDescription(byte[] b, int start, int end, int count) {
    List<SdesChunk> chunks = new ArrayList<>(count);
    int pos = start + 4;
    for (int i = 0; i < count; i++) {
      if (pos + 4 > end) {
        return null;
      }
      int ssrc = i32(b, pos);
      pos += 4;
      String cname = null;
      // items until a null octet, then skip to the next 32-bit boundary (RFC 3550 §6.5)
      while (true) {
        if (pos >= end) {
          return null;
        }
        int itemType = b[pos] & 0xFF;
        if (itemType == 0) {
          break;
        }
        if (pos + 2 > end || pos + 2 + (b[pos + 1] & 0xFF) > end) {
          return null;
        }
        int itemLength = b[pos + 1] & 0xFF;
        if (itemType == SDES_CNAME) {
          cname = new String(b, pos + 2, itemLength, StandardCharsets.UTF_8);
        }
        pos += 2 + itemLength;
      }
      pos = start + ((pos - start) / 4 + 1) * 4;
      chunks.add(new SdesChunk(ssrc, cname));
    }
    return new SourceDescription(List.copyOf(chunks));
  }

  private static Bye bye(byte[] b, int pos, int end, int count) {
    if (pos + 4 * count > end) {
      return null;
    }
    List<Integer> ssrcs = new ArrayList<>(count);
    for (int i = 0; i < count; i++, pos += 4) {
      ssrcs.add(i32(b, pos));
    }
    String reason = null;
    if (pos < end) {
      int reasonLength = b[pos] & 0xFF;
      if (pos + 1 + reasonLength > end) {
        return null;
      }
      reason = new String(b, pos + 1, reasonLength, StandardCharsets.UTF_8);
    }
    return new Bye(List.copyOf(ssrcs), reason);
  }

  private static void putHeader(byte[] b, int off, int count, int packetType, int packetBytes) {
    b[off] = (byte) (0x80 | count);
    b[off + 1] = (byte) packetType;
    int words = packetBytes / 4 - 1;
    b[off + 2] = (byte) (words >>> 8);
    b[off + 3] = (byte) words;
  }

  private static void putInt(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 24);
    b[off + 1] = (byte) (v >>> 16);
    b[off + 2] = (byte) (v >>> 8);
    b[off + 3] = (byte) v;
  }

  private static int u16(byte[] b, int off) {
    return ((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF);
  }

  private static int i32(byte[] b, int off) {
    return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
  }

  private static long u32(byte[] b, int off) {
    return i32(b, off) & 0xFFFF_FFFFL;
  }
}
