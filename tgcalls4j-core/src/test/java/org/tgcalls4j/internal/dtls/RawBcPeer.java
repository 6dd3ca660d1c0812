package org.tgcalls4j.internal.dtls;

import java.io.IOException;
import java.math.BigInteger;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.util.Date;
import java.util.HexFormat;
import java.util.Hashtable;
import java.util.Vector;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsExtensionsUtils;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.UDPTransport;
import org.bouncycastle.tls.UseSRTPData;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * An independent DTLS-SRTP peer written directly on Bouncy Castle's raw API (lightweight {@link
 * BcTlsCrypto}, its own certificate, a real {@link DatagramSocket} on 127.0.0.1), offering or
 * accepting only the SRTP profile ids it is given. It records what it saw and exports the keying material
 * itself.
 */
@SuppressWarnings("rawtypes") // Bouncy Castle's peer API takes raw Hashtable and Vector
final class RawBcPeer implements AutoCloseable {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String DTLS_SRTP_EXPORTER_LABEL = "EXTRACTOR-dtls_srtp"; // RFC 5764 §4.2

  private final boolean rsa;
  private final int[] srtpProfileIds;
  private final int exportLengthBytes;
  private final BcTlsCrypto crypto = new BcTlsCrypto(RANDOM);
  private final AsymmetricKeyParameter privateKey;
  private final byte[] certificateDer;
  private final DatagramSocket socket;

  private volatile byte[] exportedKeyingMaterial;
  private volatile byte[] remoteCertificateDer;
  private volatile int cipherSuite = -1;
  private volatile int negotiatedSrtpProfileId = -1;
  private volatile DTLSTransport dtls;

  /**
   * @param rsa whether the certificate is RSA-2048 (else ECDSA P-256)
   * @param srtpProfileIds the use_srtp profile ids this peer offers (as client, in this order) or
   *     accepts (as server, preferring the first)
   * @param exportLengthBytes how much keying material to export, 2 * (key + salt length)
   */
  RawBcPeer(boolean rsa, int[] srtpProfileIds, int exportLengthBytes) throws Exception {
    this.rsa = rsa;
    this.srtpProfileIds = srtpProfileIds;
    this.exportLengthBytes = exportLengthBytes;
    KeyPairGenerator generator = KeyPairGenerator.getInstance(rsa ? "RSA" : "EC");
    if (rsa) {
      generator.initialize(2048, RANDOM);
    } else {
      generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    }
    KeyPair keyPair = generator.generateKeyPair();
    X500Name name = new X500Name("CN=raw-bc-peer");
    long now = System.currentTimeMillis();
    certificateDer =
        new JcaX509v3CertificateBuilder(
                name, BigInteger.valueOf(now), new Date(now - 60_000), new Date(now + 3_600_000), name, keyPair.getPublic())
            .build(new JcaContentSignerBuilder(rsa ? "SHA256withRSA" : "SHA256withECDSA").build(keyPair.getPrivate()))
            .getEncoded();
    privateKey = PrivateKeyFactory.createKey(keyPair.getPrivate().getEncoded());
    socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  InetSocketAddress address() {
    return (InetSocketAddress) socket.getLocalSocketAddress();
  }

  /** @return the SHA-256 fingerprint of this peer's certificate, as signaling would carry it */
  String sha256Fingerprint() throws Exception {
    return sha256(certificateDer);
  }

  static String sha256(byte[] der) throws Exception {
    return HexFormat.ofDelimiter(":").withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(der));
  }

  /**
   * Talks only to {@code remote} from now on. Call before the endpoint sends: connecting discards
   * datagrams already queued on the socket.
   */
  void connectTo(InetSocketAddress remote) throws IOException {
    socket.connect(remote);
  }

  /** Runs the server handshake; returns the exported material. */
  byte[] accept(int timeoutMillis) throws IOException {
    dtls = new DTLSServerProtocol().accept(new Server(timeoutMillis), new UDPTransport(socket, 1500));
    return exportedKeyingMaterial;
  }

  /** Runs the client handshake; returns the exported material. */
  byte[] connect(int timeoutMillis) throws IOException {
    dtls = new DTLSClientProtocol().connect(new Client(timeoutMillis), new UDPTransport(socket, 1500));
    return exportedKeyingMaterial;
  }

  /** @return the certificate the endpoint presented, DER */
  byte[] remoteCertificateDer() {
    return remoteCertificateDer;
  }

  int cipherSuite() {
    return cipherSuite;
  }

  /** @return the use_srtp profile id the handshake settled on */
  int negotiatedSrtpProfileId() {
    return negotiatedSrtpProfileId;
  }

  /** Sends one application data record. */
  void send(byte[] data) throws IOException {
    dtls.send(data, 0, data.length);
  }

  /** @return the next application data record, or null if none arrived within {@code waitMillis} */
  byte[] receive(int waitMillis) throws IOException {
    byte[] buffer = new byte[2048];
    int length = dtls.receive(buffer, 0, buffer.length, waitMillis);
    return length < 0 ? null : java.util.Arrays.copyOf(buffer, length);
  }

  /**
   * Makes Bouncy Castle fail the association: a send larger than a record's plaintext limit (2^14,
   * RFC 6347 §4.1) is refused with internal_error, which it also sends to the peer as a fatal alert.
   */
  void failWithFatalAlert() {
    try {
      dtls.send(new byte[20_000], 0, 20_000);
    } catch (IOException expected) {
      // the alert went out
    }
    dtls = null; // no close_notify after a fatal alert
  }

  /** Sends close_notify if connected and closes the socket. */
  @Override
  public void close() throws IOException {
    DTLSTransport connected = dtls;
    if (connected != null) {
      connected.close();
    }
    socket.close();
  }

  private TlsCredentialedSigner signer(TlsContext context) throws IOException {
    Certificate chain = new Certificate(new TlsCertificate[] {crypto.createCertificate(certificateDer)});
    SignatureAndHashAlgorithm algorithm =
        SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, rsa ? SignatureAlgorithm.rsa : SignatureAlgorithm.ecdsa);
    return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto, privateKey, chain, algorithm);
  }

  private void complete(TlsContext context) {
    cipherSuite = context.getSecurityParametersConnection().getCipherSuite();
    exportedKeyingMaterial = context.exportKeyingMaterial(DTLS_SRTP_EXPORTER_LABEL, null, exportLengthBytes);
  }

  private final class Server extends DefaultTlsServer {
    private final int timeoutMillis;

    Server(int timeoutMillis) {
      super(crypto);
      this.timeoutMillis = timeoutMillis;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
      return ProtocolVersion.DTLSv12.only();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
      return new int[] {
        rsa ? CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 : CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
      };
    }

    @Override
    public int getHandshakeTimeoutMillis() {
      return timeoutMillis;
    }

    @Override
    protected TlsCredentialedSigner getECDSASignerCredentials() throws IOException {
      return signer(context);
    }

    @Override
    protected TlsCredentialedSigner getRSASignerCredentials() throws IOException {
      return signer(context);
    }

    @Override
    public CertificateRequest getCertificateRequest() {
      Vector<SignatureAndHashAlgorithm> algorithms = new Vector<>();
      algorithms.add(SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
      return new CertificateRequest(new short[] {ClientCertificateType.ecdsa_sign}, algorithms, null);
    }

    @Override
    public void notifyClientCertificate(Certificate clientCertificate) throws IOException {
      remoteCertificateDer = clientCertificate.getCertificateAt(0).getEncoded();
    }

    @Override
    public void processClientExtensions(Hashtable clientExtensions) throws IOException {
      super.processClientExtensions(clientExtensions);
      int[] offered = TlsSRTPUtils.getUseSRTPExtension(clientExtensions).getProtectionProfiles();
      for (int ours : srtpProfileIds) {
        for (int id : offered) {
          if (id == ours && negotiatedSrtpProfileId < 0) {
            negotiatedSrtpProfileId = id;
          }
        }
      }
    }

    @Override
    public Hashtable getServerExtensions() throws IOException {
      Hashtable extensions = super.getServerExtensions();
      if (negotiatedSrtpProfileId >= 0) {
        TlsSRTPUtils.addUseSRTPExtension(
            extensions, new UseSRTPData(new int[] {negotiatedSrtpProfileId}, new byte[0]));
      }
      return extensions;
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
      super.notifyHandshakeComplete();
      complete(context);
    }
  }

  private final class Client extends DefaultTlsClient {
    private final int timeoutMillis;

    Client(int timeoutMillis) {
      super(crypto);
      this.timeoutMillis = timeoutMillis;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
      return ProtocolVersion.DTLSv12.only();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
      return new int[] {CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256};
    }

    @Override
    public int getHandshakeTimeoutMillis() {
      return timeoutMillis;
    }

    @Override
    public Hashtable getClientExtensions() throws IOException {
      Hashtable extensions = TlsExtensionsUtils.ensureExtensionsInitialised(super.getClientExtensions());
      TlsSRTPUtils.addUseSRTPExtension(extensions, new UseSRTPData(srtpProfileIds, new byte[0]));
      return extensions;
    }

    @Override
    public void processServerExtensions(Hashtable serverExtensions) throws IOException {
      super.processServerExtensions(serverExtensions);
      negotiatedSrtpProfileId = TlsSRTPUtils.getUseSRTPExtension(serverExtensions).getProtectionProfiles()[0];
    }

    @Override
    public TlsAuthentication getAuthentication() {
      return new TlsAuthentication() {
        @Override
        public void notifyServerCertificate(TlsServerCertificate serverCertificate) throws IOException {
          remoteCertificateDer = serverCertificate.getCertificate().getCertificateAt(0).getEncoded();
        }

        @Override
        public TlsCredentials getClientCredentials(CertificateRequest certificateRequest) throws IOException {
          return signer(context);
        }
      };
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
      super.notifyHandshakeComplete();
      complete(context);
    }
  }
}
