package org.tgcalls4j.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.tgcalls4j.ConnectionState;
import org.tgcalls4j.MediaSource;
import org.tgcalls4j.NetworkOptions;
import org.tgcalls4j.PrivateCall;
import org.tgcalls4j.PrivateCallParams;
import org.tgcalls4j.RtcServer;
import org.tgcalls4j.TgCalls;
import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.TransportException;
import org.tgcalls4j.testsfu.Audio;

/**
 * Relay-only private calls (p2p_allowed false) through coturn, our TURN client (RFC 8656) on
 * both sides: each side hears the other, and coturn's log shows the relaying.
 */
@ExtendWith(LeakCheck.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RelayCallIT {
  @TempDir Path dir;

  @BeforeAll
  static void requireCoturn() {
    assumeThat(Coturn.available()).as("Debian coturn installed").isTrue();
  }

  private static TgCalls client(PrivateCallIT.PcmRecorder heard) throws TgCallsException {
    return TgCalls.builder().requireFfmpeg(false).networkOptions(NetworkOptions.loopbackOnly())
        .privateCallTimeout(Duration.ofSeconds(15))
        .incomingAudioListener((c, frame) -> heard.add(frame)).build();
  }

  @Test
  void twoRelayOnlyCallsHearEachOtherThroughCoturn() throws Exception {
    byte[] key = new byte[256];
    new SecureRandom().nextBytes(key);
    Path a440 = Media.tone(dir, "a.ogg", 440, 8);
    Path b660 = Media.tone(dir, "b.ogg", 660, 8);
    PrivateCallIT.PcmRecorder callerHeard = new PrivateCallIT.PcmRecorder();
    PrivateCallIT.PcmRecorder calleeHeard = new PrivateCallIT.PcmRecorder();
    try (Coturn coturn = Coturn.start(dir);
        TgCalls a = client(callerHeard); TgCalls b = client(calleeHeard)) {
      List<RtcServer> servers = List.of(
          RtcServer.turn(1, "127.0.0.1", "", coturn.port, Coturn.USER, Coturn.PASSWORD));
      PrivateCall[] callee = new PrivateCall[1];
      PrivateCall caller = a.createPrivateCall(2, (c, blob) -> callee[0].receiveSignalingData(blob));
      callee[0] = b.createPrivateCall(1, (c, blob) -> caller.receiveSignalingData(blob));
      caller.setSource(MediaSource.file(a440));
      callee[0].setSource(MediaSource.file(b660));
      CompletableFuture.allOf(
          caller.connectAsync(PrivateCallParams.of(key, true, List.of("8.0.0")).withServers(servers)
              .withP2pAllowed(false)),
          callee[0].connectAsync(PrivateCallParams.of(key, false, List.of("8.0.0")).withServers(servers)
              .withP2pAllowed(false)))
          .get(20, TimeUnit.SECONDS);
      assertThat(caller.state()).isEqualTo(ConnectionState.CONNECTED);
      short[] heardByCallee = calleeHeard.awaitSeconds(5, 15_000);
      short[] heardByCaller = callerHeard.awaitSeconds(5, 15_000);
      assertThat(Audio.dominantFrequencyHz(heardByCallee, 2, 48_000)).isCloseTo(440, Offset.offset(2.0));
      assertThat(Audio.dominantFrequencyHz(heardByCaller, 2, 48_000)).isCloseTo(660, Offset.offset(2.0));
      caller.stop();
      callee[0].stop();
      String log = coturn.log();
      // two allocations, and data relayed on channels between the two relayed addresses
      assertThat(log.split("ALLOCATE processed, success", -1).length - 1).as("coturn allocations")
          .isGreaterThanOrEqualTo(2);
      assertThat(log).contains("CHANNEL_BIND processed, success");
    }
  }

  @Test
  void relayOnlyAgainstTheSharedPeerWithItsHostCandidates() throws Exception {
    assumeThat(AiortcSfu.available()).as("Debian python3-aiortc installed").isTrue();
    assumeThat(P2pPeer.script()).as("../shared/peers/p2p beside the checkout").isNotNull();
    byte[] key = new byte[256];
    new SecureRandom().nextBytes(key);
    Path keyFile = dir.resolve("key.hex");
    java.nio.file.Files.writeString(keyFile, java.util.HexFormat.of().formatHex(key));
    Path tone = Media.tone(dir, "tone.ogg", 440, 12);
    PrivateCallIT.PcmRecorder heard = new PrivateCallIT.PcmRecorder();
    PrivateCallIT.Inbox ours = new PrivateCallIT.Inbox();
    try (Coturn coturn = Coturn.start(dir); TgCalls calls = client(heard);
        P2pPeer peer = P2pPeer.start(dir.resolve("peer"), "callee", keyFile,
            List.of("--version", "9.0.0", "--seconds", "5", "--timeout", "30", "--linger", "1"),
            ours::deliver)) {
      PrivateCall call = calls.createPrivateCall(5, (c, blob) -> peer.send(blob));
      ours.open(call);
      call.setSource(MediaSource.file(tone));
      call.connect(PrivateCallParams.of(key, true, List.of("9.0.0")).withP2pAllowed(false)
          .withServers(List.of(RtcServer.turn(1, "127.0.0.1", "", coturn.port, Coturn.USER,
              Coturn.PASSWORD))));
      com.google.gson.JsonObject report = peer.awaitReport(40_000);
      assertThat(report.get("connected").getAsBoolean()).isTrue();
      assertThat(report.get("dominant_hz").getAsDouble()).as("the peer heard us through coturn")
          .isCloseTo(440, Offset.offset(2.0));
      assertThat(Audio.dominantFrequencyHz(heard.awaitSeconds(4, 10_000), 2, 48_000))
          .isCloseTo(523.25, Offset.offset(2.0));
      call.stop();
      assertThat(coturn.log()).contains("ALLOCATE processed, success");
    }
  }

  @Test
  void wrongCredentialsFailTheCallWithARelayError() throws Exception {
    byte[] key = new byte[256];
    try (Coturn coturn = Coturn.start(dir);
        TgCalls a = client(new PrivateCallIT.PcmRecorder())) {
      PrivateCall call = a.createPrivateCall(3, (c, blob) -> { });
      CompletableFuture<Void> done = call.connectAsync(PrivateCallParams.of(key, true,
          List.of("8.0.0")).withP2pAllowed(false).withServers(List.of(
              RtcServer.turn(1, "127.0.0.1", "", coturn.port, Coturn.USER, "not-the-password"))));
      // the transport starts when the other party's InitialSetup arrives: play it
      PrivateCallStun.feedInitialSetup(call, key);
      assertThatThrownBy(() -> done.get(15, TimeUnit.SECONDS)).cause()
          .isInstanceOf(TransportException.class)
          .hasMessageContaining("RELAY")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("not-the-password"));
      assertThat(call.state()).isEqualTo(ConnectionState.FAILED);
    }
  }

  @Test
  void anUnreachableTurnServerFailsTheCallWithinItsTimeout() throws Exception {
    byte[] key = new byte[256];
    int closedPort;
    try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      closedPort = probe.getLocalPort();
    }
    try (TgCalls a = client(new PrivateCallIT.PcmRecorder())) {
      PrivateCall call = a.createPrivateCall(4, (c, blob) -> { });
      long start = System.nanoTime();
      CompletableFuture<Void> done = call.connectAsync(PrivateCallParams.of(key, true,
          List.of("8.0.0")).withP2pAllowed(false).withServers(List.of(
              RtcServer.turn(1, "127.0.0.1", "", closedPort, "u", "p"))));
      PrivateCallStun.feedInitialSetup(call, key);
      assertThatThrownBy(() -> done.get(20, TimeUnit.SECONDS)).cause()
          .isInstanceOf(TransportException.class).hasMessageContaining("RELAY")
          .hasMessageContaining("127.0.0.1:" + closedPort);
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(16_000);
      assertThat(call.state()).isEqualTo(ConnectionState.FAILED);
    }
  }
}
