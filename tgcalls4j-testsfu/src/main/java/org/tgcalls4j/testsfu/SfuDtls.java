package org.tgcalls4j.testsfu;

import java.io.IOException;
import java.util.Hashtable;
import java.util.Vector;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsExtensionsUtils;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * The SFU's two DTLS 1.2 roles for DTLS-SRTP (RFC 5764): both present the SFU's self-signed ECDSA
 * certificate, require and verify the participant's certificate against the join fingerprint
 * (RFC 8122 §5), negotiate use_srtp and export the SRTP keying material on completion. One
 * instance per handshake, used on the DTLS thread only.
 */
final class SfuDtls {
  private SfuDtls() {}

  /** ECDHE_ECDSA suites only: both peers hold ECDSA P-256 certificates. */
  static final int[] CIPHER_SUITES = {
    CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA
  };

  /** The negotiated profile and the RFC 5764 §4.2 keying material. */
  record Keys(SrtpProfile profile, byte[] material) {}

  /** Shared result holder. */
  private static Keys export(TlsContext context, SrtpProfile profile) throws IOException {
    if (profile == null) {
      throw new TlsFatalAlert(AlertDescription.handshake_failure, "no use_srtp negotiated");
    }
    byte[] material =
        context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null, profile.keyingMaterialLength());
    return new Keys(profile, material);
  }

  private static void verify(Certificate certificate, String expectedFingerprint) throws IOException {
    if (!DtlsIdentity.matches(certificate, expectedFingerprint)) {
      throw new TlsFatalAlert(AlertDescription.bad_certificate,
          "participant certificate does not match the join fingerprint");
    }
  }

  /** The SFU as DTLS client (for a join with setup "passive" or "actpass"). */
  static final class Client extends DefaultTlsClient {
    private final DtlsIdentity identity;
    private final String expectedFingerprint;
    private final int handshakeTimeoutMillis;
    private SrtpProfile profile;
    private Keys keys;

    Client(BcTlsCrypto crypto, DtlsIdentity identity, String expectedFingerprint,
        int handshakeTimeoutMillis) {
      super(crypto);
      this.identity = identity;
      this.expectedFingerprint = expectedFingerprint;
      this.handshakeTimeoutMillis = handshakeTimeoutMillis;
    }

    Keys keys() {
      return keys;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
      return ProtocolVersion.DTLSv12.only();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
      return TlsUtils.getSupportedCipherSuites(getCrypto(), CIPHER_SUITES);
    }

    @Override
    public int getHandshakeTimeoutMillis() {
      return handshakeTimeoutMillis;
    }

    @Override
    public Hashtable<Integer, byte[]> getClientExtensions() throws IOException {
      @SuppressWarnings("unchecked")
      Hashtable<Integer, byte[]> extensions =
          TlsExtensionsUtils.ensureExtensionsInitialised(super.getClientExtensions());
      TlsSRTPUtils.addUseSRTPExtension(
          extensions, new UseSRTPData(SrtpProfile.OFFERED, TlsUtils.EMPTY_BYTES));
      return extensions;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public void processServerExtensions(Hashtable serverExtensions) throws IOException {
      super.processServerExtensions(serverExtensions);
      UseSRTPData useSrtp = TlsSRTPUtils.getUseSRTPExtension(serverExtensions);
      if (useSrtp == null || useSrtp.getProtectionProfiles().length != 1) {
        throw new TlsFatalAlert(AlertDescription.illegal_parameter, "server did not select use_srtp");
      }
      try {
        profile = SrtpProfile.ofId(useSrtp.getProtectionProfiles()[0]);
      } catch (IllegalArgumentException e) {
        throw new TlsFatalAlert(AlertDescription.illegal_parameter, e.getMessage());
      }
    }

    @Override
    public TlsAuthentication getAuthentication() {
      return new TlsAuthentication() {
        @Override
        public void notifyServerCertificate(TlsServerCertificate serverCertificate)
            throws IOException {
          verify(serverCertificate.getCertificate(), expectedFingerprint);
        }

        @Override
        public TlsCredentials getClientCredentials(CertificateRequest request) throws IOException {
          return identity.signer(context);
        }
      };
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
      super.notifyHandshakeComplete();
      keys = export(context, profile);
    }
  }

  /** The SFU as DTLS server (for a join with setup "active"). */
  static final class Server extends DefaultTlsServer {
    private final DtlsIdentity identity;
    private final String expectedFingerprint;
    private final int handshakeTimeoutMillis;
    private SrtpProfile profile;
    private Keys keys;

    Server(BcTlsCrypto crypto, DtlsIdentity identity, String expectedFingerprint,
        int handshakeTimeoutMillis) {
      super(crypto);
      this.identity = identity;
      this.expectedFingerprint = expectedFingerprint;
      this.handshakeTimeoutMillis = handshakeTimeoutMillis;
    }

    Keys keys() {
      return keys;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
      return ProtocolVersion.DTLSv12.only();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
      return TlsUtils.getSupportedCipherSuites(getCrypto(), CIPHER_SUITES);
    }

    @Override
    public int getHandshakeTimeoutMillis() {
      return handshakeTimeoutMillis;
    }

    @Override
    protected TlsCredentialedSigner getECDSASignerCredentials() throws IOException {
      return identity.signer(context);
    }

    @Override
    public CertificateRequest getCertificateRequest() {
      @SuppressWarnings("rawtypes")
      Vector algorithms = TlsUtils.getDefaultSupportedSignatureAlgorithms(context);
      return new CertificateRequest(new short[] {ClientCertificateType.ecdsa_sign}, algorithms, null);
    }

    @Override
    public void notifyClientCertificate(Certificate clientCertificate) throws IOException {
      verify(clientCertificate, expectedFingerprint);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public void processClientExtensions(Hashtable clientExtensions) throws IOException {
      super.processClientExtensions(clientExtensions);
      UseSRTPData offered = TlsSRTPUtils.getUseSRTPExtension(clientExtensions);
      if (offered == null) {
        throw new TlsFatalAlert(AlertDescription.handshake_failure, "client offered no use_srtp");
      }
      for (int preferred : SrtpProfile.OFFERED) {
        for (int id : offered.getProtectionProfiles()) {
          if (id == preferred) {
            profile = SrtpProfile.ofId(id);
            return;
          }
        }
      }
      throw new TlsFatalAlert(AlertDescription.handshake_failure, "no common SRTP profile");
    }

    @Override
    @SuppressWarnings("unchecked")
    public Hashtable<Integer, byte[]> getServerExtensions() throws IOException {
      Hashtable<Integer, byte[]> extensions =
          TlsExtensionsUtils.ensureExtensionsInitialised(super.getServerExtensions());
      TlsSRTPUtils.addUseSRTPExtension(
          extensions, new UseSRTPData(new int[] {profile.id}, TlsUtils.EMPTY_BYTES));
      return extensions;
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
      super.notifyHandshakeComplete();
      keys = export(context, profile);
    }
  }
}
