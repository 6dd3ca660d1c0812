package org.tgcalls4j.internal.dtls;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tgcalls4j.internal.srtp.SrtpContext;
import org.tgcalls4j.internal.srtp.SrtpProfile;
import org.tgcalls4j.internal.srtp.SrtpResult;
import org.tgcalls4j.internal.srtp.SrtpStatus;

/**
 * {@link DtlsEndpoint} against an independent implementation: aiortc's {@code RTCDtlsTransport}
 * (Python, OpenSSL) run by {@code src/test/python/aiortc_dtls_peer.py}, over real UDP on 127.0.0.1,
 * in both roles. The script stands in for aiortc's ICE transport with a plain UDP socket, so these
 * tests exercise DTLS only. Skipped when {@code /usr/bin/python3} cannot import aiortc.
 */
// A separate thread, so that a read blocked on the script's stdout cannot outlive the timeout:
// @AfterEach then kills the script, which ends the read.
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DtlsEndpointAiortcTest {
  private static final String PYTHON = "/usr/bin/python3";
  private static final Path SCRIPT = Path.of("src/test/python/aiortc_dtls_peer.py");

  /** aiortc 1.4.0 offers only SRTP_AES128_CM_SHA1_80: 16-byte keys, 14-byte salts. */
  private static final int KEY = 16;
  private static final int SALT = 14;

  private static DtlsCertificate ourCertificate;

  private final ExecutorService pool = DtlsHandshakePool.create(Executors.defaultThreadFactory(), 2);
  private Process python;
  private BufferedReader fromPython;
  private BufferedWriter toPython;
  private UdpBridge bridge;
  private DtlsEndpoint endpoint;

  @BeforeAll
  static void requireAiortc() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(new File(PYTHON).canExecute(), PYTHON + " is missing");
    Process probe = new ProcessBuilder(PYTHON, "-c", "import aiortc").redirectErrorStream(true).start();
    boolean ended = probe.waitFor(30, TimeUnit.SECONDS);
    if (!ended) {
      probe.destroyForcibly();
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(ended && probe.exitValue() == 0, "aiortc is not importable");
    ourCertificate = DtlsCertificate.generate();
  }

  @AfterEach
  void cleanUp() throws Exception {
    if (endpoint != null) {
      endpoint.close();
    }
    if (bridge != null) {
      bridge.close();
    }
    if (python != null) {
      python.destroy();
      if (!python.waitFor(5, TimeUnit.SECONDS)) {
        python.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
    pool.shutdownNow();
    assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  /** Starts the script; returns its first line: its UDP port and its certificate's SHA-256 fingerprint. */
  private JsonObject startPython() throws IOException {
    assertThat(SCRIPT).exists();
    Path stderr = Files.createTempFile("aiortc-peer", ".log");
    stderr.toFile().deleteOnExit();
    python =
        new ProcessBuilder(PYTHON, SCRIPT.toString()).redirectError(ProcessBuilder.Redirect.to(stderr.toFile())).start();
    fromPython = new BufferedReader(new InputStreamReader(python.getInputStream(), StandardCharsets.UTF_8));
    toPython = new BufferedWriter(new OutputStreamWriter(python.getOutputStream(), StandardCharsets.UTF_8));
    return readPython();
  }

  private JsonObject readPython() throws IOException {
    String line = fromPython.readLine();
    assertThat(line).as("a line from the aiortc peer").isNotNull();
    return JsonParser.parseString(line).getAsJsonObject();
  }

  private void writePython(String line) throws IOException {
    toPython.write(line);
    toPython.newLine();
    toPython.flush();
  }

  /**
   * Wires our endpoint to the script's socket and tells the script our port, its role (the opposite
   * of ours) and the fingerprint it must expect.
   */
  private RecordingListener connect(DtlsRole ourRole, JsonObject hello, String weExpect, CompletableFuture<byte[]> srtp)
      throws Exception {
    bridge = new UdpBridge();
    RecordingListener events = new RecordingListener(bridge::send);
    endpoint = new DtlsEndpoint(ourRole, ourCertificate, "sha-256", weExpect, events);
    bridge.onNonDtls(srtp::complete);
    bridge.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), hello.get("port").getAsInt()), endpoint);
    JsonObject params = new JsonObject();
    params.addProperty("port", bridge.address().getPort());
    params.addProperty("role", ourRole == DtlsRole.CLIENT ? "server" : "client");
    params.addProperty("fingerprint", ourCertificate.sha256Fingerprint());
    writePython(params.toString());
    return events;
  }

  @ParameterizedTest(name = "we are the DTLS {0}")
  @EnumSource(DtlsRole.class)
  void handshakeSrtpKeysApplicationDataAndCloseNotifyAgreeWithAiortc(DtlsRole ourRole) throws Exception {
    JsonObject hello = startPython();
    CompletableFuture<byte[]> srtp = new CompletableFuture<>();
    RecordingListener events = connect(ourRole, hello, hello.get("fingerprint").getAsString(), srtp);

    endpoint.startHandshake(pool, 15_000);
    DtlsSrtpKeys keys = events.awaitKeys();
    JsonObject result = readPython();

    assertThat(result.get("state").getAsString()).isEqualTo("connected");
    assertThat(keys.profile()).isEqualTo(SrtpProfile.AES128_CM_HMAC_SHA1_80);
    // RFC 5764 §4.2: client_write_key | server_write_key | client_write_salt | server_write_salt
    byte[] material = HexFormat.of().parseHex(result.get("material").getAsString());
    byte[] clientKey = Arrays.copyOfRange(material, 0, KEY);
    byte[] serverKey = Arrays.copyOfRange(material, KEY, 2 * KEY);
    byte[] clientSalt = Arrays.copyOfRange(material, 2 * KEY, 2 * KEY + SALT);
    byte[] serverSalt = Arrays.copyOfRange(material, 2 * KEY + SALT, 2 * KEY + 2 * SALT);
    boolean client = ourRole == DtlsRole.CLIENT;
    assertThat(keys.localMasterKey()).isEqualTo(client ? clientKey : serverKey);
    assertThat(keys.localMasterSalt()).isEqualTo(client ? clientSalt : serverSalt);
    assertThat(keys.remoteMasterKey()).isEqualTo(client ? serverKey : clientKey);
    assertThat(keys.remoteMasterSalt()).isEqualTo(client ? serverSalt : clientSalt);

    // aiortc protected an RTP packet with its libsrtp session; our SrtpContext unprotects it.
    byte[] packet = srtp.get(10, TimeUnit.SECONDS);
    SrtpResult rtp =
        new SrtpContext(keys.profile(), keys.remoteMasterKey(), keys.remoteMasterSalt())
            .unprotectRtp(packet, 0, packet.length);
    assertThat(rtp.status()).isEqualTo(SrtpStatus.OK);
    assertThat(new String(rtp.data(), 12, rtp.data().length - 12, StandardCharsets.US_ASCII)).isEqualTo("aiortc-rtp");

    // Application data both ways.
    byte[] hello2 = "hello from java".getBytes(StandardCharsets.US_ASCII);
    endpoint.sendApplicationData(hello2, 0, hello2.length);
    assertThat(readPython().get("received").getAsString()).isEqualTo("hello from java");
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> !events.applicationData.isEmpty());
    assertThat(events.applicationData.get(0)).asString(StandardCharsets.US_ASCII).isEqualTo("hello from aiortc");

    // aiortc's close_notify ends the association: onClosed(null).
    writePython("close");
    assertThat(readPython().get("closed").getAsBoolean()).isTrue();
    assertThat(events.awaitClosed()).isEmpty();
    assertThat(endpoint.isClosed()).isTrue();
    assertThat(events.events).containsExactly("complete", "data", "closed");
  }

  @ParameterizedTest(name = "we are the DTLS {0}")
  @EnumSource(DtlsRole.class)
  void aiortcCertificateThatDoesNotMatchTheSignaledFingerprintIsRejected(DtlsRole ourRole) throws Exception {
    JsonObject hello = startPython();
    RecordingListener events =
        connect(ourRole, hello, DtlsCertificate.generate().sha256Fingerprint(), new CompletableFuture<>());

    endpoint.startHandshake(pool, 15_000);

    DtlsException failure = events.awaitFailure(15);
    assertThat(failure.reason()).isEqualTo(DtlsException.Reason.FINGERPRINT_MISMATCH);
    assertThat(failure.getMessage()).contains(hello.get("fingerprint").getAsString());
    assertThat(events.events).containsExactly("failed");
    // Our bad_certificate alert (or handshake_failure) fails aiortc's handshake too.
    assertThat(readPython().get("state").getAsString()).isEqualTo("failed");
  }
}
