package org.tgcalls4j.internal.dtls;

/** A DTLS handshake that ended without SRTP keys, with the {@link Reason} it ended. */
public final class DtlsException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why the handshake ended without keys. */
  public enum Reason {
    /**
     * The peer's certificate did not hash to the fingerprint from signaling, or the peer sent no
     * certificate (RFC 8122 §5).
     */
    FINGERPRINT_MISMATCH,
    /** The handshake did not complete within the requested time. */
    TIMEOUT,
    /** Any other failure: a fatal alert from the peer, no common cipher suite or SRTP profile, ... */
    HANDSHAKE_FAILED,
    /** {@link DtlsEndpoint#close()} was called before the handshake completed. */
    CLOSED
  }

  private final Reason reason;

  DtlsException(Reason reason, String message, Throwable cause) {
    super(reason + ": " + message, cause);
    this.reason = reason;
  }

  /** @return why the handshake ended */
  public Reason reason() {
    return reason;
  }
}
