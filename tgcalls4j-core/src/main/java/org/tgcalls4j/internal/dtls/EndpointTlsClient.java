package org.tgcalls4j.internal.dtls;

import java.io.IOException;
import java.util.Hashtable;
import java.util.Vector;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsExtensionsUtils;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;
import org.tgcalls4j.internal.srtp.SrtpProfile;

/**
 * Bouncy Castle's client side of a WebRTC DTLS 1.2 handshake: offers our SRTP profiles in use_srtp
 * (RFC 5764 §4.1.1), checks the server certificate against the signaled fingerprint, answers the
 * certificate request with our ECDSA certificate, requires extended master secret (RFC 7627).
 */
@SuppressWarnings("rawtypes") // Bouncy Castle's peer API takes raw Hashtable and Vector
final class EndpointTlsClient extends DefaultTlsClient {
  private final DtlsSession session;
  private SrtpProfile srtpProfile;

  EndpointTlsClient(DtlsSession session) {
    super(session.crypto());
    this.session = session;
  }

  @Override
  protected ProtocolVersion[] getSupportedVersions() {
    return ProtocolVersion.DTLSv12.only();
  }

  @Override
  protected int[] getSupportedCipherSuites() {
    return session.supportedCipherSuites(DtlsSession.CLIENT_CIPHER_SUITES);
  }

  @Override
  protected Vector getSupportedSignatureAlgorithms() {
    return DtlsSession.signatureAlgorithms();
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
  public Hashtable getClientExtensions() throws IOException {
    Hashtable extensions = TlsExtensionsUtils.ensureExtensionsInitialised(super.getClientExtensions());
    TlsSRTPUtils.addUseSRTPExtension(
        extensions, new UseSRTPData(DtlsSession.offeredSrtpProfileIds(), TlsUtils.EMPTY_BYTES));
    return extensions;
  }

  @Override
  public void processServerExtensions(Hashtable serverExtensions) throws IOException {
    super.processServerExtensions(serverExtensions);
    UseSRTPData chosen = serverExtensions == null ? null : TlsSRTPUtils.getUseSRTPExtension(serverExtensions);
    if (chosen == null) {
      throw new TlsFatalAlert(AlertDescription.handshake_failure, "the server did not negotiate use_srtp");
    }
    int[] ids = chosen.getProtectionProfiles();
    SrtpProfile profile = ids.length == 1 ? SrtpProfile.fromId(ids[0]) : null;
    if (profile == null || !DtlsSession.SRTP_PROFILES.contains(profile) || chosen.getMki().length != 0) {
      // RFC 5764 §4.1.1: exactly one profile the client offered, and the MKI the client sent (none).
      throw new TlsFatalAlert(AlertDescription.illegal_parameter, "the server's use_srtp answer is invalid");
    }
    srtpProfile = profile;
  }

  @Override
  public TlsAuthentication getAuthentication() {
    return new TlsAuthentication() {
      @Override
      public void notifyServerCertificate(TlsServerCertificate serverCertificate) throws IOException {
        session.verifyPeerCertificate(serverCertificate.getCertificate());
      }

      @Override
      public TlsCredentials getClientCredentials(CertificateRequest certificateRequest) {
        return session.signer(context);
      }
    };
  }

  @Override
  public void notifyHandshakeComplete() throws IOException {
    super.notifyHandshakeComplete();
    session.exportKeys(context, srtpProfile);
  }
}
