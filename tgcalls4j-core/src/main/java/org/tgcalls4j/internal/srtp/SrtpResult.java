package org.tgcalls4j.internal.srtp;

/**
 * What {@link SrtpContext#unprotectRtp} and {@link SrtpContext#unprotectRtcp} return for one packet.
 *
 * @param status the outcome
 * @param data the plain RTP/RTCP packet in a new array owned by the caller when {@code status} is
 *     {@link SrtpStatus#OK}; null otherwise
 */
public record SrtpResult(SrtpStatus status, byte[] data) {

  static SrtpResult ok(byte[] data) {
    return new SrtpResult(SrtpStatus.OK, data);
  }

  static SrtpResult failed(SrtpStatus status) {
    return new SrtpResult(status, null);
  }
}
