package org.tgcalls4j.testsfu;

import java.util.Arrays;
import org.bouncycastle.tls.SRTPProtectionProfile;
import org.jitsi.srtp.SrtpPolicy;

/**
 * The DTLS-SRTP protection profiles the test SFU offers, in preference order, with their key
 * lengths (RFC 5764 §4.1.2, RFC 7714 §14.2).
 */
enum SrtpProfile {
  AEAD_AES_128_GCM(SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM, 16, 12),
  AEAD_AES_256_GCM(SRTPProtectionProfile.SRTP_AEAD_AES_256_GCM, 32, 12),
  AES128_CM_HMAC_SHA1_80(SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80, 16, 14);

  /** The use_srtp profile ids offered, preference first. */
  static final int[] OFFERED = Arrays.stream(values()).mapToInt(p -> p.id).toArray();

  final int id;
  final int keyLength;
  final int saltLength;

  SrtpProfile(int id, int keyLength, int saltLength) {
    this.id = id;
    this.keyLength = keyLength;
    this.saltLength = saltLength;
  }

  /**
   * The profile with this use_srtp id.
   *
   * @throws IllegalArgumentException if the id is not one we offered
   */
  static SrtpProfile ofId(int id) {
    for (SrtpProfile profile : values()) {
      if (profile.id == id) {
        return profile;
      }
    }
    throw new IllegalArgumentException("SRTP protection profile not offered: " + id);
  }

  /** Exporter output length: 2 keys + 2 salts (RFC 5764 §4.2). */
  int keyingMaterialLength() {
    return 2 * (keyLength + saltLength);
  }

  /** The jitsi-srtp policy for SRTP and SRTCP alike (80-bit tag for CM, 128-bit GCM tag). */
  SrtpPolicy policy() {
    if (this == AES128_CM_HMAC_SHA1_80) {
      return new SrtpPolicy(SrtpPolicy.AESCM_ENCRYPTION, keyLength,
          SrtpPolicy.HMACSHA1_AUTHENTICATION, 20, 10, saltLength);
    }
    return new SrtpPolicy(SrtpPolicy.AESGCM_ENCRYPTION, keyLength,
        SrtpPolicy.NULL_AUTHENTICATION, 0, 16, saltLength);
  }

  /**
   * Splits exported keying material client_key|server_key|client_salt|server_salt (RFC 5764 §4.2).
   *
   * @param material exactly {@link #keyingMaterialLength()} bytes
   * @param client true for the DTLS client's write key and salt, false for the server's
   * @return {key, salt}
   */
  byte[][] split(byte[] material, boolean client) {
    int keyOffset = client ? 0 : keyLength;
    int saltOffset = 2 * keyLength + (client ? 0 : saltLength);
    return new byte[][] {
      Arrays.copyOfRange(material, keyOffset, keyOffset + keyLength),
      Arrays.copyOfRange(material, saltOffset, saltOffset + saltLength)
    };
  }
}
