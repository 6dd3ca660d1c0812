package org.tgcalls4j.internal.call;

/** Where a call's tracks send: the call's current transport, which protects and sends. */
interface RtpOutput {
  /**
   * @param rtp a plain RTP packet; read only, not kept
   * @return false if there is no connected transport now (the packet is dropped)
   */
  boolean sendRtp(byte[] rtp);

  /**
   * @param rtcp a plain compound RTCP packet; read only, not kept
   * @return false if there is no connected transport now (the packet is dropped)
   */
  boolean sendRtcp(byte[] rtcp);
}
