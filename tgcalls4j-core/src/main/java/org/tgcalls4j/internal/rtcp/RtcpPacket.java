package org.tgcalls4j.internal.rtcp;

import java.util.ArrayList;
import java.util.List;

/**
 * One packet of a received compound RTCP packet (RFC 3550 §6), as returned by
 * {@link RtcpPackets#parseCompound}. SSRCs and 32-bit counters are unsigned values held in int or long.
 */
public sealed interface RtcpPacket {

  /**
   * One reception report block (RFC 3550 §6.4.1).
   *
   * @param ssrc the source this block reports on
   * @param fractionLost 0..255, fraction of packets lost since the previous report, in 1/256 units
   * @param cumulativeLost signed 24-bit cumulative number of packets lost
   * @param extendedHighestSequence extended highest sequence number received, 0..2^32-1
   * @param jitterRtpUnits interarrival jitter in RTP timestamp units, 0..2^32-1
   * @param lastSr middle 32 bits of the NTP timestamp of the last SR received (LSR), 0..2^32-1
   * @param delaySinceLastSr delay since that SR (DLSR) in 1/65536 s, 0..2^32-1
   */
  record ReportBlock(
      int ssrc,
      int fractionLost,
      int cumulativeLost,
      long extendedHighestSequence,
      long jitterRtpUnits,
      long lastSr,
      long delaySinceLastSr) {}

  /**
   * Sender report, PT 200 (RFC 3550 §6.4.1).
   *
   * @param ssrc the sender
   * @param ntpTimestamp 64-bit NTP timestamp (seconds since 1900 in the high 32 bits, fraction in the low)
   * @param rtpTimestamp the RTP timestamp matching {@code ntpTimestamp}, unsigned 32-bit in an int
   * @param packetCount sender's packet count, 0..2^32-1
   * @param octetCount sender's payload octet count, 0..2^32-1
   * @param reports reception report blocks, unmodifiable
   */
  record SenderReport(
      int ssrc, long ntpTimestamp, int rtpTimestamp, long packetCount, long octetCount, List<ReportBlock> reports)
      implements RtcpPacket {}

  /**
   * Receiver report, PT 201 (RFC 3550 §6.4.2).
   *
   * @param ssrc the reporter
   * @param reports reception report blocks, unmodifiable
   */
  record ReceiverReport(int ssrc, List<ReportBlock> reports) implements RtcpPacket {}

  /**
   * One SDES chunk (RFC 3550 §6.5).
   *
   * @param ssrc the described source
   * @param cname the CNAME item decoded as UTF-8, or null if the chunk has none
   */
  record SdesChunk(int ssrc, String cname) {}

  /**
   * Source description, PT 202 (RFC 3550 §6.5); only CNAME items are kept.
   *
   * @param chunks unmodifiable
   */
  record SourceDescription(List<SdesChunk> chunks) implements RtcpPacket {}

  /**
   * Goodbye, PT 203 (RFC 3550 §6.6).
   *
   * @param ssrcs the leaving sources, unmodifiable
   * @param reason the reason text (UTF-8), or null if absent
   */
  record Bye(List<Integer> ssrcs, String reason) implements RtcpPacket {}

  /** The feedback messages tgcalls4j tells apart. */
  enum FeedbackType {
    /** Generic NACK: RTPFB (PT 205) FMT 1, RFC 4585 §6.2.1. */
    NACK,
    /** Transport-wide congestion control feedback: RTPFB FMT 15, draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1. */
    TRANSPORT_CC,
    /** Picture loss indication: PSFB (PT 206) FMT 1, RFC 4585 §6.3.1. */
    PLI,
    /** Full intra request: PSFB FMT 4, RFC 5104 §4.3.1. */
    FIR,
    /** Receiver estimated maximum bitrate: PSFB FMT 15 with the "REMB" identifier, draft-alvestrand-rmcat-remb-03 §2.2. */
    REMB,
    /** Any other RTPFB or PSFB message. */
    OTHER
  }

  /**
   * A transport-layer (PT 205) or payload-specific (PT 206) feedback message, RFC 4585 §6.1.
   *
   * @param type what the message is
   * @param packetType 205 or 206
   * @param fmt the 5-bit feedback message type
   * @param senderSsrc SSRC of the packet sender
   * @param mediaSsrc SSRC of the media source (0 for FIR and REMB, whose FCI names the sources)
   * @param fci the feedback control information, a copy owned by this record
   */
  record Feedback(FeedbackType type, int packetType, int fmt, int senderSsrc, int mediaSsrc, byte[] fci)
      implements RtcpPacket {

    /**
     * Expands the PID/BLP pairs of a generic NACK (RFC 4585 §6.2.1).
     *
     * @return the lost sequence numbers (0..65535) in FCI order; empty unless {@code type} is NACK
     */
    public List<Integer> nackedSequenceNumbers() {
      List<Integer> lost = new ArrayList<>();
      if (type != FeedbackType.NACK) {
        return lost;
      }
      for (int i = 0; i + 4 <= fci.length; i += 4) {
        int pid = ((fci[i] & 0xFF) << 8) | (fci[i + 1] & 0xFF);
        int blp = ((fci[i + 2] & 0xFF) << 8) | (fci[i + 3] & 0xFF);
        lost.add(pid);
        for (int bit = 0; bit < 16; bit++) {
          if ((blp & (1 << bit)) != 0) {
            lost.add((pid + bit + 1) & 0xFFFF);
          }
        }
      }
      return lost;
    }

    /**
     * Decodes the REMB bitrate: 6-bit exponent and 18-bit mantissa (draft-alvestrand-rmcat-remb-03 §2.2).
     *
     * @return the estimate in bits per second, or -1 unless {@code type} is REMB
     */
    public long rembBitrateBps() {
      if (type != FeedbackType.REMB) {
        return -1;
      }
      int exponent = (fci[5] & 0xFC) >>> 2;
      long mantissa = ((fci[5] & 0x03L) << 16) | ((fci[6] & 0xFF) << 8) | (fci[7] & 0xFF);
      return exponent > 45 ? Long.MAX_VALUE : mantissa << exponent;
    }
  }
}
