package org.tgcalls4j.internal.dtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.bouncycastle.tls.CipherSuite;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.tgcalls4j.internal.srtp.SrtpProfile;

/**
 * {@link DtlsEndpoint} against an independent peer written on Bouncy Castle's raw DTLS API over real
 * UDP sockets on 127.0.0.1; the peer offers or accepts one SRTP profile and exports the keying
 * material itself.
 */
@Timeout(60)
class DtlsEndpointInteropTest {
  private static DtlsCertificate ourCertificate;

  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final ExecutorService pool = DtlsHandshakePool.create(Executors.defaultThreadFactory(), 2);
  private final List<AutoCloseable> resources = new ArrayList<>();

  @BeforeAll
  static void generateCertificate() {
    ourCertificate = DtlsCertificate.generate();
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (AutoCloseable resource : resources) {
      resource.close();
    }
    executor.shutdownNow();
    pool.shutdownNow();
    assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).as("peer threads ended").isTrue();
    assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).as("handshake threads ended").isTrue();
  }

  /** Profile id, key and salt lengths from RFC 5764 §4.1.2 and RFC 7714 §14.2 / §12. */
  private record ProfileSpec(SrtpProfile profile, int id, int keyLength, int saltLength) {
    int exportLength() {
      return 2 * (keyLength + saltLength);
    }
  }

  private static final ProfileSpec CM_80 = new ProfileSpec(SrtpProfile.AES128_CM_HMAC_SHA1_80, 0x0001, 16, 14);
  private static final ProfileSpec GCM_128 = new ProfileSpec(SrtpProfile.AEAD_AES_128_GCM, 0x0007, 16, 12);
  private static final ProfileSpec GCM_256 = new ProfileSpec(SrtpProfile.AEAD_AES_256_GCM, 0x0008, 32, 12);

  static Stream<Arguments> rolesAndProfiles() {
    return Stream.of(DtlsRole.values())
        .flatMap(role -> Stream.of(CM_80, GCM_128, GCM_256).map(spec -> Arguments.of(role, spec)));
  }

  private RawBcPeer peer(boolean rsa, ProfileSpec spec) throws Exception {
    RawBcPeer peer = new RawBcPeer(rsa, new int[] {spec.id()}, spec.exportLength());
    resources.add(peer);
    return peer;
  }

  /** Our endpoint, what it told its listener, and the UDP socket it is reached on. */
  private record Link(DtlsEndpoint endpoint, RecordingListener events, UdpBridge bridge) {
    /** Starts the handshake on the pool and waits for the keys. */
    DtlsSrtpKeys handshake(ExecutorService pool) throws Exception {
      endpoint.startHandshake(pool, 10_000);
      DtlsSrtpKeys keys = events.awaitKeys();
      // Until the pool thread leaves the endpoint (just after onHandshakeComplete) it may process a
      // record that arrives on the UDP thread.
      await().atMost(Duration.ofSeconds(5))
          .until(() -> ((java.util.concurrent.ThreadPoolExecutor) pool).getActiveCount() == 0);
      return keys;
    }

    DtlsException failedHandshake(ExecutorService pool) throws Exception {
      endpoint.startHandshake(pool, 10_000);
      return events.awaitFailure(10);
    }
  }

  /** Our endpoint on its own UDP socket, talking to {@code peer}, expecting {@code fingerprint}. */
  private Link link(DtlsRole role, RawBcPeer peer, String fingerprint) throws Exception {
    UdpBridge bridge = new UdpBridge();
    RecordingListener events = new RecordingListener(bridge::send);
    DtlsEndpoint endpoint = new DtlsEndpoint(role, ourCertificate, "sha-256", fingerprint, events);
    resources.add(0, bridge);
    resources.add(0, endpoint);
    peer.connectTo(bridge.address());
    bridge.start(peer.address(), endpoint);
    return new Link(endpoint, events, bridge);
  }

  /** Starts the peer's side of the handshake (the opposite role) on a test thread. */
  private Future<byte[]> runPeer(DtlsRole endpointRole, RawBcPeer peer) {
    return executor.submit(
        () -> endpointRole == DtlsRole.CLIENT
            ? peer.accept(10_000)
            : peer.connect(10_000));
  }

  @ParameterizedTest(name = "{0} endpoint, peer offers only {1}")
  @MethodSource("rolesAndProfiles")
  void negotiatesTheOneProfileThePeerSupportsAndExportsTheSameKeys(DtlsRole role, ProfileSpec spec)
      throws Exception {
    RawBcPeer peer = peer(false, spec);
    Link link = link(role, peer, peer.sha256Fingerprint());
    Future<byte[]> peerHandshake = runPeer(role, peer);

    DtlsSrtpKeys keys = link.handshake(pool);
    byte[] material = peerHandshake.get(10, TimeUnit.SECONDS);

    // RFC 5764 §4.2: client_write_key | server_write_key | client_write_salt | server_write_salt
    int k = spec.keyLength();
    int s = spec.saltLength();
    assertThat(material).hasSize(spec.exportLength());
    byte[] clientKey = Arrays.copyOfRange(material, 0, k);
    byte[] serverKey = Arrays.copyOfRange(material, k, 2 * k);
    byte[] clientSalt = Arrays.copyOfRange(material, 2 * k, 2 * k + s);
    byte[] serverSalt = Arrays.copyOfRange(material, 2 * k + s, 2 * k + 2 * s);
    boolean client = role == DtlsRole.CLIENT;
    assertThat(keys.profile()).isEqualTo(spec.profile());
    assertThat(peer.negotiatedSrtpProfileId()).isEqualTo(spec.id());
    assertThat(keys.localMasterKey()).isEqualTo(client ? clientKey : serverKey);
    assertThat(keys.localMasterSalt()).isEqualTo(client ? clientSalt : serverSalt);
    assertThat(keys.remoteMasterKey()).isEqualTo(client ? serverKey : clientKey);
    assertThat(keys.remoteMasterSalt()).isEqualTo(client ? serverSalt : clientSalt);
    // The peer saw our certificate, and its own SHA-256 of it is what we announce.
    assertThat(RawBcPeer.sha256(peer.remoteCertificateDer())).isEqualTo(ourCertificate.sha256Fingerprint());

    peer.close(); // close_notify, processed by the endpoint after its handshake
    assertThat(link.events().awaitClosed()).isEmpty();
    assertThat(link.endpoint().isClosed()).isTrue();
  }

  @Test
  void serverPicksTheFirstOfItsOwnPreferencesThatTheClientOffers() throws Exception {
    // The client lists CM first; our server prefers GCM-128, which is absent, then GCM-256.
    RawBcPeer peer = new RawBcPeer(false, new int[] {CM_80.id(), GCM_256.id()}, GCM_256.exportLength());
    resources.add(peer);
    Link link = link(DtlsRole.SERVER, peer, peer.sha256Fingerprint());
    Future<byte[]> peerHandshake = runPeer(DtlsRole.SERVER, peer);

    DtlsSrtpKeys keys = link.handshake(pool);
    byte[] material = peerHandshake.get(10, TimeUnit.SECONDS);

    assertThat(keys.profile()).isEqualTo(SrtpProfile.AEAD_AES_256_GCM);
    assertThat(peer.negotiatedSrtpProfileId()).isEqualTo(GCM_256.id());
    assertThat(keys.remoteMasterKey()).isEqualTo(Arrays.copyOfRange(material, 0, 32));
  }

  @Test
  void clientConnectsToServerWithRsaCertificateUsingEcdheRsa() throws Exception {
    RawBcPeer peer = peer(true, GCM_128);
    Link link = link(DtlsRole.CLIENT, peer, peer.sha256Fingerprint());
    Future<byte[]> peerHandshake = runPeer(DtlsRole.CLIENT, peer);

    DtlsSrtpKeys keys = link.handshake(pool);
    byte[] material = peerHandshake.get(10, TimeUnit.SECONDS);

    assertThat(peer.cipherSuite()).isEqualTo(CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
    assertThat(keys.localMasterKey()).isEqualTo(Arrays.copyOfRange(material, 0, 16));
  }

  @Test
  void serverRejectsPeerWhoseCertificateDoesNotMatchSignaledFingerprint() throws Exception {
    RawBcPeer peer = peer(false, GCM_128);
    String peerFingerprint = peer.sha256Fingerprint();
    Link link = link(DtlsRole.SERVER, peer, DtlsCertificate.generate().sha256Fingerprint());
    Future<byte[]> peerHandshake = runPeer(DtlsRole.SERVER, peer);
    long start = System.nanoTime();

    DtlsException e = link.failedHandshake(pool);
    assertThat(e.reason()).isEqualTo(DtlsException.Reason.FINGERPRINT_MISMATCH);
    assertThat(e.getMessage()).contains(peerFingerprint);
    assertThat(link.events().events).containsExactly("failed");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    assertThatThrownBy(() -> peerHandshake.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
  }

  @Test
  void clientRejectsPeerWhoseCertificateDoesNotMatchSignaledFingerprint() throws Exception {
    RawBcPeer peer = peer(false, GCM_128);
    Link link = link(DtlsRole.CLIENT, peer, DtlsCertificate.generate().sha256Fingerprint());
    Future<byte[]> peerHandshake = runPeer(DtlsRole.CLIENT, peer);
    long start = System.nanoTime();

    assertThat(link.failedHandshake(pool).reason()).isEqualTo(DtlsException.Reason.FINGERPRINT_MISMATCH);
    assertThat(link.events().events).containsExactly("failed");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    assertThatThrownBy(() -> peerHandshake.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
  }

  @Test
  void serverFailsHandshakeWhenClientOffersNoSupportedProfile() throws Exception {
    // SRTP_AES128_CM_HMAC_SHA1_32 (0x0002, RFC 5764 §4.1.2) is not one we implement.
    RawBcPeer peer = peer(false, new ProfileSpec(null, 0x0002, 16, 14));
    Link link = link(DtlsRole.SERVER, peer, peer.sha256Fingerprint());
    Future<byte[]> peerHandshake = runPeer(DtlsRole.SERVER, peer);

    DtlsException e = link.failedHandshake(pool);
    assertThat(e.reason()).isEqualTo(DtlsException.Reason.HANDSHAKE_FAILED);
    assertThat(e.getMessage()).contains("SRTP profiles");
    assertThatThrownBy(() -> peerHandshake.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
  }

  @ParameterizedTest(name = "{0} endpoint")
  @EnumSource(DtlsRole.class)
  void applicationDataFlowsBothWaysAndPeerFatalAlertEndsTheAssociation(DtlsRole role) throws Exception {
    RawBcPeer peer = peer(false, GCM_128);
    Link link = link(role, peer, peer.sha256Fingerprint());
    Future<byte[]> peerHandshake = runPeer(role, peer);
    link.handshake(pool);
    peerHandshake.get(10, TimeUnit.SECONDS);

    peer.send("from the peer".getBytes(StandardCharsets.US_ASCII));
    link.endpoint().sendApplicationData("from us".getBytes(StandardCharsets.US_ASCII), 0, 7);

    assertThat(peer.receive(5_000)).asString(StandardCharsets.US_ASCII).isEqualTo("from us");
    await().atMost(Duration.ofSeconds(5)).until(() -> link.events().applicationData.size() == 1);
    assertThat(link.events().applicationData.get(0)).asString(StandardCharsets.US_ASCII).isEqualTo("from the peer");
    // Delivered on the UDP receive thread, not on a handshake-pool thread.
    assertThat(link.events().applicationDataThreads).allSatisfy(name -> assertThat(name).startsWith("udp-bridge-"));

    peer.failWithFatalAlert();

    DtlsException cause = link.events().awaitClosed().orElseThrow();
    assertThat(cause.reason()).isEqualTo(DtlsException.Reason.CONNECTION_FAILED);
    assertThat(cause.getMessage()).contains("internal_error");
    assertThat(link.endpoint().isClosed()).isTrue();
    assertThat(link.events().events).containsExactly("complete", "data", "closed");
  }
}
