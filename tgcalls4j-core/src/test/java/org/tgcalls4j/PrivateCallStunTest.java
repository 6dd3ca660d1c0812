package org.tgcalls4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.tgcalls4j.internal.ice.IceCandidate;
import org.tgcalls4j.internal.p2p.Candidates;
import org.tgcalls4j.internal.p2p.CandidateSdp;
import org.tgcalls4j.internal.p2p.DtlsFingerprint;
import org.tgcalls4j.internal.p2p.InitialSetup;
import org.tgcalls4j.internal.p2p.SignalingChannel;
import org.tgcalls4j.internal.p2p.SignalingMessage;
import org.tgcalls4j.internal.p2p.SignalingMessages;

/**
 * The STUN servers of {@code phoneCall.connections} give a private call server-reflexive
 * candidates (p2p-call.md §2.3), learnt from coturn (Debian {@code coturn}, run as a STUN-only
 * server on 127.0.0.1) and signaled to the other party, which the test plays with the signaling
 * layer alone.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PrivateCallStunTest {
  private static final Path TURNSERVER = Path.of("/usr/sbin/turnserver");
  private static final Path TURNSERVER_BIN = Path.of("/usr/bin/turnserver");

  @TempDir Path dir;

  @Test
  void stunServersYieldSignaledServerReflexiveCandidates() throws Exception {
    Path binary = Files.isExecutable(TURNSERVER_BIN) ? TURNSERVER_BIN : TURNSERVER;
    assumeTrue(Files.isExecutable(binary), "coturn not installed (apt-get install coturn)");
    int stunPort;
    try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      stunPort = probe.getLocalPort();
    }
    Process coturn = new ProcessBuilder(binary.toString(), "-n", "--stun-only", "--no-tls",
        "--no-dtls", "--no-cli", "--listening-ip=127.0.0.1", "--listening-port=" + stunPort,
        "--log-file=stdout", "--simple-log")
        .redirectErrorStream(true).redirectOutput(dir.resolve("coturn.log").toFile()).start();
    byte[] key = new byte[256];
    new SecureRandom().nextBytes(key);
    SignalingChannel peer = new SignalingChannel(key, false); // we play the callee's signaling
    List<SignalingMessage> fromCall = new ArrayList<>();
    // the wildcard address: the host candidate's base is 0.0.0.0, so the srflx is not redundant
    NetworkOptions wildcard = new NetworkOptions(InetAddress.getByName("0.0.0.0"), Set.of(), true,
        false);
    try (TgCalls calls = TgCalls.builder().requireFfmpeg(false).networkOptions(wildcard)
        .privateCallTimeout(Duration.ofSeconds(10)).build()) {
      PrivateCall call = calls.createPrivateCall(9, (c, blob) -> {
        synchronized (fromCall) {
          SignalingChannel.Received r = peer.receive(blob, System.currentTimeMillis());
          for (String json : r.messages()) {
            try {
              fromCall.add(SignalingMessages.decode(json));
            } catch (InvalidParamsException e) {
              throw new AssertionError("the call sent a malformed message: " + json, e);
            }
          }
        }
      });
      call.connectAsync(PrivateCallParams.of(key, true, List.of("8.0.0"))
          .withServers(List.of(RtcServer.stun(1, "127.0.0.1", "", stunPort),
              RtcServer.turn(2, "127.0.0.1", "", 1, "user", "secret"))));
      // the callee's InitialSetup makes the call build its transport and start gathering
      InitialSetup setup = new InitialSetup("abcd", "0123456789abcdefghijklmn", false,
          List.of(new DtlsFingerprint("sha-256", "passive", "AA:".repeat(31) + "AA")));
      synchronized (fromCall) {
        for (byte[] blob : peer.send(SignalingMessages.encode(setup), System.currentTimeMillis())) {
          call.receiveSignalingData(blob);
        }
      }
      Awaitility.await("a srflx candidate from coturn").atMost(Duration.ofSeconds(10)).until(() -> {
        synchronized (fromCall) {
          return candidates(fromCall).stream().anyMatch(c -> c.type().equals("srflx"));
        }
      });
      IceCandidate srflx;
      synchronized (fromCall) {
        srflx = candidates(fromCall).stream().filter(c -> c.type().equals("srflx")).findFirst()
            .orElseThrow();
      }
      // coturn saw our socket's loopback address and port: that is our server-reflexive address
      assertThat(srflx.address().getAddress().isLoopbackAddress()).isTrue();
      assertThat(srflx.address().getPort()).as("the call socket's port, as coturn saw it")
          .isEqualTo(candidates(fromCall).stream().filter(c -> c.type().equals("host"))
              .findFirst().orElseThrow().address().getPort());
      assertThat(srflx.priority()).isLessThan(candidates(fromCall).stream()
          .filter(c -> c.type().equals("host")).mapToLong(IceCandidate::priority).min().orElseThrow());
      call.stop();
    } finally {
      coturn.destroy();
      if (!coturn.waitFor(5, TimeUnit.SECONDS)) {
        coturn.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
  }

  private static List<IceCandidate> candidates(List<SignalingMessage> messages) {
    List<IceCandidate> result = new ArrayList<>();
    for (SignalingMessage m : messages) {
      if (m instanceof Candidates c) {
        for (String sdp : c.sdpStrings()) {
          try {
            result.add(CandidateSdp.parse(sdp));
          } catch (InvalidParamsException e) {
            throw new AssertionError("unparsable candidate " + sdp, e);
          }
        }
      }
    }
    return result;
  }
}
