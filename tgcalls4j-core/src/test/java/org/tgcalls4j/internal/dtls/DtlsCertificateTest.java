package org.tgcalls4j.internal.dtls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class DtlsCertificateTest {
  private static X509Certificate parse(DtlsCertificate certificate) throws Exception {
    return (X509Certificate)
        CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(certificate.encoded()));
  }

  @Test
  void generatesSelfSignedEcdsaP256CertificateValidFromYesterdayForThirtyDays() throws Exception {
    DtlsCertificate certificate = DtlsCertificate.generate();
    X509Certificate x509 = parse(certificate);

    assertThat(x509.getSigAlgName()).isEqualTo("SHA256withECDSA");
    assertThat(x509.getPublicKey()).isInstanceOf(ECPublicKey.class);
    assertThat(((ECPublicKey) x509.getPublicKey()).getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
    assertThat(x509.getSubjectX500Principal()).isEqualTo(x509.getIssuerX500Principal());
    assertThat(x509.getSubjectX500Principal().getName()).startsWith("CN=");
    x509.verify(x509.getPublicKey()); // self-signed by its own key
    assertThat(x509.getSerialNumber().signum()).isPositive();
    Instant now = Instant.now();
    assertThat(Duration.between(x509.getNotBefore().toInstant(), now)).isBetween(Duration.ofHours(23), Duration.ofHours(25));
    assertThat(Duration.between(now, x509.getNotAfter().toInstant())).isBetween(Duration.ofDays(29), Duration.ofDays(31));
    // the signing key is the certificate's: d x G is its public point
    org.bouncycastle.crypto.params.ECPrivateKeyParameters key =
        (org.bouncycastle.crypto.params.ECPrivateKeyParameters) certificate.signingKey();
    org.bouncycastle.math.ec.ECPoint q = key.getParameters().getG().multiply(key.getD()).normalize();
    java.security.spec.ECPoint w = ((ECPublicKey) x509.getPublicKey()).getW();
    assertThat(q.getAffineXCoord().toBigInteger()).isEqualTo(w.getAffineX());
    assertThat(q.getAffineYCoord().toBigInteger()).isEqualTo(w.getAffineY());
  }

  @Test
  void fingerprintIsUppercaseColonSeparatedSha256OfTheDerCertificate() throws Exception {
    DtlsCertificate certificate = DtlsCertificate.generate();
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(parse(certificate).getEncoded());

    assertThat(certificate.sha256Fingerprint())
        .matches("([0-9A-F]{2}:){31}[0-9A-F]{2}")
        .isEqualTo(HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest));
  }

  @Test
  void everyCertificateHasItsOwnKeySerialAndName() throws Exception {
    X509Certificate first = parse(DtlsCertificate.generate());
    X509Certificate second = parse(DtlsCertificate.generate());

    assertThat(first.getPublicKey()).isNotEqualTo(second.getPublicKey());
    assertThat(first.getSerialNumber()).isNotEqualTo(second.getSerialNumber());
    assertThat(first.getSubjectX500Principal()).isNotEqualTo(second.getSubjectX500Principal());
  }
}
