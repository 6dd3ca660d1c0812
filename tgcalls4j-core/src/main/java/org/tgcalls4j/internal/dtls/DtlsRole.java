package org.tgcalls4j.internal.dtls;

/**
 * Which side of the DTLS handshake this endpoint plays: the client sends the ClientHello, the server
 * answers it. In SDP terms (RFC 5763 §5) {@code setup:active} is the client and {@code setup:passive}
 * the server.
 */
public enum DtlsRole {
  /** Sends the ClientHello (RFC 6347 §4.2). */
  CLIENT,
  /** Waits for the ClientHello and requests the client's certificate. */
  SERVER
}
