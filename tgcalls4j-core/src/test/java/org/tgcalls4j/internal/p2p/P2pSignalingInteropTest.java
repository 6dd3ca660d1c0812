package org.tgcalls4j.internal.p2p;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tgcalls4j.internal.ice.IceCandidate;
import org.tgcalls4j.internal.json.JsonCodec;
import org.tgcalls4j.internal.json.JsonCodec.JsonObjectView;
import org.tgcalls4j.internal.p2p.P2pSignalingSession.Event;
import org.tgcalls4j.internal.p2p.P2pSignalingSession.IncomingAudio;
import org.tgcalls4j.internal.p2p.P2pSignalingSession.LocalSetup;
import org.tgcalls4j.internal.p2p.P2pSignalingSession.OutgoingAudioAccepted;
import org.tgcalls4j.internal.p2p.P2pSignalingSession.Output;
import org.tgcalls4j.internal.p2p.P2pSignalingSession.RemoteCandidate;
import org.tgcalls4j.internal.p2p.P2pSignalingSession.RemoteSetup;

/**
 * Our session against the signaling logic of the independent Python peer
 * (shared/peers/p2p/p2p_peer.py {@code Peer.on_message}, {@code answer}, {@code send_offer_if_needed},
 * tgp2p's builders and {@code parse_message}), run by {@code python_peer_driver.py} without media.
 * Skipped when the peer or a Python with aiortc is absent.
 */
class P2pSignalingInteropTest {
  private static final String ABS = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
  private static final String TCC = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
  /** What the driver uses for the Python side. */
  private static final String PY_UFRAG = "PyUf";
  private static final String PY_PWD = "PythonPeerPassword012345";
  private static final String PY_FINGERPRINT = String.join(":", java.util.Collections.nCopies(32, "AB"));
  private static final long PY_SSRC = 3_000_000_001L;
  private static final LocalSetup OURS = new LocalSetup("JvUf", "JavaPeerPassword01234567", "12:34:56");
  private static final int OUR_SSRC = 0xC000_0005;

  private static Path peerDir;
  private static String python;
  private static String driver;

  @BeforeAll
  static void locate() throws Exception {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      Path p = d.resolve("shared/peers/p2p");
      if (Files.isRegularFile(p.resolve("p2p_peer.py")) && Files.isRegularFile(p.resolve("tgp2p.py"))) {
        peerDir = p;
        break;
      }
    }
    Assumptions.assumeTrue(peerDir != null, "no shared/peers/p2p above the working directory");
    for (String candidate : List.of("/usr/bin/python3", "python3")) {
      if (runs(candidate)) {
        python = candidate;
        break;
      }
    }
    Assumptions.assumeTrue(python != null, "no python3 with aiortc, av and numpy");
    try (InputStream in = P2pSignalingInteropTest.class.getResourceAsStream("python_peer_driver.py")) {
      driver = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static boolean runs(String exe) {
    try {
      Process p = new ProcessBuilder(exe, "-c", "import aiortc, av, numpy")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return false;
      }
      return p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The driver process: one JSON message per line in, replies up to "END" out. */
  private static final class PythonPeer implements AutoCloseable {
    final Process process;
    final Writer in;
    final BufferedReader out;
    final Path stderr;
    final List<String> first;

    PythonPeer(String role, boolean offerAfterSetup) throws IOException {
      stderr = Files.createTempFile("tgp2p-driver", ".err");
      process = new ProcessBuilder(python, "-c", driver, peerDir.toString(), role, offerAfterSetup ? "1" : "0")
          .redirectError(stderr.toFile()).start();
      in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
      out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      first = untilEnd();
    }

    List<String> untilEnd() throws IOException {
      List<String> lines = new ArrayList<>();
      for (String line; (line = out.readLine()) != null; ) {
        if (line.equals("END")) {
          return lines;
        }
        lines.add(line);
      }
      throw new IOException("driver ended early: " + Files.readString(stderr));
    }

    List<String> send(String json) throws IOException {
      in.write(json + "\n");
      in.flush();
      return untilEnd();
    }

    JsonObjectView finish() throws Exception {
      in.close();
      String line = out.readLine();
      assertThat(line).as("driver state; stderr: %s", Files.readString(stderr)).startsWith("STATE ");
      return JsonCodec.parseObject(line.substring(6));
    }

    @Override
    public void close() throws IOException {
      process.destroyForcibly();
      Files.deleteIfExists(stderr);
    }
  }

  /** Runs the two sides to quiescence; returns our events and the Python side's final state. */
  private static JsonObjectView run(boolean weAreCaller, boolean pythonOffersAfterSetup, List<Event> events)
      throws Exception {
    P2pSignalingSession ours = new P2pSignalingSession(weAreCaller, OURS, OUR_SSRC, new Random(42));
    try (PythonPeer py = new PythonPeer(weAreCaller ? "callee" : "caller", pythonOffersAfterSetup)) {
      List<String> toJava = new ArrayList<>(py.first);
      List<String> toPython = new ArrayList<>(ours.start());
      toPython.addAll(ours.onLocalCandidate(new IceCandidate("5", 1, "udp", 2130706431L,
          new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 41000), "host")));
      for (int round = 0; round < 20 && (!toJava.isEmpty() || !toPython.isEmpty()); round++) {
        for (String m : toJava) {
          Output o = ours.onMessage(m);
          events.addAll(o.events());
          toPython.addAll(o.toSend());
        }
        toJava = new ArrayList<>();
        for (String m : toPython) {
          toJava.addAll(py.send(m));
        }
        toPython = new ArrayList<>();
      }
      assertThat(toJava).isEmpty();
      assertThat(ours.droppedMessages()).isZero();
      return py.finish();
    }
  }

  private static void assertBothDirections(List<Event> events, JsonObjectView py, String pySetup,
      String ourSetup) throws Exception {
    assertThat(events.stream().filter(RemoteSetup.class::isInstance).toList())
        .containsExactly(new RemoteSetup(PY_UFRAG, PY_PWD, "sha-256", PY_FINGERPRINT, pySetup));
    assertThat(events).contains(new RemoteCandidate(new IceCandidate("1", 1, "udp", 2130706431L,
        new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 40000), "host")));
    assertThat(events.stream().filter(OutgoingAudioAccepted.class::isInstance).toList())
        .containsExactly(new OutgoingAudioAccepted(111, Map.of(ABS, 2, TCC, 3)));
    assertThat(events.stream().filter(IncomingAudio.class::isInstance).toList())
        .containsExactly(new IncomingAudio(PY_SSRC, 111, 2, Map.of(ABS, 2, TCC, 3)));

    assertThat(py.longValue("bad_json", 0, 0)).isZero();
    assertThat(py.optBoolean("handshake_completed", false)).isTrue();
    assertThat(py.kind("pending_offer_id")).as("the Python peer's offer was answered").isEqualTo(JsonCodec.Kind.NULL);
    assertThat(py.object("outgoing").longValue("ssrc", 0, 0xFFFF_FFFFL)).isEqualTo(PY_SSRC);
    JsonObjectView incoming = py.object("incoming");
    assertThat(incoming.longValue("ssrc", 0, 0xFFFF_FFFFL)).isEqualTo(Integer.toUnsignedLong(OUR_SSRC));
    assertThat(incoming.array("payloadTypes").object(0).intValue("id", 0, 127)).isEqualTo(111);
    assertThat(incoming.array("payloadTypes").object(0).object("parameters").string("minptime")).isEqualTo("10");
    JsonObjectView setup = py.array("remote_setups").object(0);
    assertThat(setup.string("ufrag")).isEqualTo(OURS.ufrag());
    assertThat(setup.string("pwd")).isEqualTo(OURS.pwd());
    assertThat(setup.array("fingerprints").object(0).string("setup")).isEqualTo(ourSetup);
    assertThat(setup.array("fingerprints").object(0).string("fingerprint")).isEqualTo(OURS.fingerprintSha256());
    JsonObjectView added = py.array("added").object(0); // our candidate, parsed by aiortc
    assertThat(added.string("ip")).isEqualTo("127.0.0.1");
    assertThat(added.intValue("port", 0, 65535)).isEqualTo(41000);
    assertThat(added.intValue("component", 0, 256)).isEqualTo(1);
    assertThat(added.string("type")).isEqualTo("host");
  }

  @Test
  void weCallThePythonPeer() {
    assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
      List<Event> events = new ArrayList<>();
      JsonObjectView py = run(true, false, events);
      assertBothDirections(events, py, "passive", "actpass");
    });
  }

  @Test
  void thePythonPeerCallsUs() {
    assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
      List<Event> events = new ArrayList<>();
      JsonObjectView py = run(false, false, events);
      assertBothDirections(events, py, "actpass", "passive");
    });
  }

  @Test
  void thePythonPeerCallsUsWithTheOlderAppTiming() {
    assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
      List<Event> events = new ArrayList<>();
      JsonObjectView py = run(false, true, events);
      assertBothDirections(events, py, "actpass", "passive");
    });
  }
}
