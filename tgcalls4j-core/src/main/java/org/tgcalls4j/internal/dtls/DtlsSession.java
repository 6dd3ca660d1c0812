package org.tgcalls4j.internal.dtls;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Vector;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.tgcalls4j.internal.srtp.SrtpProfile;

/**
 * The WebRTC DTLS-SRTP policy both handshake roles share, and what one handshake found out: the
 * fingerprint failure, if any, and the exported SRTP keys. Written by Bouncy Castle's callbacks on
 * the handshake thread, read by {@link DtlsEndpoint} on the same thread after the handshake returns.
 */
final class DtlsSession {
  /** Our use_srtp preference, best first (RFC 5764 §4.1.2, RFC 7714 §14.2). */
  static final List<SrtpProfile> SRTP_PROFILES =
      List.of(SrtpProfile.AEAD_AES_128_GCM, SrtpProfile.AEAD_AES_256_GCM, SrtpProfile.AES128_CM_HMAC_SHA1_80);

  /** Cipher suites usable with our own ECDSA certificate (what the server may select). */
  static final int[] ECDSA_CIPHER_SUITES = {
    CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
  };

  /** What the client offers: ours, then the same suites for servers holding an RSA certificate. */
  static final int[] CLIENT_CIPHER_SUITES = {
    CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
  };

  /** The signature algorithm our P-256 key signs with (ecdsa_secp256r1_sha256). */
  static final SignatureAndHashAlgorithm ECDSA_SHA256 =
      SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa);

  private static final SignatureAndHashAlgorithm RSA_PKCS1_SHA256 =
      SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.rsa);

  private final BcTlsCrypto crypto;
  private final DtlsRole role;
  private final DtlsCertificate localCertificate;
  private final Certificate localChain;
  private final RemoteFingerprint remoteFingerprint;
  private final int handshakeTimeoutMillis;

  private volatile String fingerprintFailure;
  private volatile DtlsSrtpKeys keys;

  DtlsSession(
      BcTlsCrypto crypto,
      DtlsRole role,
      DtlsCertificate localCertificate,
      RemoteFingerprint remoteFingerprint,
      int handshakeTimeoutMillis)
      throws IOException {
    this.crypto = crypto;
    this.role = role;
    this.localCertificate = localCertificate;
    this.localChain =
        new Certificate(new TlsCertificate[] {crypto.createCertificate(localCertificate.encoded())});
    this.remoteFingerprint = remoteFingerprint;
    this.handshakeTimeoutMillis = handshakeTimeoutMillis;
  }

  BcTlsCrypto crypto() {
    return crypto;
  }

  int handshakeTimeoutMillis() {
    return handshakeTimeoutMillis;
  }

  /**
   * Signature algorithms we offer and accept, pinned so that no peer can pick a combination our
   * P-256 key cannot produce (the failure behind sipsorcery-org/sipsorcery#1398).
   */
  static Vector<SignatureAndHashAlgorithm> signatureAlgorithms() {
    Vector<SignatureAndHashAlgorithm> algorithms = new Vector<>();
    algorithms.add(ECDSA_SHA256);
    algorithms.add(RSA_PKCS1_SHA256);
    return algorithms;
  }

  /** @return the ids of {@link #SRTP_PROFILES} for the client's use_srtp extension */
  static int[] offeredSrtpProfileIds() {
    return SRTP_PROFILES.stream().mapToInt(SrtpProfile::id).toArray();
  }

  /**
   * @param offeredIds the profile ids the client's use_srtp extension lists
   * @return the first of our preferences the client offers, or null if none
   */
  static SrtpProfile selectSrtpProfile(int[] offeredIds) {
    for (SrtpProfile profile : SRTP_PROFILES) {
      if (Arrays.stream(offeredIds).anyMatch(id -> id == profile.id())) {
        return profile;
      }
    }
    return null;
  }

  /** @return our certificate and P-256 key, signing with ecdsa_secp256r1_sha256 */
  TlsCredentialedSigner signer(TlsContext context) {
    return new BcDefaultTlsCredentialedSigner(
        new TlsCryptoParameters(context), crypto, localCertificate.signingKey(), localChain, ECDSA_SHA256);
  }

  /**
   * Checks the peer's end-entity certificate against the signaled fingerprint (RFC 8122 §5). Runs
   * inside the handshake, before any key is derived.
   *
   * @throws TlsFatalAlert bad_certificate (or handshake_failure when there is no certificate), after
   *     recording the failure for {@link #fingerprintFailure()}
   */
  void verifyPeerCertificate(Certificate chain) throws IOException {
    if (chain == null || chain.isEmpty()) {
      fingerprintFailure = "the peer sent no certificate; expected " + remoteFingerprint;
      throw new TlsFatalAlert(AlertDescription.handshake_failure, fingerprintFailure);
    }
    byte[] der = chain.getCertificateAt(0).getEncoded();
    if (!remoteFingerprint.matches(der)) {
      fingerprintFailure =
          "the peer's certificate (sha-256 "
              + DtlsCertificate.fingerprint("SHA-256", der)
              + ") does not match the signaled fingerprint "
              + remoteFingerprint;
      throw new TlsFatalAlert(AlertDescription.bad_certificate, fingerprintFailure);
    }
  }

  /** @return why the peer's certificate was rejected, or null if it was not */
  String fingerprintFailure() {
    return fingerprintFailure;
  }

  /**
   * Exports the SRTP keying material (RFC 5764 §4.2: label EXTRACTOR-dtls_srtp, no context, laid out
   * client key | server key | client salt | server salt) and assigns it by role.
   */
  void exportKeys(TlsContext context, SrtpProfile profile) {
    int keyLength = profile.keyLengthBytes();
    int saltLength = profile.saltLengthBytes();
    byte[] material = context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null, 2 * (keyLength + saltLength));
    byte[] clientKey = Arrays.copyOfRange(material, 0, keyLength);
    byte[] serverKey = Arrays.copyOfRange(material, keyLength, 2 * keyLength);
    byte[] clientSalt = Arrays.copyOfRange(material, 2 * keyLength, 2 * keyLength + saltLength);
    byte[] serverSalt = Arrays.copyOfRange(material, 2 * keyLength + saltLength, material.length);
    Arrays.fill(material, (byte) 0);
    keys =
        role == DtlsRole.CLIENT
            ? new DtlsSrtpKeys(profile, clientKey, clientSalt, serverKey, serverSalt)
            : new DtlsSrtpKeys(profile, serverKey, serverSalt, clientKey, clientSalt);
  }

  /** @return the keys exported when the handshake completed, or null before */
  DtlsSrtpKeys keys() {
    return keys;
  }

  /** @return the cipher suites of {@code candidates} the crypto provider can run */
  int[] supportedCipherSuites(int[] candidates) {
    return TlsUtils.getSupportedCipherSuites(crypto, candidates);
  }
}
