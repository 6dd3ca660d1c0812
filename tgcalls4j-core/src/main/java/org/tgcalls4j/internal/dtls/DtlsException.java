package org.tgcalls4j.internal.dtls;

/**
 * A DTLS handshake that ended without SRTP keys, an association that ended after its handshake, or
 * a failed send, with the {@link Reason}.
 */
public final class DtlsException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why the handshake or the association ended. */
  public enum Reason {
    /**
     * The peer's certificate did not hash to the fingerprint from signaling, or the peer sent no
     * certificate (RFC 8122 §5).
     */
    FINGERPRINT_MISMATCH,
    /** The handshake did not complete within the requested time (time queued for a pool thread included). */
    TIMEOUT,
    /**
     * Any other handshake failure: a fatal alert from the peer, no common cipher suite or SRTP
     * profile, the handshake pool refusing the task, ...
     */
    HANDSHAKE_FAILED,
    /** {@link DtlsEndpoint#close()} was called before the handshake completed, or before a send. */
    CLOSED,
    /**
     * After the handshake: the peer's fatal alert (RFC 5246 §7.2.2) or a record-layer failure ended the
     * association.
     */
    CONNECTION_FAILED
  }

  private final Reason reason;

  DtlsException(Reason reason, String message, Throwable cause) {
    super(reason + ": " + message, cause);
    this.reason = reason;
  }

  /** @return why the handshake or association ended */
  public Reason reason() {
    return reason;
  }
}
