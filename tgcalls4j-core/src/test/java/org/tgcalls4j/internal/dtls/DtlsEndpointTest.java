package org.tgcalls4j.internal.dtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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

  private final AtomicInteger threadNumber = new AtomicInteger();
  private final ExecutorService pool =
      DtlsHandshakePool.create(r -> new Thread(r, "test-handshake-" + threadNumber.incrementAndGet()), 4);
  private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();
  private final List<ExecutorService> executors = new CopyOnWriteArrayList<>(List.of(pool));
  private DtlsEndpoint client;
  private DtlsEndpoint server;
  private RecordingListener clientEvents;
  private RecordingListener serverEvents;
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
    for (ExecutorService executor : executors) {
      executor.shutdownNow();
      assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).as("handshake threads ended").isTrue();
    }
  }

  /** Wires a client and a server endpoint together; each expects the given fingerprint of the other. */
  private void connect(String clientExpectsHash, String clientExpects, String serverExpectsHash, String serverExpects) {
    InMemoryPipe toServer = new InMemoryPipe("client-to-server");
    toClient = new InMemoryPipe("server-to-client");
    clientEvents = new RecordingListener(toServer::send);
    serverEvents = new RecordingListener(toClient::send);
    client = new DtlsEndpoint(DtlsRole.CLIENT, clientCertificate, clientExpectsHash, clientExpects, clientEvents);
    server = new DtlsEndpoint(DtlsRole.SERVER, serverCertificate, serverExpectsHash, serverExpects, serverEvents);
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

  private void handshakeBoth() throws Exception {
    server.startHandshake(pool, 10_000);
    client.startHandshake(pool, 10_000);
    clientEvents.awaitKeys();
    serverEvents.awaitKeys();
    // The pool threads leave the endpoints just after onHandshakeComplete; until then a record
    // arriving on another thread may be processed by them (see Listener#onApplicationData).
    await().atMost(Duration.ofSeconds(5)).until(() -> ((java.util.concurrent.ThreadPoolExecutor) pool).getActiveCount() == 0);
  }

  private DtlsEndpoint lonely(DtlsRole role, RecordingListener events) {
    DtlsCertificate own = role == DtlsRole.CLIENT ? clientCertificate : serverCertificate;
    DtlsCertificate other = role == DtlsRole.CLIENT ? serverCertificate : clientCertificate;
    DtlsEndpoint endpoint = new DtlsEndpoint(role, own, "sha-256", other.sha256Fingerprint(), events);
    resources.add(endpoint);
    return endpoint;
  }

  @Test
  void handshakeGivesBothSidesTheSameProfileAndMirroredKeysOnPoolThreads() throws Exception {
    connect();

    handshakeBoth();
    DtlsSrtpKeys clientKeys = clientEvents.awaitKeys();
    DtlsSrtpKeys serverKeys = serverEvents.awaitKeys();

    // Both sides offer and prefer AEAD_AES_128_GCM.
    assertThat(clientKeys.profile()).isEqualTo(SrtpProfile.AEAD_AES_128_GCM);
    assertThat(serverKeys.profile()).isEqualTo(SrtpProfile.AEAD_AES_128_GCM);
    assertThat(clientKeys.localMasterKey()).hasSize(16).isEqualTo(serverKeys.remoteMasterKey());
    assertThat(clientKeys.localMasterSalt()).hasSize(12).isEqualTo(serverKeys.remoteMasterSalt());
    assertThat(clientKeys.remoteMasterKey()).hasSize(16).isEqualTo(serverKeys.localMasterKey());
    assertThat(clientKeys.remoteMasterSalt()).hasSize(12).isEqualTo(serverKeys.localMasterSalt());
    assertThat(clientKeys.localMasterKey()).isNotEqualTo(clientKeys.remoteMasterKey());
    // recorded in the callback itself: a thenRun on the keys future may run on a thread in get()
    assertThat(clientEvents.handshakeThread).startsWith("test-handshake-");
    assertThat(serverEvents.handshakeThread).startsWith("test-handshake-");
    assertThat(client.isClosed()).isFalse();
    assertThat(server.isClosed()).isFalse();
    assertThat(clientEvents.handshakeCallbacks).hasValue(1);
    assertThat(serverEvents.handshakeCallbacks).hasValue(1);
  }

  @Test
  void startHandshakeOnlyHandsTheHandshakeToThePool() throws Exception {
    connect();
    List<Runnable> submitted = new ArrayList<>();
    List<byte[]> sent = new CopyOnWriteArrayList<>();
    clientEvents.sendTo(sent::add);

    client.startHandshake(submitted::add, 10_000);

    // Nothing ran on the calling thread: no ClientHello yet, no outcome.
    assertThat(submitted).hasSize(1);
    assertThat(sent).isEmpty();
    assertThat(clientEvents.keys).isNotDone();
    assertThatThrownBy(() -> client.startHandshake(pool, 10_000)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void serverUsesClientHelloThatArrivedBeforeItsHandshakeStarted() throws Exception {
    connect();
    client.startHandshake(pool, 10_000);
    Thread.sleep(200); // the ClientHello is now queued in the server endpoint
    long start = System.nanoTime();
    server.startHandshake(pool, 10_000);
    serverEvents.awaitKeys();
    clientEvents.awaitKeys();
    // Well under BC's first retransmission (1 s): the queued ClientHello was answered.
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(900));
  }

  @Test
  void serverAnswersRetransmittedFinalFlightAfterItsHandshakeEnded() throws Exception {
    connect();
    // Lose the server's first epoch-1 record (its Finished, RFC 6347 §4.1 header bytes 3-4): the server
    // is done, the client must retransmit its flight and get the answer from receive() on the pipe thread.
    AtomicBoolean lost = new AtomicBoolean();
    toClient.dropWhen(d -> d.length > 4 && d[3] == 0 && d[4] == 1 && lost.compareAndSet(false, true));
    handshakeBoth();

    assertThat(lost).isTrue();
    assertThat(clientEvents.awaitKeys().remoteMasterKey()).isEqualTo(serverEvents.awaitKeys().localMasterKey());
    assertThat(server.isClosed()).isFalse();
  }

  @Test
  void serverRejectsClientCertificateThatDoesNotMatchFingerprintAndDerivesNoKeys() throws Exception {
    String otherFingerprint = DtlsCertificate.generate().sha256Fingerprint();
    connect("sha-256", serverCertificate.sha256Fingerprint(), "sha-256", otherFingerprint);
    long start = System.nanoTime();
    server.startHandshake(pool, 20_000);
    client.startHandshake(pool, 20_000);

    DtlsException serverFailure = serverEvents.awaitFailure(10);
    assertThat(serverFailure.reason()).isEqualTo(DtlsException.Reason.FINGERPRINT_MISMATCH);
    assertThat(serverFailure.getMessage()).contains(otherFingerprint).contains(clientCertificate.sha256Fingerprint());
    assertThat(clientEvents.awaitFailure(10).reason()).isEqualTo(DtlsException.Reason.HANDSHAKE_FAILED);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(server.isClosed()).isTrue();
    assertThat(serverEvents.handshakeCallbacks).hasValue(1);
    assertThat(serverEvents.events).containsExactly("failed");
  }

  @Test
  void clientRejectsServerCertificateThatDoesNotMatchFingerprintAndDerivesNoKeys() throws Exception {
    String otherFingerprint = DtlsCertificate.generate().sha256Fingerprint();
    connect("sha-256", otherFingerprint, "sha-256", clientCertificate.sha256Fingerprint());
    long start = System.nanoTime();
    server.startHandshake(pool, 20_000);
    client.startHandshake(pool, 20_000);

    assertThat(clientEvents.awaitFailure(10).reason()).isEqualTo(DtlsException.Reason.FINGERPRINT_MISMATCH);
    assertThat(serverEvents.awaitFailure(10).reason()).isEqualTo(DtlsException.Reason.HANDSHAKE_FAILED);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(clientEvents.events).containsExactly("failed");
  }

  @Test
  void acceptsSha1AndSha512FingerprintsInAnyCase() throws Exception {
    String serverSha1 =
        HexFormat.ofDelimiter(":").formatHex(MessageDigest.getInstance("SHA-1").digest(serverCertificate.encoded()));
    String clientSha512 =
        HexFormat.ofDelimiter(":").formatHex(MessageDigest.getInstance("SHA-512").digest(clientCertificate.encoded()));
    connect("sha-1", serverSha1, "SHA-512", clientSha512);
    handshakeBoth();
    assertThat(clientEvents.awaitKeys().profile()).isEqualTo(SrtpProfile.AEAD_AES_128_GCM);
    assertThat(serverEvents.awaitKeys().profile()).isEqualTo(SrtpProfile.AEAD_AES_128_GCM);
  }

  @Test
  void rejectsUnknownFingerprintHashFunction() {
    assertThatThrownBy(
            () -> new DtlsEndpoint(DtlsRole.CLIENT, clientCertificate, "md5", "AB:CD", new RecordingListener()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("md5");
  }

  @Test
  void applicationDataFlowsBothWaysOnTheReceivingThreads() throws Exception {
    connect();
    handshakeBoth();

    client.sendApplicationData("ping".getBytes(StandardCharsets.US_ASCII), 0, 4);
    byte[] pong = "xxpongxx".getBytes(StandardCharsets.US_ASCII);
    server.sendApplicationData(pong, 2, 4);

    await().atMost(Duration.ofSeconds(5))
        .until(() -> serverEvents.applicationData.size() == 1 && clientEvents.applicationData.size() == 1);
    assertThat(new String(serverEvents.applicationData.get(0), StandardCharsets.US_ASCII)).isEqualTo("ping");
    assertThat(new String(clientEvents.applicationData.get(0), StandardCharsets.US_ASCII)).isEqualTo("pong");
    assertThat(serverEvents.applicationDataThreads).containsExactly("client-to-server");
    assertThat(clientEvents.applicationDataThreads).containsExactly("server-to-client");
    assertThat(serverEvents.events).containsExactly("complete", "data");
  }

  @Test
  void applicationDataUpToTheRecordLimitIsSentAndLargerIsRefusedWithoutHarm() throws Exception {
    connect();
    handshakeBoth();

    // 1200-byte records - 13 header - 8 explicit nonce - 16 GCM tag.
    assertThatThrownBy(() -> client.sendApplicationData(new byte[1164], 0, 1164))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1163");
    client.sendApplicationData(new byte[1163], 0, 1163);

    await().atMost(Duration.ofSeconds(5)).until(() -> serverEvents.applicationData.size() == 1);
    assertThat(serverEvents.applicationData.get(0)).hasSize(1163);
    assertThat(client.isClosed()).isFalse();
  }

  @Test
  void senderThatThrowsLosesTheDatagramAndTheHandshakeRecoversByRetransmission() throws Exception {
    connect();
    AtomicBoolean thrown = new AtomicBoolean();
    InMemoryPipe toServer = (InMemoryPipe) resources.get(2);
    clientEvents.sendTo(
        datagram -> {
          if (thrown.compareAndSet(false, true)) {
            throw new IllegalStateException("socket not ready");
          }
          toServer.send(datagram);
        });

    handshakeBoth();

    assertThat(thrown).isTrue();
    assertThat(clientEvents.awaitKeys().localMasterKey()).isEqualTo(serverEvents.awaitKeys().remoteMasterKey());
  }

  @Test
  void receiveProcessesEachRecordWithinTheCallAndNeverWaits() throws Exception {
    connect();
    handshakeBoth();
    List<byte[]> records = new ArrayList<>();
    clientEvents.sendTo(records::add); // capture the client's records instead of piping them
    int count = 1000;
    for (int i = 0; i < count; i++) {
      client.sendApplicationData(Integer.toString(i).getBytes(StandardCharsets.US_ASCII), 0, Integer.toString(i).length());
    }
    assertThat(records).hasSize(count);

    // With the interrupt flag set, any wait inside receive() (a Condition await, Thread.sleep,
    // BlockingQueue.poll with a timeout) would throw at once and end the association; a receive()
    // that never waits leaves the flag alone.
    Thread.currentThread().interrupt();
    try {
      for (int i = 0; i < count; i++) {
        byte[] record = records.get(i);
        server.receive(record, 0, record.length);
        assertThat(serverEvents.applicationData).as("delivered within receive() #%d", i).hasSize(i + 1);
      }
      assertThat(Thread.currentThread().isInterrupted()).as("nothing consumed the interrupt").isTrue();
    } finally {
      Thread.interrupted();
    }
    for (int i = 0; i < count; i++) {
      assertThat(new String(serverEvents.applicationData.get(i), StandardCharsets.US_ASCII)).isEqualTo(Integer.toString(i));
    }
    assertThat(serverEvents.applicationDataThreads).containsOnly(Thread.currentThread().getName());
    assertThat(server.isClosed()).isFalse();
    // A replayed record is dropped silently (RFC 6347 §4.1.2.6), not thrown.
    server.receive(records.get(0), 0, records.get(0).length);
    assertThat(serverEvents.applicationData).hasSize(count);
    assertThat(server.isClosed()).isFalse();
  }

  @Test
  void closeNotifyFromPeerEndsTheAssociationOnBothSidesExactlyOnce() throws Exception {
    connect();
    handshakeBoth();

    client.close();
    client.close();

    assertThat(client.isClosed()).isTrue();
    assertThat(clientEvents.awaitClosed()).isEmpty();
    assertThat(serverEvents.awaitClosed()).isEmpty();
    assertThat(server.isClosed()).isTrue();
    server.close();
    Thread.sleep(100);
    assertThat(clientEvents.closedCallbacks).hasValue(1);
    assertThat(serverEvents.closedCallbacks).hasValue(1);
    assertThat(serverEvents.events).containsExactly("complete", "closed");
    assertThatThrownBy(() -> client.sendApplicationData(new byte[1], 0, 1))
        .isInstanceOfSatisfying(DtlsException.class, e -> assertThat(e.reason()).isEqualTo(DtlsException.Reason.CLOSED));
  }

  @Test
  void sendApplicationDataBeforeTheHandshakeIsRefused() {
    connect();
    assertThatThrownBy(() -> client.sendApplicationData(new byte[1], 0, 1)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void clientHandshakeTimesOutWhenPeerNeverAnswers() throws Exception {
    List<byte[]> sent = new CopyOnWriteArrayList<>();
    RecordingListener events = new RecordingListener(sent::add);
    DtlsEndpoint endpoint = lonely(DtlsRole.CLIENT, events);
    long start = System.nanoTime();

    endpoint.startHandshake(pool, 1_500);

    assertThat(events.awaitFailure(10).reason()).isEqualTo(DtlsException.Reason.TIMEOUT);
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    assertThat(elapsed).isBetween(Duration.ofMillis(1_400), Duration.ofMillis(2_000));
    // ClientHello (content type 22) sent and retransmitted after 1 s.
    assertThat(sent).hasSizeGreaterThanOrEqualTo(2).allSatisfy(datagram -> assertThat(datagram[0]).isEqualTo((byte) 22));
    assertThat(endpoint.isClosed()).isTrue();
  }

  @Test
  void serverHandshakeTimesOutWhenNoClientHelloArrives() throws Exception {
    RecordingListener events = new RecordingListener();
    DtlsEndpoint endpoint = lonely(DtlsRole.SERVER, events);
    long start = System.nanoTime();

    endpoint.startHandshake(pool, 500);

    assertThat(events.awaitFailure(10).reason()).isEqualTo(DtlsException.Reason.TIMEOUT);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(450), Duration.ofMillis(1_000));
  }

  @Test
  void timeSpentQueuedForAPoolThreadCountsAgainstTheTimeout() throws Exception {
    RecordingListener events = new RecordingListener();
    DtlsEndpoint endpoint = lonely(DtlsRole.CLIENT, events);

    endpoint.startHandshake(CompletableFuture.delayedExecutor(400, TimeUnit.MILLISECONDS), 200);

    DtlsException failure = events.awaitFailure(10);
    assertThat(failure.reason()).isEqualTo(DtlsException.Reason.TIMEOUT);
    assertThat(failure.getMessage()).contains("pool thread");
    assertThat(endpoint.isClosed()).isTrue();
  }

  @Test
  void closeUnblocksRunningHandshake() throws Exception {
    RecordingListener events = new RecordingListener();
    DtlsEndpoint endpoint = lonely(DtlsRole.SERVER, events);
    endpoint.startHandshake(pool, 30_000);
    Thread.sleep(200);
    long start = System.nanoTime();

    endpoint.close();

    assertThat(events.awaitFailure(5).reason()).isEqualTo(DtlsException.Reason.CLOSED);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));
    assertThat(endpoint.isClosed()).isTrue();
    Thread.sleep(100);
    assertThat(events.events).containsExactly("failed");
  }

  @Test
  void startAfterCloseFailsAtOnceAndSecondStartIsRefused() throws Exception {
    RecordingListener events = new RecordingListener();
    DtlsEndpoint endpoint = lonely(DtlsRole.CLIENT, events);
    endpoint.close();
    endpoint.close();

    endpoint.startHandshake(pool, 5_000);

    assertThat(events.keys).isCompletedExceptionally();
    assertThat(events.awaitFailure(1).reason()).isEqualTo(DtlsException.Reason.CLOSED);
    assertThatThrownBy(() -> endpoint.startHandshake(pool, 5_000)).isInstanceOf(IllegalStateException.class);
    assertThat(events.handshakeCallbacks).hasValue(1);
  }

  @Test
  void poolThatRefusesTheTaskFailsTheHandshake() throws Exception {
    ExecutorService shutDown = Executors.newSingleThreadExecutor();
    shutDown.shutdown();
    RecordingListener events = new RecordingListener();
    DtlsEndpoint endpoint = lonely(DtlsRole.CLIENT, events);

    endpoint.startHandshake(shutDown, 5_000);

    assertThat(events.awaitFailure(1).reason()).isEqualTo(DtlsException.Reason.HANDSHAKE_FAILED);
    assertThat(endpoint.isClosed()).isTrue();
  }

  @Test
  void manyConcurrentHandshakesOnASmallPoolShareOneCertificatePerSide() throws Exception {
    // Our side: 2 pool threads for 12 handshakes. The peers run on their own pool, as a remote SFU would.
    ExecutorService peers = Executors.newCachedThreadPool();
    ExecutorService small = DtlsHandshakePool.create(Executors.defaultThreadFactory(), 2);
    executors.add(peers);
    executors.add(small);
    int pairs = 12;
    List<RecordingListener> ours = new ArrayList<>();
    List<RecordingListener> theirs = new ArrayList<>();
    for (int i = 0; i < pairs; i++) {
      InMemoryPipe up = new InMemoryPipe("up-" + i);
      InMemoryPipe down = new InMemoryPipe("down-" + i);
      RecordingListener a = new RecordingListener(up::send);
      RecordingListener b = new RecordingListener(down::send);
      DtlsEndpoint mine =
          new DtlsEndpoint(DtlsRole.CLIENT, clientCertificate, "sha-256", serverCertificate.sha256Fingerprint(), a);
      DtlsEndpoint peer =
          new DtlsEndpoint(DtlsRole.SERVER, serverCertificate, "sha-256", clientCertificate.sha256Fingerprint(), b);
      up.connect(peer);
      down.connect(mine);
      resources.addAll(List.of(mine, peer, up, down));
      peer.startHandshake(peers, 30_000);
      mine.startHandshake(small, 30_000);
      ours.add(a);
      theirs.add(b);
    }
    for (int i = 0; i < pairs; i++) {
      DtlsSrtpKeys mine = ours.get(i).keys.get(30, TimeUnit.SECONDS);
      assertThat(mine.localMasterKey()).isEqualTo(theirs.get(i).keys.get(30, TimeUnit.SECONDS).remoteMasterKey());
    }
    assertThat(ours).allSatisfy(l -> assertThat(l.handshakeCallbacks).hasValue(1));
    assertThat(((java.util.concurrent.ThreadPoolExecutor) small).getLargestPoolSize()).isEqualTo(2);
  }

  @Test
  void receiveRejectsSliceOutsideBuffer() {
    DtlsEndpoint endpoint = lonely(DtlsRole.SERVER, new RecordingListener());
    assertThatThrownBy(() -> endpoint.receive(new byte[10], 5, 6)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void handshakePoolValidatesItsArguments() {
    assertThatThrownBy(() -> DtlsHandshakePool.create(Executors.defaultThreadFactory(), 0))
        .isInstanceOf(IllegalArgumentException.class);
    ExecutorService defaults = DtlsHandshakePool.create();
    executors.add(defaults);
    assertThat(((java.util.concurrent.ThreadPoolExecutor) defaults).getMaximumPoolSize())
        .isEqualTo(DtlsHandshakePool.DEFAULT_THREADS)
        .isGreaterThanOrEqualTo(2);
  }
}
