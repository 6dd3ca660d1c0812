package org.tgcalls4j.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.MDC;
import org.tgcalls4j.Call;
import org.tgcalls4j.CallKind;
import org.tgcalls4j.ConnectionListener;
import org.tgcalls4j.ConnectionState;
import org.tgcalls4j.GroupCall;
import org.tgcalls4j.MediaSource;
import org.tgcalls4j.NetworkOptions;
import org.tgcalls4j.NotConnectedException;
import org.tgcalls4j.TgCalls;
import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.TransportException;
import org.tgcalls4j.testsfu.Audio;
import org.tgcalls4j.testsfu.Recording;
import org.tgcalls4j.testsfu.TestSfu;

/**
 * The call handles end to end against the test SFU (ice4j, Bouncy Castle DTLS, jitsi-srtp,
 * Concentus): two connections for one chat, many asynchronous connects from one thread, a rejoin
 * after the SFU ended the session, and the event dispatcher's guarantees.
 */
@ExtendWith(LeakCheck.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CallApiIT {
  private static final long CHAT = 7;

  @TempDir Path dir;
  private final List<TestSfu> sfus = new ArrayList<>();
  private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
  private final BlockingQueue<Object> causes = new LinkedBlockingQueue<>();
  private TgCalls calls;

  @AfterEach
  void tearDown() {
    if (calls != null) {
      calls.close();
    }
    sfus.forEach(TestSfu::close);
  }

  private TestSfu sfu() throws Exception {
    TestSfu sfu = TestSfu.start(TestSfu.Options.defaults());
    sfus.add(sfu);
    return sfu;
  }

  /** Records "KIND STATE" and "KIND end" events, and every cause. */
  private TgCalls.Builder recording(TgCalls.Builder builder) {
    return builder.requireFfmpeg(false).networkOptions(NetworkOptions.loopbackOnly())
        .connectTimeout(Duration.ofSeconds(15))
        .connectionListener(new ConnectionListener() {
          @Override
          public void onConnectionChange(long chatId, ConnectionState state, TgCallsException cause) {
            throw new AssertionError("the Call variant is overridden");
          }

          @Override
          public void onConnectionChange(Call call, ConnectionState state, TgCallsException cause) {
            events.add(call.kind() + " " + state);
            if (cause != null) {
              causes.add(cause);
            }
          }
        })
        .streamListener((chatId, error) -> events.add("end " + (error == null ? "ok" : error)));
  }

  private static double frequency(Recording rec) {
    return Audio.dominantFrequencyHz(rec.pcm48kStereo(), 2, 48_000);
  }

  @Test
  void aGroupCallAndItsPresentationStreamAtOnceOverTwoTransports() throws Exception {
    Path low = Media.tone(dir, "low.ogg", 440, 3);
    Path high = Media.tone(dir, "high.ogg", 660, 3);
    TestSfu mainSfu = sfu();
    TestSfu presentationSfu = sfu();
    calls = recording(TgCalls.builder()).build();

    GroupCall main = calls.createGroupCall(CHAT);
    GroupCall presentation = calls.createPresentation(CHAT);
    assertThat(presentation.kind()).isEqualTo(CallKind.PRESENTATION);
    assertThat(presentation.audioSsrc()).isNotEqualTo(main.audioSsrc());
    assertThat(presentation.joinJson()).isNotEqualTo(main.joinJson());
    assertThat(calls.calls()).containsExactlyInAnyOrder(main, presentation);

    main.setSource(MediaSource.file(low));
    presentation.setSource(MediaSource.file(high));
    CompletableFuture<Void> first = main.connectAsync(mainSfu.answer(main.joinJson()));
    CompletableFuture<Void> second = presentation.connectAsync(presentationSfu.answer(presentation.joinJson()));
    CompletableFuture.allOf(first, second).get(20, TimeUnit.SECONDS);
    assertThat(main.state()).isEqualTo(ConnectionState.CONNECTED);
    assertThat(presentation.state()).isEqualTo(ConnectionState.CONNECTED);

    List<String> seen = new ArrayList<>();
    while (seen.stream().filter(e -> e.startsWith("end")).count() < 2) {
      String event = events.poll(20, TimeUnit.SECONDS);
      assertThat(event).as("events so far: %s", seen).isNotNull();
      seen.add(event);
    }
    Thread.sleep(300);
    assertThat(seen).contains("GROUP_CALL CONNECTING", "GROUP_CALL CONNECTED",
        "PRESENTATION CONNECTING", "PRESENTATION CONNECTED");
    Recording heardByMain = mainSfu.recording();
    Recording heardByPresentation = presentationSfu.recording();
    assertThat(heardByMain.audioSsrcDeclared()).isEqualTo(main.audioSsrc());
    assertThat(heardByPresentation.audioSsrcDeclared()).isEqualTo(presentation.audioSsrc());
    assertThat(frequency(heardByMain)).isCloseTo(440.0, Offset.offset(2.0));
    assertThat(frequency(heardByPresentation)).isCloseTo(660.0, Offset.offset(2.0));

    calls.stop(CHAT); // ends both
    assertThat(calls.calls()).isEmpty();
    assertThat(List.of(events.poll(5, TimeUnit.SECONDS), events.poll(5, TimeUnit.SECONDS)))
        .containsExactlyInAnyOrder("GROUP_CALL CLOSED", "PRESENTATION CLOSED");
  }

  /**
   * The README's Java quick start, step by step: after {@code stop()} the handle still gives the
   * SSRC for {@code phone.leaveGroupCall} (and its other fixed facts), while control methods and
   * the chat-id shortcut no longer reach the call.
   */
  @Test
  void theQuickStartReadsTheSsrcForLeaveGroupCallAfterStop() throws Exception {
    Path song = Media.tone(dir, "song.ogg", 440, 5);
    TestSfu sfu = sfu();
    calls = recording(TgCalls.builder()).build();

    GroupCall call = calls.createGroupCall(CHAT);
    String join = call.joinJson();
    call.connect(sfu.answer(join));
    call.setSource(MediaSource.file(song));
    call.pause();
    call.resume();
    while (call.stats().packetsSent() < 10) {
      Thread.sleep(20);
    }
    int ssrcWhileLive = call.audioSsrc();
    call.stop();

    assertThat(call.state()).isEqualTo(ConnectionState.CLOSED);
    assertThat(call.audioSsrc()).as("the source for phone.leaveGroupCall")
        .isEqualTo(ssrcWhileLive).isEqualTo(sfu.recording().audioSsrcDeclared());
    assertThat(call.chatId()).isEqualTo(CHAT);
    assertThat(call.kind()).isEqualTo(CallKind.GROUP_CALL);
    assertThat(call.joinJson()).isEqualTo(join);
    assertThat(call.stats().packetsSent()).isGreaterThanOrEqualTo(10);
    assertThatThrownBy(call::pause).isInstanceOf(org.tgcalls4j.ConnectionNotFoundException.class);
    assertThatThrownBy(() -> calls.audioSsrc(CHAT))
        .isInstanceOf(org.tgcalls4j.ConnectionNotFoundException.class);
  }

  @Test
  void aPresentationNeedsTheChatsGroupCall() throws Exception {
    calls = recording(TgCalls.builder()).build();
    assertThatThrownBy(() -> calls.createPresentation(CHAT))
        .isInstanceOf(org.tgcalls4j.ConnectionNotFoundException.class);
    calls.createGroupCall(CHAT);
    calls.createPresentation(CHAT);
    assertThatThrownBy(() -> calls.createPresentation(CHAT))
        .isInstanceOf(org.tgcalls4j.ConnectionExistsException.class);
  }

  @Test
  void connectAsyncConnectsTwentyCallsStartedFromOneThread() throws Exception {
    int count = 20;
    calls = recording(TgCalls.builder()).build();
    List<GroupCall> group = new ArrayList<>();
    List<TestSfu> servers = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      GroupCall call = calls.createGroupCall(i);
      TestSfu sfu = sfu();
      group.add(call);
      servers.add(sfu);
    }
    List<CompletableFuture<Void>> futures = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      futures.add(group.get(i).connectAsync(servers.get(i).answer(group.get(i).joinJson())));
    }
    long startedMillis = (System.nanoTime() - start) / 1_000_000;
    CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

    // every connectAsync returned before its call connected: the loop did not wait for them
    assertThat(startedMillis).as("time to start %d connects", count).isLessThan(15_000L);
    for (int i = 0; i < count; i++) {
      assertThat(group.get(i).state()).isEqualTo(ConnectionState.CONNECTED);
      assertThat(servers.get(i).awaitConnected(5_000)).as("SFU %d connected", i).isTrue();
    }
  }

  @Test
  void rejoinAfterTheSfuEndedTheSessionResumesTheSourceAtItsPosition() throws Exception {
    Path tone = Media.tone(dir, "tone.ogg", 440, 6);
    TestSfu first = sfu();
    calls = recording(TgCalls.builder().rejoinWindow(Duration.ofSeconds(30))).build();
    GroupCall call = calls.createGroupCall(CHAT);
    String firstJoin = call.joinJson();
    call.setSource(MediaSource.file(tone));
    call.connect(first.answer(firstJoin));
    while (call.positionMillis() < 2_000) {
      Thread.sleep(20);
    }

    first.close(); // close_notify: the SFU ended the session
    assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("GROUP_CALL CONNECTING");
    assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("GROUP_CALL CONNECTED");
    assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("GROUP_CALL DISCONNECTED");
    assertThat(causes.poll(1, TimeUnit.SECONDS)).isInstanceOfSatisfying(TransportException.class,
        e -> assertThat(e.stage()).isEqualTo(TransportException.Stage.DTLS));
    assertThat(call.state()).isEqualTo(ConnectionState.DISCONNECTED);
    Thread.sleep(100); // a frame already being paced when the connection went is still counted
    long heldAt = call.positionMillis();
    long sentAtLoss = call.stats().mediaTimeMillis();
    Thread.sleep(500);
    assertThat(call.positionMillis()).as("the source is held while disconnected").isEqualTo(heldAt);
    assertThat(heldAt).isBetween(2_000L, 4_000L);

    String secondJoin = call.joinJson();
    assertThat(secondJoin).as("fresh ICE credentials for the new join").isNotEqualTo(firstJoin);
    TestSfu second = sfu();
    call.rejoin(second.answer(secondJoin));
    assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("GROUP_CALL CONNECTING");
    assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("GROUP_CALL CONNECTED");
    assertThat(events.poll(15, TimeUnit.SECONDS)).isEqualTo("end ok");
    Thread.sleep(300);

    Recording rec = second.recording();
    assertThat(rec.audioSsrcDeclared()).isEqualTo(call.audioSsrc());
    long expectedPackets = (6_000 - heldAt) / 20;
    long received = rec.packetsBySsrc().getOrDefault(call.audioSsrc(), 0L);
    assertThat(received).as("packets after the rejoin: the rest of the source only")
        .isBetween(expectedPackets * 90 / 100, expectedPackets + 5);
    assertThat(frequency(rec)).isCloseTo(440.0, Offset.offset(2.0));
    assertThat(call.stats().mediaTimeMillis()).as("the whole source was sent once")
        .isBetween(5_960L, 6_060L);
    assertThat(sentAtLoss).isLessThanOrEqualTo(heldAt + 100);
  }

  @Test
  void aDisconnectedCallFailsWhenTheRejoinWindowPasses() throws Exception {
    TestSfu first = sfu();
    calls = recording(TgCalls.builder().rejoinWindow(Duration.ofMillis(500))).build();
    GroupCall call = calls.createGroupCall(CHAT);
    call.connect(first.answer(call.joinJson()));
    // the SFU's own handshake ends after ours; only an established session ends with close_notify
    assertThat(first.awaitConnected(5_000)).isTrue();
    first.close();

    assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("GROUP_CALL CONNECTING");
    assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("GROUP_CALL CONNECTED");
    assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("GROUP_CALL DISCONNECTED");
    assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("GROUP_CALL FAILED");
    assertThat(causes.poll(1, TimeUnit.SECONDS)).isInstanceOf(TransportException.class);
    assertThat(causes.poll(1, TimeUnit.SECONDS)).isInstanceOfSatisfying(NotConnectedException.class,
        e -> assertThat(e.getMessage()).contains("not rejoined within 500 ms"));
    assertThat(calls.calls()).isEmpty();
    assertThatThrownBy(() -> call.rejoin("{}"))
        .isInstanceOf(org.tgcalls4j.ConnectionNotFoundException.class);
  }

  @Test
  void aListenerThatThrowsDoesNotStopLaterEventsWhichCarryTheCallsLogContext() throws Exception {
    TestSfu sfu = sfu();
    List<String> delivered = new CopyOnWriteArrayList<>();
    List<Map<String, String>> contexts = new CopyOnWriteArrayList<>();
    calls = TgCalls.builder().requireFfmpeg(false).networkOptions(NetworkOptions.loopbackOnly())
        .connectionListener((chatId, state, cause) -> {
          delivered.add(state.name());
          contexts.add(MDC.getCopyOfContextMap());
          throw new IllegalStateException("a listener bug");
        }).build();
    GroupCall call = calls.createGroupCall(CHAT);
    call.connect(sfu.answer(call.joinJson()));
    call.stop();

    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
        .until(() -> delivered.size() == 3);
    assertThat(delivered).containsExactly("CONNECTING", "CONNECTED", "CLOSED");
    assertThat(contexts).allSatisfy(mdc -> assertThat(mdc)
        .containsEntry("tgcalls4j.chat", Long.toString(CHAT))
        .containsEntry("tgcalls4j.kind", "GROUP_CALL"));
  }
}
