package org.tgcalls4j;

/**
 * The media transport failed: ICE found no working pair or lost consent, the DTLS handshake failed,
 * or the peer's certificate did not match the fingerprint in its answer.
 */
public final class TransportException extends TgCallsException {
  private static final long serialVersionUID = 1L;

  /** Which layer failed. */
  public enum Stage {
    /** No candidate pair worked, or consent was lost (RFC 7675). */
    ICE,
    /** The DTLS handshake failed or the SFU closed the DTLS session. */
    DTLS,
    /** The SFU's certificate did not match the fingerprint in its answer. */
    FINGERPRINT,
    /** The UDP socket could not be bound or failed. */
    SOCKET,
    /**
     * A relay (TURN server) refused us (wrong credentials, quota) or did not answer, and a
     * relay-only call had no other relay left.
     */
    RELAY,
    /** An unexpected error inside tgcalls4j (a bug); the message and cause say what. */
    INTERNAL
  }

  private final Stage stage;

  /**
   * @param stage the failing layer
   * @param message what happened
   * @param cause the underlying error, may be null
   */
  public TransportException(Stage stage, String message, Throwable cause) {
    super(stage + ": " + message, cause);
    this.stage = stage;
  }

  /** @return the failing layer */
  public Stage stage() {
    return stage;
  }
}
