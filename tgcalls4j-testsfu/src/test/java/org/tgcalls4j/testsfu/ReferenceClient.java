package org.tgcalls4j.testsfu;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.beans.PropertyChangeEvent;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Hashtable;
import java.util.Vector;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsExtensionsUtils;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.ice.Agent;
import org.ice4j.ice.CandidateType;
import org.ice4j.ice.Component;
import org.ice4j.ice.IceMediaStream;
import org.ice4j.ice.IceProcessingState;
import org.ice4j.ice.KeepAliveStrategy;
import org.ice4j.ice.RemoteCandidate;
import org.jitsi.srtp.SrtcpCryptoContext;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.utils.logging2.LoggerImpl;

/**
 * An independent participant for testing the SFU on its own: ice4j controlled agent on
 * 127.0.0.1, Bouncy Castle DTLS server (join setup "passive", like libwebrtc clients) that
 * verifies the SFU fingerprint, and a jitsi-srtp sender.
 */
final class ReferenceClient implements AutoCloseable {
  private final BcTlsCrypto crypto = new BcTlsCrypto(new SecureRandom());
  private final DtlsIdentity identity;
  private final Agent agent;
  private final Component component;
  private final int srtpProfileId;
  private final CountDownLatch iceDone = new CountDownLatch(1);
  private QueuedDatagramTransport datagrams;
  private Thread reader;
  private volatile boolean closed;
  private SrtpContextFactory sender;
  private DTLSTransport dtls;

  /** @param srtpProfileId the one use_srtp profile this client accepts */
  ReferenceClient(int srtpProfileId) throws IOException {
    Ice4jSetup.apply();
    this.srtpProfileId = srtpProfileId;
    identity = DtlsIdentity.generate(crypto);
    agent = new Agent();
    agent.setControlling(false);
    agent.setUseDynamicPorts(false);
    agent.addCandidateHarvester(new LoopbackHostHarvester());
    IceMediaStream stream = agent.createMediaStream("audio");
    component = agent.createComponent(stream, KeepAliveStrategy.SELECTED_ONLY, true);
    agent.addStateChangeListener(this::onState);
  }

  String fingerprint() {
    return identity.fingerprint();
  }

  /** Join JSON in the tgcalls shape (§2.2) with an optional SIM/FID group list. */
  String joinJson(int ssrc, String fingerprint, int... groupSources) {
    JsonObject fp = new JsonObject();
    fp.addProperty("fingerprint", fingerprint);
    fp.addProperty("hash", "sha-256");
    fp.addProperty("setup", "passive");
    JsonArray fps = new JsonArray();
    fps.add(fp);
    JsonObject join = new JsonObject();
    join.add("fingerprints", fps);
    join.addProperty("pwd", agent.getLocalPassword());
    join.addProperty("ssrc", ssrc);
    join.addProperty("ufrag", agent.getLocalUfrag());
    if (groupSources.length > 0) {
      JsonArray sources = new JsonArray();
      for (int source : groupSources) {
        sources.add(source);
      }
      JsonObject group = new JsonObject();
      group.addProperty("semantics", "FID");
      group.add("sources", sources);
      JsonArray groups = new JsonArray();
      groups.add(group);
      join.add("ssrc-groups", groups);
    }
    return join.toString();
  }

  /**
   * Runs ICE against the answer's candidate and the DTLS server handshake.
   *
   * @throws IOException if ICE or DTLS fails (including an SFU fingerprint mismatch)
   */
  void connect(String answerJson) throws IOException, InterruptedException {
    JsonObject transport = JsonParser.parseString(answerJson).getAsJsonObject()
        .getAsJsonObject("transport");
    IceMediaStream stream = component.getParentStream();
    stream.setRemoteUfrag(transport.get("ufrag").getAsString());
    stream.setRemotePassword(transport.get("pwd").getAsString());
    JsonObject candidate = transport.getAsJsonArray("candidates").get(0).getAsJsonObject();
    component.addRemoteCandidate(new RemoteCandidate(
        new TransportAddress(candidate.get("ip").getAsString(),
            Integer.parseInt(candidate.get("port").getAsString()), Transport.UDP),
        component, CandidateType.HOST_CANDIDATE, candidate.get("foundation").getAsString(),
        Long.parseLong(candidate.get("priority").getAsString()), null));
    String sfuFingerprint = transport.getAsJsonArray("fingerprints").get(0).getAsJsonObject()
        .get("fingerprint").getAsString();
    datagrams = new QueuedDatagramTransport(component::send);
    agent.startConnectivityEstablishment();
    if (!iceDone.await(15, TimeUnit.SECONDS) || component.getSelectedPair() == null) {
      throw new IOException("reference client: ICE did not complete, state " + agent.getState());
    }
    reader = new Thread(this::readLoop, "testsfu-test-client-reader");
    reader.setDaemon(true);
    reader.start();
    Server server = new Server(sfuFingerprint);
    dtls = new DTLSServerProtocol().accept(server, datagrams);
    SrtpProfile profile = SrtpProfile.ofId(srtpProfileId);
    byte[][] keySalt = profile.split(server.material, false);
    sender = new SrtpContextFactory(true, keySalt[0], keySalt[1], profile.policy(),
        profile.policy(), new LoggerImpl(getClass().getName()));
  }

  /** Sends one SRTP packet: Opus-style header with the RFC 6464 extension (id 1) when asked. */
  void sendRtp(int ssrc, int payloadType, int sequence, int timestamp, byte[] payload,
      boolean audioLevel) throws Exception {
    ByteBuffer rtp = ByteBuffer.allocate(12 + (audioLevel ? 8 : 0) + payload.length);
    rtp.put((byte) (audioLevel ? 0x90 : 0x80)).put((byte) payloadType).putShort((short) sequence)
        .putInt(timestamp).putInt(ssrc);
    if (audioLevel) {
      rtp.putShort((short) 0xBEDE).putShort((short) 1).put((byte) 0x10).put((byte) 0x94)
          .put((byte) 0).put((byte) 0);
    }
    rtp.put(payload);
    SimpleByteArrayBuffer packet = new SimpleByteArrayBuffer(rtp.array(), 0, rtp.capacity(), 16);
    SrtpCryptoContext context = contexts.computeIfAbsent(ssrc, s -> {
      try {
        return sender.deriveContext(s, 0);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    context.transformPacket(packet);
    byte[] out = packet.toArray();
    component.send(out, 0, out.length);
  }

  private final java.util.Map<Integer, SrtpCryptoContext> contexts = new java.util.HashMap<>();
  private SrtcpCryptoContext rtcpContext;

  /** Sends a compound SRTCP packet: empty RR + SDES CNAME (RFC 3550 §6.4.2, §6.5). */
  void sendRtcp(int ssrc, String cname) throws Exception {
    byte[] name = cname.getBytes(StandardCharsets.UTF_8);
    int sdesWords = (4 + 2 + name.length + 1 + 3) / 4;
    ByteBuffer rtcp = ByteBuffer.allocate(8 + 4 + 4 * sdesWords);
    rtcp.put((byte) 0x80).put((byte) 201).putShort((short) 1).putInt(ssrc);
    rtcp.put((byte) 0x81).put((byte) 202).putShort((short) sdesWords).putInt(ssrc)
        .put((byte) 1).put((byte) name.length).put(name);
    if (rtcpContext == null) {
      rtcpContext = sender.deriveControlContext(ssrc);
    }
    SimpleByteArrayBuffer packet = new SimpleByteArrayBuffer(rtcp.array(), 0, rtcp.capacity(), 32);
    rtcpContext.transformPacket(packet);
    byte[] out = packet.toArray();
    component.send(out, 0, out.length);
  }

  private void onState(PropertyChangeEvent event) {
    if (Agent.PROPERTY_ICE_PROCESSING_STATE.equals(event.getPropertyName())) {
      IceProcessingState state = (IceProcessingState) event.getNewValue();
      if (state == IceProcessingState.COMPLETED || state == IceProcessingState.FAILED
          || state == IceProcessingState.TERMINATED) {
        iceDone.countDown();
      }
    }
  }

  private void readLoop() {
    byte[] buffer = new byte[2048];
    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
    try {
      component.getSocket().setSoTimeout(200);
    } catch (IOException e) {
      return;
    }
    while (!closed) {
      try {
        packet.setData(buffer, 0, buffer.length);
        component.getSocket().receive(packet);
      } catch (SocketTimeoutException e) {
        continue;
      } catch (IOException e) {
        return;
      }
      if ((buffer[0] & 0xFF) >= 20 && (buffer[0] & 0xFF) <= 63) {
        byte[] record = new byte[packet.getLength()];
        System.arraycopy(buffer, 0, record, 0, record.length);
        datagrams.offer(record);
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    closed = true;
    if (datagrams != null) {
      datagrams.close();
    }
    agent.free();
    if (reader != null) {
      reader.join(5_000);
    }
    if (sender != null) {
      sender.close();
    }
  }

  /** DTLS server half of the participant. */
  private final class Server extends DefaultTlsServer {
    private final String sfuFingerprint;
    private byte[] material;

    Server(String sfuFingerprint) {
      super(crypto);
      this.sfuFingerprint = sfuFingerprint;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
      return ProtocolVersion.DTLSv12.only();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
      return TlsUtils.getSupportedCipherSuites(getCrypto(), SfuDtls.CIPHER_SUITES);
    }

    @Override
    public int getHandshakeTimeoutMillis() {
      return 10_000;
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
    public void notifyClientCertificate(Certificate certificate) throws IOException {
      if (!DtlsIdentity.matches(certificate, sfuFingerprint)) {
        throw new TlsFatalAlert(AlertDescription.bad_certificate, "SFU fingerprint mismatch");
      }
    }

    @Override
    @SuppressWarnings("rawtypes")
    public void processClientExtensions(Hashtable clientExtensions) throws IOException {
      super.processClientExtensions(clientExtensions);
      UseSRTPData offered = TlsSRTPUtils.getUseSRTPExtension(clientExtensions);
      boolean found = false;
      for (int id : offered == null ? new int[0] : offered.getProtectionProfiles()) {
        found |= id == srtpProfileId;
      }
      if (!found) {
        throw new TlsFatalAlert(AlertDescription.handshake_failure, "profile not offered");
      }
    }

    @Override
    @SuppressWarnings("unchecked")
    public Hashtable<Integer, byte[]> getServerExtensions() throws IOException {
      Hashtable<Integer, byte[]> extensions =
          TlsExtensionsUtils.ensureExtensionsInitialised(super.getServerExtensions());
      TlsSRTPUtils.addUseSRTPExtension(
          extensions, new UseSRTPData(new int[] {srtpProfileId}, TlsUtils.EMPTY_BYTES));
      return extensions;
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
      super.notifyHandshakeComplete();
      material = context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null,
          SrtpProfile.ofId(srtpProfileId).keyingMaterialLength());
    }
  }
}
