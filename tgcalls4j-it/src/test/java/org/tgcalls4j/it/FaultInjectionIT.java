package org.tgcalls4j.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tgcalls4j.CallStats;
import org.tgcalls4j.ConnectionState;
import org.tgcalls4j.FfmpegCrashedException;
import org.tgcalls4j.GroupCall;
import org.tgcalls4j.MediaSource;
import org.tgcalls4j.NetworkOptions;
import org.tgcalls4j.RtmpException;
import org.tgcalls4j.TgCalls;
import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.TransportException;
import org.tgcalls4j.testsfu.Audio;
import org.tgcalls4j.testsfu.Recording;
import org.tgcalls4j.testsfu.TestSfu;

/**
 * Faults injected into running calls, through the public API only: a lossy, reordering,
 * duplicating network; an SFU that dies without a word; ffmpeg killed under a playing source;
 * hostile RTMP ingests. Everything on 127.0.0.1; {@link LeakCheck} proves nothing is left running.
 */
@ExtendWith(LeakCheck.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FaultInjectionIT {
  private static final long CHAT = 1001;

  @TempDir Path dir;
  private final BlockingQueue<Object> streamEnds = new LinkedBlockingQueue<>();
  private final BlockingQueue<ConnectionState> states = new LinkedBlockingQueue<>();
  private final BlockingQueue<TgCallsException> causes = new LinkedBlockingQueue<>();
  private final List<AutoCloseable> closeLast = new ArrayList<>();
  private TgCalls calls;

  @AfterEach
  void tearDown() throws Exception {
    if (calls != null) {
      calls.close();
    }
    for (AutoCloseable c : closeLast) {
      c.close();
    }
  }

  private TgCalls client(TgCalls.Builder builder) throws Exception {
    calls = builder
        .networkOptions(NetworkOptions.loopbackOnly())
        .streamListener((chat, error) -> streamEnds.add(error == null ? "ok" : error))
        .connectionListener((chat, state, cause) -> {
          states.add(state);
          if (cause != null) {
            causes.add(cause);
          }
        })
        .build();
    return calls;
  }

  private TestSfu sfu() throws Exception {
    TestSfu sfu = TestSfu.start(TestSfu.Options.defaults());
    closeLast.add(sfu);
    return sfu;
  }

  private ImpairedUdpRelay relay(String answer, double loss, double reorder, double duplicate)
      throws Exception {
    ImpairedUdpRelay relay = ImpairedUdpRelay.forAnswer(answer, 20261130L, loss, reorder, duplicate);
    closeLast.add(0, relay); // before the SFU
    return relay;
  }

  private static List<String> liveChildren() {
    return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
        .map(p -> p.pid() + " " + p.info().command().orElse("?")).collect(Collectors.toList());
  }

  /** Threads that work for one call (not the client's dispatcher and control pool). */
  private static List<String> callThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
        .filter(n -> n.startsWith("tgcalls4j-io-") || n.startsWith("tgcalls4j-send-")
            || n.startsWith("tgcalls4j-read-")
            || n.startsWith("tgcalls4j-ffmpeg-"))
        .collect(Collectors.toList());
  }

  // ---------------------------------------------------------------- lossy network

  @Test
  void aToneCrossesALossyReorderingDuplicatingNetworkAt440Hz() throws Exception {
    Path ogg = Media.tone(dir, "tone.ogg", 440, 5);
    TestSfu sfu = sfu();
    client(TgCalls.builder().requireFfmpeg(false).connectTimeout(Duration.ofSeconds(20)));
    GroupCall call = calls.createGroupCall(CHAT);
    String answer = sfu.answer(call.joinJson());
    ImpairedUdpRelay relay = relay(answer, 0.10, 0.10, 0.03);
    call.setSource(MediaSource.file(ogg));

    call.connect(relay.rewriteAnswer(answer)); // ICE and DTLS retransmit through the losses
    assertThat(streamEnds.poll(30, TimeUnit.SECONDS)).as("stream end").isEqualTo("ok");
    Thread.sleep(500); // the last (possibly held back) packets land
    Recording rec = sfu.recording();
    CallStats stats = call.stats();

    long sent = stats.packetsSent();
    long received = rec.packetsBySsrc().getOrDefault(call.audioSsrc(), 0L);
    System.out.printf("lossy relay: sent %d, received %d, relay forwarded %d dropped %d media, "
            + "reordered %d, duplicated %d, SFU SRTP failures %d, lost %d%n", sent, received,
        relay.mediaForwardedToSfu.get(), relay.mediaDroppedToSfu.get(), relay.reordered.get(),
        relay.duplicated.get(), rec.srtpFailures(), rec.lostPackets());
    assertThat(sent).isBetween(245L, 255L); // 5 s of 20 ms frames
    assertThat(relay.mediaDroppedToSfu.get()).as("media the relay dropped").isPositive();
    assertThat(relay.reordered.get()).as("datagrams reordered").isPositive();
    assertThat(relay.duplicated.get()).as("datagrams duplicated").isPositive();
    // about 90 %: 10 % loss of a few hundred datagrams, seeded, so a few percent either way
    assertThat(received).as("packets received of %d sent", sent)
        .isBetween(sent * 80 / 100, sent * 97 / 100);
    assertThat(Audio.dominantFrequencyHz(rec.pcm48kStereo(), 2, 48_000))
        .isCloseTo(440.0, Offset.offset(2.0));
    assertThat(states).containsExactly(ConnectionState.CONNECTING, ConnectionState.CONNECTED);
  }

  // ---------------------------------------------------------------- the SFU dies
  // consentTimeout(3 s): checks every ~750 ms, so only a real silence (or a 3 s stall of this
  // JVM) expires consent

  @Test
  void ourLastDtlsFlightLostIsSentAgainWhenTheSfuRetransmits() throws Exception {
    Path ogg = Media.tone(dir, "tone.ogg", 440, 4);
    TestSfu sfu = sfu();
    client(TgCalls.builder().requireFfmpeg(false).connectTimeout(Duration.ofSeconds(20)));
    GroupCall call = calls.createGroupCall(CHAT);
    String answer = sfu.answer(call.joinJson());
    ImpairedUdpRelay relay = relay(answer, 0, 0, 0);
    relay.dropChangeCipherSpecToSfu.set(1); // our ChangeCipherSpec + Finished, once
    call.setSource(MediaSource.file(ogg));
    call.connect(relay.rewriteAnswer(answer));
    assertThat(streamEnds.poll(30, TimeUnit.SECONDS)).as("stream end").isEqualTo("ok");
    Thread.sleep(500);
    Recording rec = sfu.recording();
    long sent = call.stats().packetsSent();
    long received = rec.packetsBySsrc().getOrDefault(call.audioSsrc(), 0L);
    System.out.printf("last flight lost once: sent %d, SFU received %d, SRTP failures %d%n",
        sent, received, rec.srtpFailures());
    assertThat(relay.changeCipherSpecDropped.get()).as("the flight was dropped").isEqualTo(1);
    // the SFU, as DTLS client, retransmits its last flight after about 1 s; we answer with ours
    assertThat(received).as("packets received of %d sent", sent).isGreaterThan(sent / 2);
    assertThat(Audio.dominantFrequencyHz(rec.pcm48kStereo(), 2, 48_000))
        .isCloseTo(440.0, org.assertj.core.data.Offset.offset(2.0));
  }

  @Test
  void aDtlsHandshakeThatOutlastsTheConnectTimeoutEndsTheCallInTimeout() throws Exception {
    TestSfu sfu = sfu();
    client(TgCalls.builder().connectTimeout(Duration.ofSeconds(2)));
    GroupCall call = calls.createGroupCall(CHAT);
    String answer = sfu.answer(call.joinJson());
    ImpairedUdpRelay relay = relay(answer, 0, 0, 0);
    relay.dropDtls = true; // ICE checks pass, every handshake flight is lost

    long start = System.nanoTime();
    assertThatThrownBy(() -> call.connect(relay.rewriteAnswer(answer)))
        .isInstanceOf(org.tgcalls4j.NotConnectedException.class)
        .hasMessageContaining("DTLS handshake did not finish within 2000 ms");
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(states.poll(5, TimeUnit.SECONDS)).isEqualTo(ConnectionState.CONNECTING);
    assertThat(states.poll(5, TimeUnit.SECONDS)).isEqualTo(ConnectionState.TIMEOUT);
    assertThat(causes.poll(1, TimeUnit.SECONDS))
        .isInstanceOf(org.tgcalls4j.NotConnectedException.class);
    assertThat(states.poll(300, TimeUnit.MILLISECONDS)).as("TIMEOUT is terminal").isNull();
    assertThat(call.state()).isEqualTo(ConnectionState.TIMEOUT);
    assertThat(calls.calls()).as("a timed-out call leaves the registry").isEmpty();
    assertThat(relay.dtlsDropped.get()).isPositive();
    assertThat(tookMillis).isBetween(1_900L, 6_000L);
  }

  @Test
  void anSfuThatFallsSilentFailsTheCallWhenConsentExpires() throws Exception {
    TestSfu sfu = sfu();
    assertThatThrownBy(() -> TgCalls.builder().consentTimeout(Duration.ofMillis(50)))
        .isInstanceOf(IllegalArgumentException.class);
    client(TgCalls.builder().consentTimeout(Duration.ofSeconds(3)));
    GroupCall call = calls.createGroupCall(CHAT);
    String answer = sfu.answer(call.joinJson());
    ImpairedUdpRelay relay = relay(answer, 0, 0, 0);
    // a transcoded source: its ffmpeg must die with the failed call
    call.setSource(MediaSource.file(Media.tone(dir, "long.wav", 440, 30)));
    call.connect(relay.rewriteAnswer(answer));
    await().atMost(Duration.ofSeconds(10)).until(() -> call.positionMillis() >= 500);

    long silentAt = System.nanoTime();
    relay.goSilent();

    assertThat(states.poll(5, TimeUnit.SECONDS)).isEqualTo(ConnectionState.CONNECTING);
    assertThat(states.poll(5, TimeUnit.SECONDS)).isEqualTo(ConnectionState.CONNECTED);
    assertThat(states.poll(20, TimeUnit.SECONDS)).isEqualTo(ConnectionState.FAILED);
    long detectedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - silentAt);
    System.out.printf("consent loss detected %d ms after the SFU fell silent%n", detectedMillis);
    assertConsentCause(causes.poll(1, TimeUnit.SECONDS));
    // consent runs from the last answered check, up to 1.2 x 750 ms before the silence
    assertThat(detectedMillis).as("consent expiry after the SFU fell silent").isGreaterThan(1_500L);
    assertThat(call.state()).isEqualTo(ConnectionState.FAILED);
    assertThat(calls.calls()).isEmpty();
    assertThat(relay.swallowed.get()).as("consent checks sent into the void").isPositive();
    // nothing left behind while the client is still open: no ffmpeg, no socket or sender thread
    await().atMost(Duration.ofSeconds(8)).untilAsserted(() -> {
      assertThat(liveChildren()).as("child processes").isEmpty();
      assertThat(callThreads()).as("call threads").isEmpty();
    });
    assertThat(streamEnds).as("a failed call is not a stream end").isEmpty();
  }

  @Test
  void anSfuThatFallsSilentDisconnectsTheCallWhenItHasARejoinWindow() throws Exception {
    TestSfu sfu = sfu();
    client(TgCalls.builder().requireFfmpeg(false).consentTimeout(Duration.ofSeconds(3))
        .rejoinWindow(Duration.ofSeconds(60)));
    GroupCall call = calls.createGroupCall(CHAT);
    String answer = sfu.answer(call.joinJson());
    ImpairedUdpRelay relay = relay(answer, 0, 0, 0);
    call.setSource(MediaSource.file(Media.tone(dir, "tone.ogg", 440, 20)));
    call.connect(relay.rewriteAnswer(answer));
    await().atMost(Duration.ofSeconds(10)).until(() -> call.positionMillis() >= 500);
    List<String> socketsWhileConnected = Sockets.boundInet();

    relay.goSilent();

    assertThat(states.poll(5, TimeUnit.SECONDS)).isEqualTo(ConnectionState.CONNECTING);
    assertThat(states.poll(5, TimeUnit.SECONDS)).isEqualTo(ConnectionState.CONNECTED);
    assertThat(states.poll(20, TimeUnit.SECONDS)).isEqualTo(ConnectionState.DISCONNECTED);
    assertConsentCause(causes.poll(1, TimeUnit.SECONDS));
    assertThat(call.state()).isEqualTo(ConnectionState.DISCONNECTED);
    // the transport is gone (its one UDP socket closed; the SFU's and the relay's stay), the call
    // (and its held source) waits for a rejoin; no thread was ever the call's own (shared loops)
    await().atMost(Duration.ofSeconds(8)).untilAsserted(() -> {
      List<String> closed = new java.util.ArrayList<>(socketsWhileConnected);
      Sockets.boundInet().forEach(closed::remove);
      assertThat(closed).as("sockets closed since the call was connected").hasSize(1)
          .allMatch(n -> n.startsWith("udp"));
    });
    assertThat(callThreads()).as("call threads").isEmpty();
    long held = call.positionMillis();
    Thread.sleep(300);
    assertThat(call.positionMillis()).as("the source is held").isEqualTo(held);

    call.stop();
    assertThat(states.poll(5, TimeUnit.SECONDS)).isEqualTo(ConnectionState.CLOSED);
    assertThat(calls.calls()).isEmpty();
    await().atMost(Duration.ofSeconds(8))
        .untilAsserted(() -> assertThat(callThreads()).as("call threads").isEmpty());
  }

  private static void assertConsentCause(TgCallsException cause) {
    assertThat(cause).isInstanceOfSatisfying(TransportException.class, e -> {
      assertThat(e.stage()).isEqualTo(TransportException.Stage.ICE);
      assertThat(e.getMessage()).contains("consent");
    });
  }

  // ---------------------------------------------------------------- ffmpeg dies

  @Test
  void killingFfmpegEndsTheStreamOnceAndTheCallStaysConnected() throws Exception {
    Path wav = Media.tone(dir, "long.wav", 440, 60);
    Path ogg = Media.tone(dir, "after.ogg", 660, 1);
    TestSfu sfu = sfu();
    client(TgCalls.builder());
    GroupCall call = calls.createGroupCall(CHAT);
    call.setSource(MediaSource.file(wav));
    call.connect(sfu.answer(call.joinJson()));
    await().atMost(Duration.ofSeconds(10)).until(() -> call.positionMillis() >= 1_000);
    List<ProcessHandle> ffmpeg = ProcessHandle.current().descendants()
        .filter(p -> p.info().command().orElse("").endsWith("ffmpeg")).collect(Collectors.toList());
    assertThat(ffmpeg).as("the source's ffmpeg").hasSize(1);

    assertThat(ffmpeg.get(0).destroyForcibly()).isTrue();

    // what ffmpeg had written into the pipe still plays, then the stream ends with its error
    Object end = streamEnds.poll(30, TimeUnit.SECONDS);
    assertThat(end).isInstanceOfSatisfying(FfmpegCrashedException.class,
        e -> assertThat(e.exitCode()).isNotZero());
    assertThat(streamEnds.poll(3, TimeUnit.SECONDS)).as("a second stream end").isNull();
    assertThat(call.state()).isEqualTo(ConnectionState.CONNECTED);
    assertThat(states).containsExactly(ConnectionState.CONNECTING, ConnectionState.CONNECTED);
    await().atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(liveChildren()).as("child processes").isEmpty());

    // the call is still usable: a new source plays to its end
    long before = sfu.recording().packetsBySsrc().getOrDefault(call.audioSsrc(), 0L);
    call.setSource(MediaSource.file(ogg));
    assertThat(streamEnds.poll(15, TimeUnit.SECONDS)).isEqualTo("ok");
    Thread.sleep(300);
    long after = sfu.recording().packetsBySsrc().getOrDefault(call.audioSsrc(), 0L);
    assertThat(after - before).as("packets of the second source").isGreaterThanOrEqualTo(45L);
    assertThat(streamEnds).isEmpty();
  }

  // ---------------------------------------------------------------- hostile RTMP ingests

  @ParameterizedTest
  @EnumSource(HostileRtmpServer.Behaviour.class)
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aHostileRtmpIngestFailsStartRtmpWithinTheConnectTimeout(HostileRtmpServer.Behaviour behaviour)
      throws Exception {
    HostileRtmpServer server = HostileRtmpServer.start(behaviour);
    closeLast.add(server);
    client(TgCalls.builder().connectTimeout(Duration.ofSeconds(2)));

    Throwable thrown = null;
    try {
      calls.startRtmp(CHAT, server.url(), "secret-key");
    } catch (Throwable e) {
      thrown = e;
    }
    long returnedNanos = System.nanoTime();
    System.out.printf("%s: %s%n", behaviour, thrown);

    assertThat(thrown).as("startRtmp against %s", behaviour).isInstanceOfSatisfying(
        RtmpException.class, e -> assertThat(e.code()).isIn(behaviour.codes));
    assertThat(thrown.getMessage()).doesNotContain("secret-key");
    assertThat(server.acceptedNanos()).as("the server accepted the connection").isPositive();
    long millis = TimeUnit.NANOSECONDS.toMillis(returnedNanos - server.acceptedNanos());
    // within the 2 s connect timeout (plus scheduling slack on a loaded machine)
    assertThat(millis).as("failure after accept, ms").isLessThan(5_000L);
    if (behaviour == HostileRtmpServer.Behaviour.STALL_HANDSHAKE) {
      assertThat(millis).as("the whole connect timeout was waited").isGreaterThan(1_000L);
    }
    assertThat(calls.calls()).isEmpty();
    calls.close(); // delivers whatever was posted before it returns
    assertThat(states).as("a start that throws reports nothing, not even CLOSED").isEmpty();
    await().atMost(Duration.ofSeconds(8)).untilAsserted(() -> {
      assertThat(liveChildren()).as("child processes").isEmpty();
      assertThat(Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
          .map(Thread::getName).filter(n -> n.startsWith("tgcalls4j-") && !n.equals("tgcalls4j-events")
              && !n.startsWith("tgcalls4j-control-")))
          .as("RTMP threads").isEmpty();
    });
  }
}
