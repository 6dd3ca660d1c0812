package org.tgcalls4j.internal.pc;

import org.tgcalls4j.internal.rtcp.RtcpPacket;

/** Which SSRCs an RTCP packet concerns, for routing it to the tracks that own them. */
final class RtcpRouting {
  private static final int[] NONE = {};

  private RtcpRouting() {}

  /**
   * @param packet a decoded RTCP packet
   * @return the SSRCs it concerns, possibly with repeats: a sender report's sender and the sources
   *     of its report blocks (RFC 3550 §6.4), a receiver report's blocks, a BYE's sources, the
   *     media source of generic feedback (RFC 4585 §6.1), the sources named in a FIR's FCI
   *     (RFC 5104 §4.3.1.1) or a REMB's SSRC list (draft-alvestrand-rmcat-remb-03 §2.2)
   */
  static int[] ssrcsConcerned(RtcpPacket packet) {
    if (packet instanceof RtcpPacket.SenderReport sr) {
      int[] result = new int[1 + sr.reports().size()];
      result[0] = sr.ssrc();
      for (int i = 0; i < sr.reports().size(); i++) {
        result[i + 1] = sr.reports().get(i).ssrc();
      }
      return result;
    }
    if (packet instanceof RtcpPacket.ReceiverReport rr) {
      return rr.reports().stream().mapToInt(RtcpPacket.ReportBlock::ssrc).toArray();
    }
    if (packet instanceof RtcpPacket.Bye bye) {
      return bye.ssrcs().stream().mapToInt(Integer::intValue).toArray();
    }
    if (packet instanceof RtcpPacket.Feedback feedback) {
      byte[] fci = feedback.fci();
      switch (feedback.type()) {
        case FIR: { // entries of SSRC (4), sequence number (1), reserved (3)
          int[] result = new int[fci.length / 8];
          for (int i = 0; i < result.length; i++) {
            result[i] = readInt(fci, i * 8);
          }
          return result;
        }
        case REMB: { // "REMB", num SSRC (1), exponent/mantissa (3), SSRCs
          int count = fci.length >= 5 ? fci[4] & 0xff : 0;
          int available = Math.max(0, (fci.length - 8) / 4);
          int[] result = new int[Math.min(count, available)];
          for (int i = 0; i < result.length; i++) {
            result[i] = readInt(fci, 8 + i * 4);
          }
          return result;
        }
        default:
          return new int[] {feedback.mediaSsrc()};
      }
    }
    return NONE; // SDES: nothing a track acts on
  }

  private static int readInt(byte[] b, int at) {
    return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8)
        | (b[at + 3] & 0xff);
  }
}
