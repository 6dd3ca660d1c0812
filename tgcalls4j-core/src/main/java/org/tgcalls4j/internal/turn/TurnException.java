package org.tgcalls4j.internal.turn;

import java.util.Objects;

/**
 * Why a TURN allocation failed or was lost (RFC 8656). The message names the server and what it
 * answered; it never contains the password or the long-term credential key.
 */
public final class TurnException extends Exception {
  /** The kind of failure. */
  public enum Reason {
    /** 401 again after retrying with REALM and NONCE: wrong username or password (RFC 8489 §9.2.4). */
    UNAUTHORIZED,
    /** 486 Allocation Quota Reached (RFC 8656 §7.2). */
    ALLOCATION_QUOTA,
    /** 438 Stale Nonce kept coming back after fresh nonces (RFC 8489 §9.2.4). */
    STALE_NONCE,
    /** No response after the RFC 8489 §6.2.1 retransmissions: server unreachable. */
    TIMEOUT,
    /** The server does not support what we asked (e.g. 442 Unsupported Transport Protocol, 420). */
    UNSUPPORTED,
    /** Any other error response, or a response we could not use. */
    SERVER_ERROR
  }

  private final Reason reason;

  /**
   * @param reason the kind of failure
   * @param message what happened; must not contain credentials
   */
  public TurnException(Reason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** @return the kind of failure */
  public Reason reason() {
    return reason;
  }

  @Override
  public String toString() {
    return "TurnException[" + reason + "]: " + getMessage();
  }
}
