package org.tgcalls4j.internal.pc;

import org.tgcalls4j.internal.rtcp.RtcpPacket;

/**
 * One media track plugged into a {@link PeerTransport}: a sender (our SSRCs: RTCP feedback about
 * them arrives here) or, later, a receiver (the peer's SSRCs: their RTP and sender reports). The
 * transport routes by SSRC (RFC 3550 §6; RFC 4585 §6.1 names the media source in feedback).
 *
 * <p>Callbacks run on the transport's I/O thread; they must return quickly and not block.
 */
public interface MediaTrack {
  /** @return the SSRCs this track owns; read once when the track is added */
  int[] ssrcs();

  /**
   * One RTCP packet of a received compound packet that concerns one of {@link #ssrcs()}: a report
   * block about it (SR/RR), feedback naming it (NACK, PLI, FIR, REMB, transport-cc), or a sender
   * report or BYE from it. A packet naming several of our tracks reaches each of them once.
   *
   * @param packet the decoded packet; immutable
   */
  void onRtcp(RtcpPacket packet);

  /**
   * One authenticated, decrypted RTP packet whose SSRC is one of {@link #ssrcs()}.
   *
   * @param packet holds the plain RTP packet; valid only during the call
   * @param offset where the packet starts
   * @param length packet length in bytes
   */
  default void onRtp(byte[] packet, int offset, int length) {}
}
