package org.tgcalls4j.internal.p2p;

import java.util.Objects;

/**
 * One entry of {@code InitialSetup.fingerprints} (p2p-call.md §4.1).
 *
 * @param hash the hash function name, e.g. {@code "sha-256"} (RFC 8122 §5)
 * @param setup the DTLS role attribute: {@code "actpass"} from the caller, {@code "passive"} from
 *     the callee (RFC 4145 §4)
 * @param fingerprint the certificate digest as upper-case colon-separated hex (RFC 8122 §5)
 */
public record DtlsFingerprint(String hash, String setup, String fingerprint) {
  /** @throws NullPointerException if a component is null */
  public DtlsFingerprint {
    Objects.requireNonNull(hash, "hash");
    Objects.requireNonNull(setup, "setup");
    Objects.requireNonNull(fingerprint, "fingerprint");
  }
}
