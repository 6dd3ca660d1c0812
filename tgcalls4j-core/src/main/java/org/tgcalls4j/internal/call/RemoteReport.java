package org.tgcalls4j.internal.call;

import java.util.List;
import org.tgcalls4j.internal.rtcp.RtcpPacket;
import org.tgcalls4j.internal.rtcp.RtcpPackets;

/**
 * What the SFU's latest RTCP receiver report said about our audio stream (RFC 3550 §6.4.2).
 *
 * @param fractionLost fraction of our packets lost since its previous report, 0.0 to 1.0, or -1
 * @param jitterMillis interarrival jitter in ms (48 kHz timestamp units / 48), or -1
 */
record RemoteReport(double fractionLost, double jitterMillis) {
  static final RemoteReport NONE = new RemoteReport(-1, -1);

  /**
   * @param packet one received RTCP packet
   * @param ssrc our audio SSRC
   * @return what its report block about {@code ssrc} says, or null if it has none
   */
  static RemoteReport find(RtcpPacket packet, int ssrc) {
    List<RtcpPacket.ReportBlock> blocks = packet instanceof RtcpPacket.ReceiverReport rr
        ? rr.reports()
        : packet instanceof RtcpPacket.SenderReport sr ? sr.reports() : List.of();
    RemoteReport found = null;
    for (RtcpPacket.ReportBlock block : blocks) {
      if (block.ssrc() == ssrc) {
        found = new RemoteReport(block.fractionLost() / 256.0, block.jitterRtpUnits() / 48.0);
      }
    }
    return found;
  }

  /**
   * @param rtcp a decrypted compound RTCP packet
   * @param ssrc our audio SSRC
   * @return the last report block about {@code ssrc}, or null if the packet has none or is
   *     malformed
   */
  static RemoteReport find(byte[] rtcp, int ssrc) {
    List<RtcpPacket> packets = RtcpPackets.parseCompound(rtcp, 0, rtcp.length);
    if (packets == null) {
      return null;
    }
    RemoteReport found = null;
    for (RtcpPacket packet : packets) {
      RemoteReport report = find(packet, ssrc);
      if (report != null) {
        found = report;
      }
    }
    return found;
  }
}
