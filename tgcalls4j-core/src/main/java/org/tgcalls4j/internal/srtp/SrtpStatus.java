package org.tgcalls4j.internal.srtp;

/** Outcome of unprotecting one received SRTP or SRTCP packet (RFC 3711 §3.3, §3.4). */
public enum SrtpStatus {
  /** The packet authenticated, was not a replay, and was decrypted. */
  OK,
  /** The authentication tag (HMAC-SHA1 or AEAD tag) did not verify; drop the packet. */
  AUTH_FAIL,
  /** The packet index was already received or is older than the replay window; drop it. */
  REPLAY_FAIL,
  /** The packet is too short or its RTP/RTCP header fields do not fit its length; drop it. */
  MALFORMED
}
