package org.tgcalls4j.internal.dtls;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed ECDSA P-256 certificate and its private key, which identify this side of a
 * DTLS-SRTP association; peers authenticate it by its fingerprint from signaling (RFC 8122 §5,
 * RFC 8827 §6.5).
 *
 * <p>Immutable and thread-safe: all fields are final and set in the constructor, the DER bytes are
 * never handed out (only copies), and the private key is only read (each handshake creates its own
 * signer from it). A client generates one certificate and uses it for all of its calls' concurrent
 * {@link DtlsEndpoint}s.
 */
public final class DtlsCertificate {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Duration VALID_BEFORE = Duration.ofDays(1);
  private static final Duration VALID_AFTER = Duration.ofDays(30);

  /** The private key, as Bouncy Castle's own (lightweight) ECDSA signs with it in handshakes. */
  private final AsymmetricKeyParameter signingKey;
  private final byte[] der;
  private final String sha256Fingerprint;

  private DtlsCertificate(PrivateKey privateKey, byte[] der) throws java.io.IOException {
    this.signingKey = PrivateKeyFactory.createKey(privateKey.getEncoded());
    this.der = der;
    this.sha256Fingerprint = fingerprint("SHA-256", der);
  }

  /**
   * Generates a fresh key pair on curve secp256r1 and a certificate signed with SHA256withECDSA,
   * with a random 64-bit serial, a random common name and a validity from one day ago to 30 days
   * ahead. Takes a few milliseconds; call it once per call (or process), not per packet.
   *
   * @return the new certificate
   * @throws IllegalStateException if the JVM's crypto providers lack EC P-256 or SHA256withECDSA
   */
  public static DtlsCertificate generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      KeyPair keyPair = generator.generateKeyPair();

      byte[] cn = new byte[8];
      RANDOM.nextBytes(cn);
      X500Name name = new X500Name("CN=" + HexFormat.of().formatHex(cn));
      BigInteger serial = new BigInteger(63, RANDOM).add(BigInteger.ONE);
      Instant now = Instant.now();
      byte[] der =
          new JcaX509v3CertificateBuilder(
                  name,
                  serial,
                  Date.from(now.minus(VALID_BEFORE)),
                  Date.from(now.plus(VALID_AFTER)),
                  name,
                  keyPair.getPublic())
              .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keyPair.getPrivate()))
              .getEncoded();
      return new DtlsCertificate(keyPair.getPrivate(), der);
    } catch (GeneralSecurityException | OperatorCreationException | java.io.IOException e) {
      throw new IllegalStateException("cannot generate an ECDSA P-256 certificate", e);
    }
  }

  /**
   * @return the SHA-256 fingerprint of the DER certificate as 32 uppercase hex bytes separated by
   *     colons ({@code AB:CD:...}), the form SDP's {@code a=fingerprint:sha-256} carries (RFC 8122 §5)
   */
  public String sha256Fingerprint() {
    return sha256Fingerprint;
  }

  /** @return the private key matching the certificate, as Bouncy Castle's lightweight key */
  AsymmetricKeyParameter signingKey() {
    return signingKey;
  }

  /** @return a copy of the DER-encoded X.509 certificate */
  byte[] encoded() {
    return der.clone();
  }

  /**
   * @param jcaDigestName a JCA message digest name such as {@code SHA-256}
   * @param der the bytes to hash
   * @return the digest as uppercase hex bytes separated by colons
   */
  static String fingerprint(String jcaDigestName, byte[] der) {
    try {
      byte[] digest = MessageDigest.getInstance(jcaDigestName).digest(der);
      return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JVM lacks message digest " + jcaDigestName, e);
    }
  }
}
