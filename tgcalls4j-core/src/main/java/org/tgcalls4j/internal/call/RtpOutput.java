package org.tgcalls4j.internal.call;

/** Where a call's tracks send: the call's current transport, which protects and sends. */
interface RtpOutput {
  /**
   * Protects the packet in the caller's buffer and sends it (see
   * {@link org.tgcalls4j.internal.pc.PeerTransport#sendRtpInPlace}).
   *
   * @param buffer holds a plain RTP packet at {@code offset} followed by at least
   *     {@link org.tgcalls4j.internal.srtp.SrtpContext#MAX_TAG_BYTES} bytes of room; owned by the
   *     caller, overwritten during the call, not kept after it
   * @param offset where the packet starts
   * @param length plain packet length in bytes
   * @return false if there is no connected transport now (the packet is dropped)
   */
  boolean sendRtpInPlace(byte[] buffer, int offset, int length);

  /**
   * Protects a copy of the packet and sends it: for tracks that keep their packets (the video
   * track's retransmission history), at the cost of one array per packet.
   *
   * @param rtp a plain RTP packet; read only, not kept
   * @return false if there is no connected transport now (the packet is dropped)
   */
  default boolean sendRtp(byte[] rtp) {
    byte[] buffer = java.util.Arrays.copyOf(rtp,
        rtp.length + org.tgcalls4j.internal.srtp.SrtpContext.MAX_TAG_BYTES);
    return sendRtpInPlace(buffer, 0, rtp.length);
  }

  /**
   * @param rtcp a plain compound RTCP packet; read only, not kept
   * @return false if there is no connected transport now (the packet is dropped)
   */
  boolean sendRtcp(byte[] rtcp);
}
