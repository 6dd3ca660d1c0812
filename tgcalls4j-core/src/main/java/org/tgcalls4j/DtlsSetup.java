package org.tgcalls4j;

/**
 * The DTLS role announced in the join JSON's {@code fingerprints[0].setup}
 * (group-call.md §2.1, RFC 4145 §4).
 */
public enum DtlsSetup {
  /**
   * We wait for the SFU's ClientHello and act as DTLS server; what libwebrtc-native clients
   * (tgcalls, ntgcalls) send. The default.
   */
  PASSIVE,
  /** We send the ClientHello and act as DTLS client; what browser clients send. */
  ACTIVE
}
