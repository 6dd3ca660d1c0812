package org.tgcalls4j.internal.dtls;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The certificate fingerprint the peer announced in signaling, and the check of a received
 * certificate against it (RFC 8122 §5: hash function name, then uppercase hex bytes joined by
 * colons; compared case-insensitively).
 */
final class RemoteFingerprint {
  /** RFC 8122 §5 hash function textual names we accept, mapped to JCA digest names. */
  private static final Map<String, String> DIGESTS =
      Map.of("sha-1", "SHA-1", "sha-224", "SHA-224", "sha-256", "SHA-256", "sha-384", "SHA-384",
          "sha-512", "SHA-512");

  private final String hashName;
  private final String jcaDigestName;
  private final String fingerprint;

  /**
   * @param hashName the hash function name from signaling, e.g. {@code sha-256} (case-insensitive)
   * @param fingerprint the fingerprint from signaling, hex bytes joined by colons
   * @throws IllegalArgumentException if the hash name is not sha-1, sha-224, sha-256, sha-384 or
   *     sha-512
   */
  RemoteFingerprint(String hashName, String fingerprint) {
    Objects.requireNonNull(hashName, "hashName");
    Objects.requireNonNull(fingerprint, "fingerprint");
    this.hashName = hashName.toLowerCase(Locale.ROOT);
    this.jcaDigestName = DIGESTS.get(this.hashName);
    if (jcaDigestName == null) {
      throw new IllegalArgumentException(
          "unsupported fingerprint hash function '" + hashName + "', expected one of " + DIGESTS.keySet());
    }
    this.fingerprint = fingerprint.trim();
  }

  /**
   * @param certificateDer the peer's end-entity certificate, DER-encoded
   * @return whether its digest equals the signaled fingerprint
   */
  boolean matches(byte[] certificateDer) {
    return DtlsCertificate.fingerprint(jcaDigestName, certificateDer).equalsIgnoreCase(fingerprint);
  }

  @Override
  public String toString() {
    return hashName + " " + fingerprint;
  }
}
