package org.tgcalls4j.internal.dtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tgcalls4j.internal.srtp.SrtpProfile;

/** Two {@link DtlsEndpoint}s back to back over in-memory pipes (jitsi-media-transform DtlsTest style). */
@Timeout(60)
class DtlsEndpointTest {
  private static DtlsCertificate clientCertificate;
  private static DtlsCertificate serverCertificate;

  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();
  private DtlsEndpoint client;
  private DtlsEndpoint server;
  private InMemoryPipe toClient;

  @BeforeAll
  static void generateCertificates() {
    clientCertificate = DtlsCertificate.generate();
    serverCertificate = DtlsCertificate.generate();
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (AutoCloseable resource : resources) {
      resource.close();
    }
    executor.shutdownNow();
    assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).as("handshake threads ended").isTrue();
  }

  /** Wires a client and a server endpoint together; each expects the given fingerprint of the other. */
  private void connect(String clientExpectsHash, String clientExpects, String serverExpectsHash, String serverExpects) {
    InMemoryPipe toServer = new InMemoryPipe("client-to-server");
    toClient = new InMemoryPipe("server-to-client");
    client = new DtlsEndpoint(DtlsRole.CLIENT, clientCertificate, clientExpectsHash, clientExpects, toServer::send);
    server = new DtlsEndpoint(DtlsRole.SERVER, serverCertificate, serverExpectsHash, serverExpects, toClient::send);
    toServer.connect(server);
    toClient.connect(client);
    resources.add(client);
    resources.add(server);
    resources.add(toServer);
    resources.add(toClient);
  }

  private void connect() {
    connect("sha-256", serverCertificate.sha256Fingerprint(), "sha-256", clientCertificate.sha256Fingerprint());
  }

  private static DtlsException.Reason failureReason(Future<DtlsSrtpKeys> handshake) throws Exception {
    try {
      handshake.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(DtlsException.class);
      return ((DtlsException) e.getCause()).reason();
    }
    throw new AssertionError("the handshake succeeded");
  }

  @Test
  void handshakeGivesBothSidesTheSameProfileAndMirroredKeys() throws Exception {
    connect();
    Future<DtlsSrtpKeys> serverHandshake = executor.submit(() -> server.handshake(10_000));
    DtlsSrtpKeys clientKeys = client.handshake(10_000);
    DtlsSrtpKeys serverKeys = serverHandshake.get(10, TimeUnit.SECONDS);

    // Both sides offer and prefer AEAD_AES_128_GCM.
    assertThat(clientKeys.profile()).isEqualTo(SrtpProfile.AEAD_AES_128_GCM);
    assertThat(serverKeys.profile()).isEqualTo(SrtpProfile.AEAD_AES_128_GCM);
    assertThat(clientKeys.localMasterKey()).hasSize(16).isEqualTo(serverKeys.remoteMasterKey());
    assertThat(clientKeys.localMasterSalt()).hasSize(12).isEqualTo(serverKeys.remoteMasterSalt());
    assertThat(clientKeys.remoteMasterKey()).hasSize(16).isEqualTo(serverKeys.localMasterKey());
    assertThat(clientKeys.remoteMasterSalt()).hasSize(12).isEqualTo(serverKeys.localMasterSalt());
    assertThat(clientKeys.localMasterKey()).isNotEqualTo(clientKeys.remoteMasterKey());
    assertThat(client.isClosed()).isFalse();
    assertThat(server.isClosed()).isFalse();
  }

  @Test
  void serverUsesClientHelloThatArrivedBeforeItsHandshakeStarted() throws Exception {
    connect();
    Future<DtlsSrtpKeys> clientHandshake = executor.submit(() -> client.handshake(10_000));
    Thread.sleep(200); // the ClientHello is now queued in the server endpoint
    long start = System.nanoTime();
    server.handshake(10_000);
    clientHandshake.get(10, TimeUnit.SECONDS);
    // Well under BC's first retransmission (1 s): the queued ClientHello was answered.
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(900));
  }

  @Test
  void serverAnswersRetransmittedFinalFlightAfterItsHandshakeReturned() throws Exception {
    connect();
    // Lose the server's first epoch-1 record (its Finished, RFC 6347 §4.1 header bytes 3-4): the server
    // is done, the client must retransmit its flight and get the answer from the post-handshake reader.
    AtomicBoolean lost = new AtomicBoolean();
    toClient.dropWhen(d -> d.length > 4 && d[3] == 0 && d[4] == 1 && lost.compareAndSet(false, true));
    Future<DtlsSrtpKeys> clientHandshake = executor.submit(() -> client.handshake(10_000));
    DtlsSrtpKeys serverKeys = server.handshake(10_000);

    DtlsSrtpKeys clientKeys = clientHandshake.get(10, TimeUnit.SECONDS);

    assertThat(lost).isTrue();
    assertThat(clientKeys.remoteMasterKey()).isEqualTo(serverKeys.localMasterKey());
    assertThat(server.isClosed()).isFalse();
  }

  @Test
  void serverRejectsClientCertificateThatDoesNotMatchFingerprint() throws Exception {
    String otherFingerprint = DtlsCertificate.generate().sha256Fingerprint();
    connect("sha-256", serverCertificate.sha256Fingerprint(), "sha-256", otherFingerprint);
    long start = System.nanoTime();
    Future<DtlsSrtpKeys> clientHandshake = executor.submit(() -> client.handshake(20_000));

    assertThatThrownBy(() -> server.handshake(20_000))
        .isInstanceOfSatisfying(
            DtlsException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(DtlsException.Reason.FINGERPRINT_MISMATCH);
              assertThat(e.getMessage()).contains(otherFingerprint).contains(clientCertificate.sha256Fingerprint());
            });
    assertThat(failureReason(clientHandshake)).isEqualTo(DtlsException.Reason.HANDSHAKE_FAILED);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(server.isClosed()).isTrue();
  }

  @Test
  void clientRejectsServerCertificateThatDoesNotMatchFingerprint() throws Exception {
    String otherFingerprint = DtlsCertificate.generate().sha256Fingerprint();
    connect("sha-256", otherFingerprint, "sha-256", clientCertificate.sha256Fingerprint());
    long start = System.nanoTime();
    Future<DtlsSrtpKeys> serverHandshake = executor.submit(() -> server.handshake(20_000));

    assertThatThrownBy(() -> client.handshake(20_000))
        .isInstanceOfSatisfying(
            DtlsException.class, e -> assertThat(e.reason()).isEqualTo(DtlsException.Reason.FINGERPRINT_MISMATCH));
    assertThat(failureReason(serverHandshake)).isEqualTo(DtlsException.Reason.HANDSHAKE_FAILED);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void acceptsSha1AndSha512FingerprintsInAnyCase() throws Exception {
    String serverSha1 =
        HexFormat.ofDelimiter(":").formatHex(MessageDigest.getInstance("SHA-1").digest(serverCertificate.encoded()));
    String clientSha512 =
        HexFormat.ofDelimiter(":").formatHex(MessageDigest.getInstance("SHA-512").digest(clientCertificate.encoded()));
    connect("sha-1", serverSha1, "SHA-512", clientSha512);
    Future<DtlsSrtpKeys> serverHandshake = executor.submit(() -> server.handshake(10_000));
    assertThat(client.handshake(10_000).profile()).isEqualTo(SrtpProfile.AEAD_AES_128_GCM);
    assertThat(serverHandshake.get(10, TimeUnit.SECONDS).profile()).isEqualTo(SrtpProfile.AEAD_AES_128_GCM);
  }

  @Test
  void rejectsUnknownFingerprintHashFunction() {
    assertThatThrownBy(
            () -> new DtlsEndpoint(DtlsRole.CLIENT, clientCertificate, "md5", "AB:CD", datagram -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("md5");
  }

  @Test
  void closeNotifyFromPeerClosesEndpointAfterHandshake() throws Exception {
    connect();
    Future<DtlsSrtpKeys> serverHandshake = executor.submit(() -> server.handshake(10_000));
    client.handshake(10_000);
    serverHandshake.get(10, TimeUnit.SECONDS);

    client.close();

    assertThat(client.isClosed()).isTrue();
    await().atMost(Duration.ofSeconds(5)).until(server::isClosed);
  }

  @Test
  void clientHandshakeTimesOutWhenPeerNeverAnswers() {
    List<byte[]> sent = new CopyOnWriteArrayList<>();
    DtlsEndpoint lonely =
        new DtlsEndpoint(DtlsRole.CLIENT, clientCertificate, "sha-256", serverCertificate.sha256Fingerprint(), sent::add);
    resources.add(lonely);
    long start = System.nanoTime();

    assertThatThrownBy(() -> lonely.handshake(1_500))
        .isInstanceOfSatisfying(
            DtlsException.class, e -> assertThat(e.reason()).isEqualTo(DtlsException.Reason.TIMEOUT));

    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    assertThat(elapsed).isBetween(Duration.ofMillis(1_400), Duration.ofMillis(2_000));
    // ClientHello (content type 22) sent and retransmitted after 1 s.
    assertThat(sent).hasSizeGreaterThanOrEqualTo(2).allSatisfy(datagram -> assertThat(datagram[0]).isEqualTo((byte) 22));
    assertThat(lonely.isClosed()).isTrue();
  }

  @Test
  void serverHandshakeTimesOutWhenNoClientHelloArrives() {
    DtlsEndpoint lonely =
        new DtlsEndpoint(DtlsRole.SERVER, serverCertificate, "sha-256", clientCertificate.sha256Fingerprint(), d -> {});
    resources.add(lonely);
    long start = System.nanoTime();

    assertThatThrownBy(() -> lonely.handshake(500))
        .isInstanceOfSatisfying(
            DtlsException.class, e -> assertThat(e.reason()).isEqualTo(DtlsException.Reason.TIMEOUT));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(450), Duration.ofMillis(1_000));
  }

  @Test
  void closeUnblocksRunningHandshake() throws Exception {
    DtlsEndpoint lonely =
        new DtlsEndpoint(DtlsRole.SERVER, serverCertificate, "sha-256", clientCertificate.sha256Fingerprint(), d -> {});
    resources.add(lonely);
    Future<DtlsSrtpKeys> handshake = executor.submit(() -> lonely.handshake(30_000));
    Thread.sleep(200);
    long start = System.nanoTime();

    lonely.close();

    assertThat(failureReason(handshake)).isEqualTo(DtlsException.Reason.CLOSED);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));
    assertThat(lonely.isClosed()).isTrue();
  }

  @Test
  void handshakeAfterCloseFailsAtOnceAndSecondHandshakeIsRefused() {
    DtlsEndpoint endpoint =
        new DtlsEndpoint(DtlsRole.CLIENT, clientCertificate, "sha-256", serverCertificate.sha256Fingerprint(), d -> {});
    endpoint.close();
    endpoint.close();

    assertThatThrownBy(() -> endpoint.handshake(5_000))
        .isInstanceOfSatisfying(
            DtlsException.class, e -> assertThat(e.reason()).isEqualTo(DtlsException.Reason.CLOSED));
    assertThatThrownBy(() -> endpoint.handshake(5_000)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void receiveRejectsSliceOutsideBuffer() {
    DtlsEndpoint endpoint =
        new DtlsEndpoint(DtlsRole.SERVER, serverCertificate, "sha-256", clientCertificate.sha256Fingerprint(), d -> {});
    resources.add(endpoint);
    assertThatThrownBy(() -> endpoint.receive(new byte[10], 5, 6)).isInstanceOf(IndexOutOfBoundsException.class);
  }
}
