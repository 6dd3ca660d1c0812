package org.tgcalls4j.internal.stun;

/**
 * A datagram that is not a well-formed STUN message (RFC 8489 §5, §14), or whose FINGERPRINT does not
 * match. The message names the first problem found; callers count and drop the datagram.
 */
public final class StunParseException extends Exception {
  /** @param message what was wrong, e.g. "attribute 0x0006 length 12 runs past the end (8 left)" */
  public StunParseException(String message) {
    super(message);
  }
}
