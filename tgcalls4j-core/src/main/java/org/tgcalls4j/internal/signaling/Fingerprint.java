package org.tgcalls4j.internal.signaling;

import java.util.Objects;

/**
 * The SFU's DTLS certificate fingerprint from the answer's transport (group-call.md §3.2).
 *
 * @param hash hash function name as sent, one of sha-1, sha-224, sha-256, sha-384, sha-512 in
 *     any letter case (RFC 8122 §5)
 * @param fingerprint colon-separated hex digest of the hash's length
 * @param setup the SFU's DTLS role as sent, {@code active}, {@code passive} or {@code actpass} in
 *     any letter case (RFC 4145 §4; see {@link GroupCallSignaling#decodeAnswer})
 */
public record Fingerprint(String hash, String fingerprint, String setup) {
  /** @throws NullPointerException if an argument is null */
  public Fingerprint {
    Objects.requireNonNull(hash, "hash");
    Objects.requireNonNull(fingerprint, "fingerprint");
    Objects.requireNonNull(setup, "setup");
  }
}
