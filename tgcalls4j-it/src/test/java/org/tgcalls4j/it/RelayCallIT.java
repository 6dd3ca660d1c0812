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
 * both sides, and through {@link TestReflector}, our reflector port (p2p-call.md §2.4): each side
 * hears the other, and coturn's log or the reflector's counts show the relaying.
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

  /**
   * Connects a relay-only caller on {@code a} (playing {@code callerSource}) and callee on
   * {@code b}, whose signaling blobs go straight to each other.
   *
   * @return {caller, callee}, connected
   */
  private static PrivateCall[] relayOnlyPair(TgCalls a, TgCalls b, byte[] key, List<RtcServer> servers,
      Path callerSource, Path calleeSource) throws Exception {
    PrivateCall[] callee = new PrivateCall[1];
    PrivateCall caller = a.createPrivateCall(2, (c, blob) -> callee[0].receiveSignalingData(blob));
    callee[0] = b.createPrivateCall(1, (c, blob) -> caller.receiveSignalingData(blob));
    caller.setSource(MediaSource.file(callerSource));
    if (calleeSource != null) {
      callee[0].setSource(MediaSource.file(calleeSource));
    }
    CompletableFuture.allOf(
        caller.connectAsync(PrivateCallParams.of(key, true, List.of("8.0.0")).withServers(servers)
            .withP2pAllowed(false)),
        callee[0].connectAsync(PrivateCallParams.of(key, false, List.of("8.0.0")).withServers(servers)
            .withP2pAllowed(false)))
        .get(20, TimeUnit.SECONDS);
    return new PrivateCall[] {caller, callee[0]};
  }

  @Test
  void twoRelayOnlyCallsHearEachOtherThroughCoturn() throws Exception {
    byte[] key = new byte[256];
    new SecureRandom().nextBytes(key);
    Path a440 = Media.tone(dir, "a.ogg", 440, 12);
    Path b660 = Media.tone(dir, "b.ogg", 660, 12);
    PrivateCallIT.PcmRecorder callerHeard = new PrivateCallIT.PcmRecorder();
    PrivateCallIT.PcmRecorder calleeHeard = new PrivateCallIT.PcmRecorder();
    try (Coturn coturn = Coturn.start(dir);
        TgCalls a = client(callerHeard); TgCalls b = client(calleeHeard)) {
      List<RtcServer> servers = List.of(
          RtcServer.turn(1, "127.0.0.1", "", coturn.port, Coturn.USER, Coturn.PASSWORD));
      PrivateCall[] pair = relayOnlyPair(a, b, key, servers, a440, b660);
      PrivateCall caller = pair[0];
      PrivateCall[] callee = {pair[1]};
      assertThat(caller.state()).isEqualTo(ConnectionState.CONNECTED);
      short[] heardByCallee = calleeHeard.awaitSeconds(10, 20_000);
      short[] heardByCaller = callerHeard.awaitSeconds(10, 20_000);
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
    Path tone = Media.tone(dir, "tone.ogg", 440, 16);
    PrivateCallIT.PcmRecorder heard = new PrivateCallIT.PcmRecorder();
    PrivateCallIT.Inbox ours = new PrivateCallIT.Inbox();
    try (Coturn coturn = Coturn.start(dir); TgCalls calls = client(heard);
        P2pPeer peer = P2pPeer.start(dir.resolve("peer"), "callee", keyFile,
            List.of("--version", "9.0.0", "--seconds", "10", "--timeout", "30", "--linger", "1"),
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
      assertThat(report.get("seconds").getAsDouble()).as("seconds the peer heard").isGreaterThanOrEqualTo(9.9);
      assertThat(Audio.dominantFrequencyHz(heard.awaitSeconds(10, 15_000), 2, 48_000))
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

  @Test
  void twoRelayOnlyCallsHearEachOtherThroughAReflector() throws Exception {
    byte[] key = new byte[256];
    new SecureRandom().nextBytes(key);
    byte[] peerTag = new byte[16];
    new SecureRandom().nextBytes(peerTag);
    Path a440 = Media.tone(dir, "a.ogg", 440, 12);
    Path b660 = Media.tone(dir, "b.ogg", 660, 12);
    PrivateCallIT.PcmRecorder callerHeard = new PrivateCallIT.PcmRecorder();
    PrivateCallIT.PcmRecorder calleeHeard = new PrivateCallIT.PcmRecorder();
    try (TestReflector reflector = TestReflector.start();
        TgCalls a = client(callerHeard); TgCalls b = client(calleeHeard)) {
      // ids 3 and 9 are other reflectors of the call: ours is the second of three (id 2 on both sides)
      List<RtcServer> servers = List.of(
          RtcServer.reflector(9, "127.0.0.1", "", reflector.port(), peerTag, true),
          RtcServer.reflector(5, "127.0.0.1", "", reflector.port(), peerTag, false),
          RtcServer.reflector(3, "", "::1", 599, peerTag, true));
      PrivateCall[] pair = relayOnlyPair(a, b, key, servers, a440, b660);
      PrivateCall caller = pair[0];
      PrivateCall[] callee = {pair[1]};
      short[] heardByCallee = calleeHeard.awaitSeconds(10, 20_000);
      short[] heardByCaller = callerHeard.awaitSeconds(10, 20_000);
      assertThat(Audio.dominantFrequencyHz(heardByCallee, 2, 48_000)).isCloseTo(440, Offset.offset(2.0));
      assertThat(Audio.dominantFrequencyHz(heardByCaller, 2, 48_000)).isCloseTo(660, Offset.offset(2.0));
      caller.stop();
      callee[0].stop();
      Thread.sleep(200); // the last packets reach the reflector
      // everything went through the reflector: one tag per side, and the RTP packets it forwarded
      // from each are the packets that side sent and the other received
      List<Long> tags = List.copyOf(reflector.senders());
      assertThat(tags).hasSize(2);
      List<Long> forwarded = tags.stream().map(reflector::rtpForwardedFrom).sorted().toList();
      List<Long> sent = java.util.stream.Stream.of(caller.stats().packetsSent(),
          callee[0].stats().packetsSent()).sorted().toList();
      List<Long> received = java.util.stream.Stream.of(caller.stats().packetsReceived(),
          callee[0].stats().packetsReceived()).sorted().toList();
      assertThat(forwarded).as("RTP forwarded per sender").isEqualTo(sent);
      // what a side received is what the other sent but for the last packets in flight when it
      // stopped (the callee stops 1 ms after the caller; seen: one packet)
      for (int i = 0; i < 2; i++) {
        assertThat(received.get(i)).as("RTP received per side").isBetween(sent.get(i) - 3, sent.get(i));
      }
      assertThat(forwarded.get(0)).isGreaterThan(450); // 10 s of 20 ms frames at least
      assertThat(tags.stream().mapToLong(reflector::otherForwardedFrom).min().orElse(0))
          .as("ICE checks and DTLS through the reflector").isGreaterThan(2);
    }
  }

  @Test
  void aReflectorThatNeverAnswersFailsTheCallWithARelayError() throws Exception {
    byte[] key = new byte[256];
    byte[] peerTag = java.util.HexFormat.of().parseHex("00112233445566778899aabbccddeeff");
    try (TestReflector silent = TestReflector.silent();
        TgCalls a = client(new PrivateCallIT.PcmRecorder())) {
      PrivateCall call = a.createPrivateCall(4, (c, blob) -> { });
      long start = System.nanoTime();
      CompletableFuture<Void> done = call.connectAsync(PrivateCallParams.of(key, true,
          List.of("8.0.0")).withP2pAllowed(false).withServers(List.of(
              RtcServer.reflector(1, "127.0.0.1", "", silent.port(), peerTag, false))));
      PrivateCallStun.feedInitialSetup(call, key);
      assertThatThrownBy(() -> done.get(20, TimeUnit.SECONDS)).cause()
          .isInstanceOf(TransportException.class).hasMessageContaining("RELAY")
          .hasMessageContaining("reflector /127.0.0.1:" + silent.port())
          .hasMessageContaining("did not answer")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("00112233445566778899aabb"));
      long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertThat(tookMillis).as("within the 15 s connect timeout").isLessThan(15_000);
      // a hello every 500 ms for the whole wait (79 RTOs of 150 ms = 11.85 s)
      assertThat(silent.hellos.get()).isBetween(tookMillis / 500 - 3, tookMillis / 500 + 2);
      assertThat(call.state()).isEqualTo(ConnectionState.FAILED);
    }
  }

  @Test
  void aSilentReflectorIsPassedOverForTheNextRelay() throws Exception {
    byte[] key = new byte[256];
    new SecureRandom().nextBytes(key);
    byte[] peerTag = new byte[16];
    new SecureRandom().nextBytes(peerTag);
    Path tone = Media.tone(dir, "a.ogg", 440, 6);
    PrivateCallIT.PcmRecorder calleeHeard = new PrivateCallIT.PcmRecorder();
    try (TestReflector silent = TestReflector.silent(); TestReflector working = TestReflector.start();
        TgCalls a = client(new PrivateCallIT.PcmRecorder()); TgCalls b = client(calleeHeard)) {
      List<RtcServer> servers = List.of(
          RtcServer.reflector(1, "127.0.0.1", "", silent.port(), peerTag, false),
          RtcServer.reflector(2, "127.0.0.1", "", working.port(), peerTag, false));
      PrivateCall[] pair = relayOnlyPair(a, b, key, servers, tone, null);
      PrivateCall caller = pair[0];
      PrivateCall[] callee = {pair[1]};
      assertThat(Audio.dominantFrequencyHz(calleeHeard.awaitSeconds(2, 10_000), 2, 48_000))
          .isCloseTo(440, Offset.offset(2.0));
      assertThat(silent.hellos.get()).isGreaterThan(0);
      assertThat(working.senders()).hasSize(2);
      caller.stop();
      callee[0].stop();
    }
  }
}
