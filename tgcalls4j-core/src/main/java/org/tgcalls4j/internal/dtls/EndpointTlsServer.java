package org.tgcalls4j.internal.dtls;

import java.io.IOException;
import java.util.Hashtable;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;
import org.tgcalls4j.internal.srtp.SrtpProfile;

/**
 * Bouncy Castle's server side of a WebRTC DTLS 1.2 handshake: ECDSA certificate, mandatory client
 * certificate checked against the signaled fingerprint, use_srtp answered from our preference
 * (RFC 5764 §4.1.1), extended master secret required (RFC 7627).
 */
@SuppressWarnings("rawtypes") // Bouncy Castle's peer API takes raw Hashtable and Vector
final class EndpointTlsServer extends DefaultTlsServer {
  private final DtlsSession session;
  private SrtpProfile srtpProfile;

  EndpointTlsServer(DtlsSession session) {
    super(session.crypto());
    this.session = session;
  }

  @Override
  protected ProtocolVersion[] getSupportedVersions() {
    return ProtocolVersion.DTLSv12.only();
  }

  @Override
  protected int[] getSupportedCipherSuites() {
    return session.supportedCipherSuites(DtlsSession.ECDSA_CIPHER_SUITES);
  }

  @Override
  public int getHandshakeTimeoutMillis() {
    return session.handshakeTimeoutMillis();
  }

  @Override
  public boolean requiresExtendedMasterSecret() {
    return true;
  }

  @Override
  public boolean shouldCheckSigAlgOfPeerCerts() {
    // The peer's self-signed certificate is authenticated by its fingerprint, not its signature.
    return false;
  }

  @Override
  protected TlsCredentialedSigner getECDSASignerCredentials() {
    return session.signer(context);
  }

  @Override
  public CertificateRequest getCertificateRequest() {
    return new CertificateRequest(
        new short[] {ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign},
        DtlsSession.signatureAlgorithms(),
        null);
  }

  @Override
  public void notifyClientCertificate(Certificate clientCertificate) throws IOException {
    session.verifyPeerCertificate(clientCertificate);
  }

  @Override
  public void processClientExtensions(Hashtable clientExtensions) throws IOException {
    super.processClientExtensions(clientExtensions);
    UseSRTPData offered = clientExtensions == null ? null : TlsSRTPUtils.getUseSRTPExtension(clientExtensions);
    if (offered == null) {
      throw new TlsFatalAlert(AlertDescription.handshake_failure, "the client did not offer use_srtp");
    }
    srtpProfile = DtlsSession.selectSrtpProfile(offered.getProtectionProfiles());
    if (srtpProfile == null) {
      throw new TlsFatalAlert(
          AlertDescription.handshake_failure,
          "the client offered none of our SRTP profiles " + DtlsSession.SRTP_PROFILES);
    }
  }

  @Override
  public Hashtable getServerExtensions() throws IOException {
    Hashtable extensions = super.getServerExtensions();
    TlsSRTPUtils.addUseSRTPExtension(
        extensions, new UseSRTPData(new int[] {srtpProfile.id()}, TlsUtils.EMPTY_BYTES));
    return extensions;
  }

  @Override
  public void notifyHandshakeComplete() throws IOException {
    super.notifyHandshakeComplete();
    session.exportKeys(context, srtpProfile);
  }
}
