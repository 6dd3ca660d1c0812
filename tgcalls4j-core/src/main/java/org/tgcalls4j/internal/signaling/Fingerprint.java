package org.tgcalls4j.internal.signaling;

import java.util.Objects;

/**
 * The SFU's DTLS certificate fingerprint from the answer's transport (group-call.md §3.2).
 *
 * @param hash hash function name, e.g. {@code "sha-256"} (RFC 8122 §5)
 * @param fingerprint colon-separated hex digest
 * @param setup the SFU's DTLS role, {@code "active"} or {@code "passive"} (RFC 4145 §4)
 */
public record Fingerprint(String hash, String fingerprint, String setup) {
  /** @throws NullPointerException if an argument is null */
  public Fingerprint {
    Objects.requireNonNull(hash, "hash");
    Objects.requireNonNull(fingerprint, "fingerprint");
    Objects.requireNonNull(setup, "setup");
  }
}
