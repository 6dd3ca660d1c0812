package org.tgcalls4j.testsfu;

import java.io.IOException;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Date;
import java.util.HexFormat;
import java.util.Locale;
import org.bouncycastle.asn1.sec.SECNamedCurves;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.bc.BcX509v3CertificateBuilder;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.params.ECNamedDomainParameters;
import org.bouncycastle.operator.DefaultDigestAlgorithmIdentifierFinder;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.bc.BcECContentSignerBuilder;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * A self-signed ECDSA P-256 certificate with its key, as WebRTC peers use for DTLS-SRTP
 * (RFC 8827 §6.5), plus the SHA-256 fingerprint format of RFC 8122 §5 ("AB:CD:...", upper case).
 * Immutable and thread-safe.
 */
final class DtlsIdentity {
  private final BcTlsCrypto crypto;
  private final AsymmetricKeyParameter privateKey;
  private final byte[] certificateDer;

  private DtlsIdentity(BcTlsCrypto crypto, AsymmetricKeyParameter privateKey, byte[] certificateDer) {
    this.crypto = crypto;
    this.privateKey = privateKey;
    this.certificateDer = certificateDer;
  }

  /**
   * Generates a fresh key pair and a certificate valid from one day ago for 30 days.
   *
   * @throws IOException if the certificate cannot be built (should not happen with BC present)
   */
  static DtlsIdentity generate(BcTlsCrypto crypto) throws IOException {
    SecureRandom random = crypto.getSecureRandom();
    ECNamedDomainParameters domain = new ECNamedDomainParameters(
        SECObjectIdentifiers.secp256r1, SECNamedCurves.getByOID(SECObjectIdentifiers.secp256r1));
    ECKeyPairGenerator generator = new ECKeyPairGenerator();
    generator.init(new ECKeyGenerationParameters(domain, random));
    AsymmetricCipherKeyPair keyPair = generator.generateKeyPair();
    long now = System.currentTimeMillis();
    X500Name name = new X500Name("CN=tgcalls4j-testsfu");
    X509v3CertificateBuilder builder = new BcX509v3CertificateBuilder(
        name, new BigInteger(63, random), new Date(now - 86_400_000L),
        new Date(now + 30L * 86_400_000L), name, keyPair.getPublic());
    AlgorithmIdentifier signatureAlgorithm =
        new DefaultSignatureAlgorithmIdentifierFinder().find("SHA256withECDSA");
    AlgorithmIdentifier digestAlgorithm =
        new DefaultDigestAlgorithmIdentifierFinder().find(signatureAlgorithm);
    try {
      X509CertificateHolder holder = builder.build(
          new BcECContentSignerBuilder(signatureAlgorithm, digestAlgorithm).build(keyPair.getPrivate()));
      return new DtlsIdentity(crypto, keyPair.getPrivate(), holder.getEncoded());
    } catch (OperatorCreationException e) {
      throw new IOException("cannot sign the DTLS certificate", e);
    }
  }

  /** The SHA-256 fingerprint of this certificate, RFC 8122 §5 format. */
  String fingerprint() {
    return fingerprintOf(certificateDer);
  }

  /** The TLS certificate chain (one self-signed certificate). */
  Certificate certificate() throws IOException {
    TlsCertificate tlsCertificate = crypto.createCertificate(certificateDer);
    return new Certificate(new TlsCertificate[] {tlsCertificate});
  }

  /** A signer for this identity usable by a DTLS 1.2 client or server in {@code context}. */
  TlsCredentialedSigner signer(TlsContext context) throws IOException {
    return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto, privateKey,
        certificate(), new SignatureAndHashAlgorithm(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
  }

  /** SHA-256 over {@code der}, formatted as upper-case hex pairs joined with ':'. */
  static String fingerprintOf(byte[] der) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(der);
      return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is mandatory in every JRE", e);
    }
  }

  /**
   * Whether the peer's leaf certificate matches {@code expectedFingerprint} (case-insensitive).
   *
   * @throws IOException if the certificate cannot be encoded
   */
  static boolean matches(Certificate peerCertificate, String expectedFingerprint) throws IOException {
    if (peerCertificate == null || peerCertificate.isEmpty()) {
      return false;
    }
    String actual = fingerprintOf(peerCertificate.getCertificateAt(0).getEncoded());
    return actual.equals(expectedFingerprint.toUpperCase(Locale.ROOT));
  }
}
