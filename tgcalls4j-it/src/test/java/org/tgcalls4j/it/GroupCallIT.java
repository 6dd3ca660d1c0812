package org.tgcalls4j.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.tgcalls4j.CallStats;
import org.tgcalls4j.ConnectionState;
import org.tgcalls4j.DtlsSetup;
import org.tgcalls4j.FfmpegCrashedException;
import org.tgcalls4j.FfmpegSpawnException;
import org.tgcalls4j.InvalidParamsException;
import org.tgcalls4j.MediaSource;
import org.tgcalls4j.NetworkOptions;
import org.tgcalls4j.TgCalls;
import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.TransportException;
import org.tgcalls4j.testsfu.Audio;
import org.tgcalls4j.testsfu.Recording;
import org.tgcalls4j.testsfu.TestSfu;

/**
 * Group calls end to end against the test SFU, which is built only from independent
 * implementations (ice4j controlling agent, Bouncy Castle DTLS, jitsi-srtp, Concentus).
 */
@ExtendWith(LeakCheck.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GroupCallIT {
  private static final long CHAT = 42;

  @TempDir Path dir;
  private final BlockingQueue<Object> streamEnds = new LinkedBlockingQueue<>();
  private final BlockingQueue<ConnectionState> states = new LinkedBlockingQueue<>();
  private TestSfu sfu;
  private TgCalls calls;

  @AfterEach
  void tearDown() {
    if (calls != null) {
      calls.close();
    }
    if (sfu != null) {
      sfu.close();
    }
  }

  private TgCalls client(TgCalls.Builder builder) throws FfmpegSpawnException {
    calls = builder
        .networkOptions(NetworkOptions.loopbackOnly())
        .connectTimeout(Duration.ofSeconds(10))
        .streamListener((chat, error) -> streamEnds.add(error == null ? "ok" : error))
        .connectionListener((chat, state, cause) -> states.add(state))
        .build();
    return calls;
  }

  private Recording play(Path file, TestSfu.Options options, TgCalls.Builder builder) throws Exception {
    sfu = TestSfu.start(options);
    client(builder);
    String join = calls.createCall(CHAT);
    calls.setStreamSources(CHAT, MediaSource.file(file));
    calls.connect(CHAT, sfu.answer(join));
    assertThat(streamEnds.poll(30, TimeUnit.SECONDS)).as("stream end").isEqualTo("ok");
    Thread.sleep(300);
    return sfu.recording();
  }

  @Test
  void oggOpusToneArrivesAt440HzOnTheAnnouncedSsrcWithoutFfmpeg() throws Exception {
    Path ogg = Media.tone(dir, "tone.ogg", 440, 3);
    Recording rec = play(ogg, TestSfu.Options.defaults(), TgCalls.builder().requireFfmpeg(false)
        .ffmpegPath(Path.of("/nonexistent/ffmpeg")));
    CallStats stats = calls.stats(CHAT);

    assertThat(rec.audioSsrcDeclared()).isEqualTo(calls.audioSsrc(CHAT));
    long received = rec.packetsBySsrc().getOrDefault(calls.audioSsrc(CHAT), 0L);
    assertThat(stats.packetsSent()).isBetween(148L, 152L); // 3 s of 20 ms frames
    assertThat(received).isGreaterThanOrEqualTo(stats.packetsSent() * 95 / 100);
    assertThat(rec.payloadTypeSeen()).isEqualTo(111);
    assertThat(rec.audioLevelExtensionSeen()).isTrue();
    assertThat(rec.srtpFailures()).isZero();
    assertThat(rec.rtcpPacketsReceived()).isPositive();
    assertThat(rec.lastCname()).isNotEmpty();
    assertThat(Audio.dominantFrequencyHz(rec.pcm48kStereo(), 2, 48_000)).isCloseTo(440.0,
        org.assertj.core.data.Offset.offset(2.0));
    assertThat(states).containsExactly(ConnectionState.CONNECTING, ConnectionState.CONNECTED);
  }

  @Test
  void wavIsTranscodedByFfmpegAndArrivesAtItsFrequency() throws Exception {
    Path wav = Media.tone(dir, "tone.wav", 1000, 2);
    Recording rec = play(wav, TestSfu.Options.defaults(), TgCalls.builder());
    assertThat(Audio.dominantFrequencyHz(rec.pcm48kStereo(), 2, 48_000)).isCloseTo(1000.0,
        org.assertj.core.data.Offset.offset(2.0));
  }

  @Test
  void connectsWhenTheSfuRejectsChecksForItsFirst200Ms() throws Exception {
    Path ogg = Media.tone(dir, "tone.ogg", 440, 1);
    Recording rec = play(ogg, new TestSfu.Options(200, false),
        TgCalls.builder().requireFfmpeg(false));
    assertThat(rec.packetsBySsrc().get(rec.audioSsrcDeclared())).isGreaterThan(40L);
  }

  @Test
  void connectsAsDtlsClientWhenTheJoinSaysActive() throws Exception {
    Path ogg = Media.tone(dir, "tone.ogg", 440, 1);
    Recording rec = play(ogg, TestSfu.Options.defaults(),
        TgCalls.builder().requireFfmpeg(false).dtlsSetup(DtlsSetup.ACTIVE));
    assertThat(rec.packetsBySsrc().get(rec.audioSsrcDeclared())).isGreaterThan(40L);
  }

  @Test
  void malformedAnswerNamesTheFieldAndLeavesTheCallReadyForAnotherAnswer() throws Exception {
    sfu = TestSfu.start(TestSfu.Options.defaults());
    client(TgCalls.builder().requireFfmpeg(false));
    String join = calls.createCall(CHAT);
    String answer = sfu.answer(join);
    String broken = answer.replaceFirst("\"port\"\\s*:\\s*\"\\d+\"", "\"port\":\"abc\"");
    assertThat(broken).isNotEqualTo(answer);

    assertThatThrownBy(() -> calls.connect(CHAT, broken))
        .isInstanceOfSatisfying(InvalidParamsException.class,
            e -> assertThat(e.field()).isEqualTo("transport.candidates[0].port"));
    assertThatThrownBy(() -> calls.connect(CHAT, "{\"transport\":"))
        .isInstanceOf(InvalidParamsException.class);
    String md5 = answer.replaceFirst("\"hash\"\s*:\s*\"sha-256\"", "\"hash\":\"md5\"");
    assertThat(md5).isNotEqualTo(answer);
    assertThatThrownBy(() -> calls.connect(CHAT, md5))
        .isInstanceOfSatisfying(InvalidParamsException.class,
            e -> assertThat(e.field()).startsWith("transport.fingerprints[0]"));

    // RFC 8445 §5.3: pwd is 22..256 ice-chars; an empty one used to escape as IllegalArgumentException
    String emptyPwd = answer.replaceFirst("\"pwd\"\\s*:\\s*\"[^\"]*\"", "\"pwd\":\"\"");
    assertThat(emptyPwd).isNotEqualTo(answer);
    assertThatThrownBy(() -> calls.connect(CHAT, emptyPwd))
        .isInstanceOfSatisfying(InvalidParamsException.class,
            e -> assertThat(e.field()).isEqualTo("transport.pwd"));

    calls.connect(CHAT, answer);
    assertThat(sfu.awaitConnected(5000)).isTrue();
  }

  @Test
  void wrongDtlsFingerprintFailsTheConnectionAndSendsNoMedia() throws Exception {
    sfu = TestSfu.start(new TestSfu.Options(0, true));
    client(TgCalls.builder());
    String join = calls.createCall(CHAT);
    // a transcoded source: the failed connect must not leave its ffmpeg behind (LeakCheck)
    calls.setStreamSources(CHAT, MediaSource.file(Media.tone(dir, "tone.wav", 440, 5)));

    assertThatThrownBy(() -> calls.connect(CHAT, sfu.answer(join)))
        .isInstanceOfSatisfying(TransportException.class,
            e -> assertThat(e.stage()).isEqualTo(TransportException.Stage.FINGERPRINT))
        .hasMessageContaining("fingerprint");
    Thread.sleep(300);
    assertThat(sfu.recording().packetsBySsrc().values().stream().mapToLong(Long::longValue).sum())
        .isZero();
    assertThat(states.poll(2, TimeUnit.SECONDS)).isEqualTo(ConnectionState.CONNECTING);
    assertThat(states.poll(2, TimeUnit.SECONDS)).isEqualTo(ConnectionState.FAILED);
  }

  @Test
  void missingFfmpegFailsAtBuild() {
    assertThatThrownBy(() -> TgCalls.builder().ffmpegPath(Path.of("/nonexistent/ffmpeg")).build())
        .isInstanceOf(FfmpegSpawnException.class)
        .hasMessageContaining("/nonexistent/ffmpeg");
  }

  @Test
  void unplayableFileEndsTheStreamWithFfmpegsExitCodeAndStderr() throws Exception {
    Path junk = dir.resolve("junk.mp3");
    byte[] noise = new byte[64 * 1024];
    new Random(7).nextBytes(noise);
    Files.write(junk, noise);
    sfu = TestSfu.start(TestSfu.Options.defaults());
    client(TgCalls.builder());
    String join = calls.createCall(CHAT);
    calls.connect(CHAT, sfu.answer(join));
    calls.setStreamSources(CHAT, MediaSource.file(junk));

    Object end = streamEnds.poll(20, TimeUnit.SECONDS);
    assertThat(end).isInstanceOfSatisfying(FfmpegCrashedException.class, e -> {
      assertThat(e.exitCode()).isNotZero();
      assertThat(e.stderrTail()).isNotBlank();
      assertThat(e.stderrTail().getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
          .isLessThanOrEqualTo(512);
    });
  }

  @Test
  void stopKillsFfmpegAndClosesTheCall() throws Exception {
    Path wav = Media.tone(dir, "long.wav", 440, 30);
    sfu = TestSfu.start(TestSfu.Options.defaults());
    client(TgCalls.builder());
    String join = calls.createCall(CHAT);
    calls.setStreamSources(CHAT, MediaSource.file(wav));
    calls.connect(CHAT, sfu.answer(join));
    Thread.sleep(500);
    assertThat(ProcessHandle.current().descendants().anyMatch(ProcessHandle::isAlive)).isTrue();

    calls.stop(CHAT);
    assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count()).isZero();
    assertThatThrownBy(() -> calls.stats(CHAT)).isInstanceOf(TgCallsException.class);
    assertThat(streamEnds).isEmpty(); // a user-initiated stop is not a stream end
  }

  @Test
  void connectGivesUpWithNotConnectedWhenNobodyAnswersChecks() throws Exception {
    sfu = TestSfu.start(TestSfu.Options.defaults());
    calls = TgCalls.builder().requireFfmpeg(false).networkOptions(NetworkOptions.loopbackOnly())
        .connectTimeout(Duration.ofMillis(1500))
        .connectionListener((chat, state, cause) -> states.add(state)).build();
    String join = calls.createCall(CHAT);
    String answer = sfu.answer(join);
    sfu.close(); // the SFU's socket is gone: our checks go unanswered

    long start = System.nanoTime();
    assertThatThrownBy(() -> calls.connect(CHAT, answer))
        .isInstanceOf(org.tgcalls4j.NotConnectedException.class)
        .hasMessageContaining("ICE");
    assertThat((System.nanoTime() - start) / 1_000_000).isBetween(1400L, 4000L);
    assertThat(states.poll(2, TimeUnit.SECONDS)).isEqualTo(ConnectionState.CONNECTING);
    assertThat(states.poll(2, TimeUnit.SECONDS)).isEqualTo(ConnectionState.FAILED);
    // the failed call is gone, so the chat can join again
    assertThat(calls.createCall(CHAT)).contains("\"ufrag\"");
  }

  @Test
  void streamModeAnswerIsRejectedAsInvalidParams() throws Exception {
    client(TgCalls.builder().requireFfmpeg(false));
    calls.createCall(CHAT);
    assertThatThrownBy(() -> calls.connect(CHAT, "{\"stream\":true}"))
        .isInstanceOfSatisfying(InvalidParamsException.class,
            e -> assertThat(e.field()).isEqualTo("stream"));
  }

  @Test
  void pauseHoldsTheSourceAndResumeContinuesWhereItStopped() throws Exception {
    sfu = TestSfu.start(TestSfu.Options.defaults());
    client(TgCalls.builder().requireFfmpeg(false));
    String join = calls.createCall(CHAT);
    calls.setStreamSources(CHAT, MediaSource.file(Media.tone(dir, "tone.ogg", 440, 2)));
    calls.connect(CHAT, sfu.answer(join));
    Thread.sleep(600);
    calls.pause(CHAT);
    Thread.sleep(100);
    long atPause = calls.stats(CHAT).packetsSent();
    long position = calls.time(CHAT);
    Thread.sleep(1000);
    assertThat(calls.stats(CHAT).packetsSent()).isEqualTo(atPause);
    assertThat(calls.time(CHAT)).isEqualTo(position);

    calls.resume(CHAT);
    assertThat(streamEnds.poll(10, TimeUnit.SECONDS)).isEqualTo("ok");
    Thread.sleep(300);
    Recording rec = sfu.recording();
    assertThat(rec.lostPackets()).isZero();
    assertThat(rec.packetsBySsrc().get(rec.audioSsrcDeclared()))
        .isGreaterThanOrEqualTo(calls.stats(CHAT).packetsSent() - 1);
    assertThat(calls.stats(CHAT).mediaTimeMillis()).isBetween(1980L, 2100L);
  }

  @Test
  void aSourceSetWhilePausedWaitsForResumeAndPauseAndResumeSayWhetherTheyChangedAnything()
      throws Exception {
    sfu = TestSfu.start(TestSfu.Options.defaults());
    client(TgCalls.builder().requireFfmpeg(false));
    String join = calls.createCall(CHAT);
    calls.setStreamSources(CHAT, MediaSource.file(Media.tone(dir, "first.ogg", 440, 3)));
    calls.connect(CHAT, sfu.answer(join));
    Thread.sleep(500);
    assertThat(calls.resume(CHAT)).as("resume while playing").isFalse();
    assertThat(calls.pause(CHAT)).as("pause while playing").isTrue();
    assertThat(calls.pause(CHAT)).as("pause while paused").isFalse();
    Thread.sleep(100); // a frame already due when pause was called may still go out
    long atPause = calls.stats(CHAT).packetsSent();
    short[] beforeSwitch = sfu.recording().pcm48kStereo();

    calls.setStreamSources(CHAT, MediaSource.file(Media.tone(dir, "second.ogg", 660, 1)));
    assertThat(calls.time(CHAT)).as("the new source's position").isZero();
    Thread.sleep(600);
    assertThat(calls.stats(CHAT).packetsSent()).as("still paused after the source change")
        .isEqualTo(atPause);

    assertThat(calls.resume(CHAT)).as("resume while paused").isTrue();
    assertThat(streamEnds.poll(10, TimeUnit.SECONDS)).as("the new source's natural end, only")
        .isEqualTo("ok");
    assertThat(calls.time(CHAT)).as("the whole new source played").isBetween(980L, 1_100L);
    Thread.sleep(300);
    short[] all = sfu.recording().pcm48kStereo();
    short[] after = java.util.Arrays.copyOfRange(all, beforeSwitch.length, all.length);
    assertThat(Audio.dominantFrequencyHz(after, 2, 48_000)).as("heard after the resume")
        .isCloseTo(660.0, org.assertj.core.data.Offset.offset(2.0));
    assertThat(after.length / 2 / 48).as("ms heard after the resume").isBetween(900, 1_200);
  }

  /** @return the RMS of each 10 ms of 48 kHz stereo PCM, in sample units */
  private static double[] rmsPer10Ms(short[] pcm48kStereo) {
    int window = 960; // 480 stereo frames
    double[] rms = new double[pcm48kStereo.length / window];
    for (int w = 0; w < rms.length; w++) {
      double sum = 0;
      for (int i = w * window; i < (w + 1) * window; i++) {
        sum += (double) pcm48kStereo[i] * pcm48kStereo[i];
      }
      rms[w] = Math.sqrt(sum / window);
    }
    return rms;
  }

  @Test
  void seekLandsOnTheTargetAndAPausedCallStaysPausedThere() throws Exception {
    sfu = TestSfu.start(TestSfu.Options.defaults());
    client(TgCalls.builder().requireFfmpeg(false));
    // silence but for a 440 Hz burst in [5.0 s, 5.5 s): what arrives shows where the seek landed
    Path burst = Media.burst(dir, "burst.ogg", 8, 5.0, 5.5);
    String join = calls.createCall(CHAT);
    calls.setStreamSources(CHAT, MediaSource.file(burst));
    calls.connect(CHAT, sfu.answer(join));
    Thread.sleep(800);
    calls.pause(CHAT);
    calls.seek(CHAT, 5_300);
    assertThat(calls.time(CHAT)).isEqualTo(5_300);
    Thread.sleep(100); // a frame already due when pause was called may still go out
    long atPause = calls.stats(CHAT).packetsSent();
    Thread.sleep(300);
    assertThat(calls.stats(CHAT).packetsSent()).as("still paused after the seek").isEqualTo(atPause);
    calls.resume(CHAT);
    assertThat(streamEnds.poll(10, TimeUnit.SECONDS)).as("one natural end, none for the seek")
        .isEqualTo("ok");
    assertThat(streamEnds.poll(500, TimeUnit.MILLISECONDS)).isNull();
    assertThat(calls.time(CHAT)).isBetween(7_950L, 8_100L);
    Thread.sleep(300);
    // 0.8 s of silence, then from 5.3 s: 200 ms of the burst, then silence to the end
    double[] rms = rmsPer10Ms(sfu.recording().pcm48kStereo());
    int first = -1;
    int last = -1;
    for (int w = 0; w < rms.length; w++) {
      if (rms[w] > 3_000) { // the burst is at -6 dBFS, about 11,600 RMS
        first = first < 0 ? w : first;
        last = w;
      }
    }
    assertThat(first).as("the burst arrived").isPositive();
    long burstMillis = (last - first + 1) * 10L;
    assertThat(burstMillis).as("burst heard after seeking 200 ms before its end").isBetween(150L, 260L);
    // before the seek only silence was sent: the burst starts after 0.8 s of audio
    assertThat(first * 10L).isBetween(700L, 1_000L);
    assertThatThrownBy(() -> calls.seek(CHAT, 1_000)).as("the source ended: nothing to seek in")
        .isInstanceOf(InvalidParamsException.class).hasMessageContaining("nothing is playing");
  }

  @Test
  void aShellSourceWithShellMetacharactersInItsFileNameRunsThatFileAndNoShell() throws Exception {
    sfu = TestSfu.start(TestSfu.Options.defaults());
    client(TgCalls.builder().requireFfmpeg(false));
    // a real file whose name a shell would run: quotes, $(...), ;, |, &, backticks; a shell
    // would create PWNED in its working directory
    String hostile = "a \"b\" $(touch PWNED); `touch PWNED` | & c.ogg";
    Path file = Files.move(Media.tone(dir, "plain.ogg", 440, 2), dir.resolve(hostile));
    String quoted = "\"" + file.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    String join = calls.createCall(CHAT);
    calls.setStreamSources(CHAT, MediaSource.shell("ffmpeg -i " + quoted + " -af volume=1.0",
        MediaSource.Track.AUDIO));
    calls.connect(CHAT, sfu.answer(join));
    assertThat(streamEnds.poll(15, TimeUnit.SECONDS)).as("natural end of the file").isEqualTo("ok");
    Thread.sleep(300);
    Recording rec = sfu.recording();
    assertThat(Audio.dominantFrequencyHz(rec.pcm48kStereo(), 2, 48_000)).isCloseTo(440.0,
        org.assertj.core.data.Offset.offset(2.0));
    assertThat(calls.stats(CHAT).mediaTimeMillis()).isBetween(1_900L, 2_100L);
    assertThat(Path.of("PWNED")).as("no shell ran the name").doesNotExist();
    assertThat(dir.resolve("PWNED")).doesNotExist();
    assertThatThrownBy(() -> calls.seek(CHAT, 0)).isInstanceOf(InvalidParamsException.class);
  }

  @Test
  void muteSendsSilenceWhileTheSourceClockRunsOn() throws Exception {
    sfu = TestSfu.start(TestSfu.Options.defaults());
    client(TgCalls.builder().requireFfmpeg(false));
    String join = calls.createCall(CHAT);
    calls.setStreamSources(CHAT, MediaSource.file(Media.tone(dir, "tone.ogg", 440, 3)));
    calls.connect(CHAT, sfu.answer(join));
    Thread.sleep(1_000);
    assertThat(calls.mute(CHAT)).isTrue();
    assertThat(calls.mute(CHAT)).as("already muted").isFalse();
    long mutedAt = calls.time(CHAT);
    Thread.sleep(1_000);
    assertThat(calls.time(CHAT) - mutedAt).as("the position runs on while muted").isBetween(800L, 1_200L);
    assertThat(calls.unmute(CHAT)).isTrue();
    assertThat(streamEnds.poll(10, TimeUnit.SECONDS)).isEqualTo("ok");
    Thread.sleep(300);
    Recording rec = sfu.recording();
    assertThat(rec.lostPackets()).as("packets keep flowing while muted").isZero();
    assertThat(calls.stats(CHAT).mediaTimeMillis()).isBetween(2_950L, 3_100L);
    // 10 ms windows: about 1 s of silence inside 3 s of tone
    int silent = 0;
    int loud = 0;
    for (double rms : rmsPer10Ms(rec.pcm48kStereo())) {
      silent += rms < 100 ? 1 : 0;
      loud += rms > 1_000 ? 1 : 0; // ffmpeg's sine is at 1/8 of full scale: about 2,900 RMS
    }
    assertThat(silent * 10).as("ms of silence").isBetween(800, 1_250);
    assertThat(loud * 10).as("ms of tone").isBetween(1_700, 2_200);
  }

  @Test
  void sfuClosingItsDtlsSessionFailsTheCall() throws Exception {
    sfu = TestSfu.start(TestSfu.Options.defaults());
    BlockingQueue<Object> causes = new LinkedBlockingQueue<>();
    calls = TgCalls.builder().requireFfmpeg(false).networkOptions(NetworkOptions.loopbackOnly())
        .connectionListener((chat, state, cause) -> {
          states.add(state);
          if (cause != null) {
            causes.add(cause);
          }
        }).build();
    org.tgcalls4j.GroupCall call = calls.createGroupCall(CHAT);
    Path tone = Media.tone(dir, "tone.ogg", 440, 10);
    call.setSource(MediaSource.file(tone));
    call.connect(sfu.answer(call.joinJson()));
    assertThat(sfu.awaitConnected(5_000)).isTrue(); // close_notify needs the SFU's session up
    Thread.sleep(300);
    sfu.close();

    assertThat(causes.poll(10, TimeUnit.SECONDS)).isInstanceOfSatisfying(TransportException.class,
        e -> assertThat(e.stage()).isEqualTo(TransportException.Stage.DTLS));
    assertThat(states).containsExactly(ConnectionState.CONNECTING, ConnectionState.CONNECTED,
        ConnectionState.FAILED);
    assertThatThrownBy(() -> calls.stats(CHAT))
        .isInstanceOf(org.tgcalls4j.ConnectionNotFoundException.class);
    // The handle keeps the state and the last counters; control methods refuse.
    assertThat(call.state()).isEqualTo(ConnectionState.FAILED);
    assertThat(call.stats().packetsSent()).isPositive();
    assertThatThrownBy(call::pause).isInstanceOf(org.tgcalls4j.ConnectionNotFoundException.class);
  }

  @Test
  void aSecondConnectIsRejectedAndTheCallGoesOn() throws Exception {
    sfu = TestSfu.start(TestSfu.Options.defaults());
    client(TgCalls.builder().requireFfmpeg(false));
    String join = calls.createCall(CHAT);
    String answer = sfu.answer(join);
    calls.connect(CHAT, answer);

    assertThatThrownBy(() -> calls.connect(CHAT, answer))
        .isInstanceOf(org.tgcalls4j.ConnectionExistsException.class);
    assertThat(calls.stats(CHAT)).isNotNull();
    calls.stop(CHAT); // still registered, so stop reaches it (LeakCheck: nothing left running)
    assertThat(states.poll(2, TimeUnit.SECONDS)).isEqualTo(ConnectionState.CONNECTING);
    assertThat(states.poll(2, TimeUnit.SECONDS)).isEqualTo(ConnectionState.CONNECTED);
    assertThat(states.poll(2, TimeUnit.SECONDS)).isEqualTo(ConnectionState.CLOSED);
  }

  @Test
  void closingTheClientFromAListenerReturnsAtOnceAndStillDeliversClosed() throws Exception {
    sfu = TestSfu.start(TestSfu.Options.defaults());
    BlockingQueue<Long> closeMillis = new LinkedBlockingQueue<>();
    calls = TgCalls.builder().requireFfmpeg(false).networkOptions(NetworkOptions.loopbackOnly())
        .connectionListener((chat, state, cause) -> {
          states.add(state);
          if (state == ConnectionState.CONNECTED) {
            long start = System.nanoTime();
            calls.close();
            closeMillis.add((System.nanoTime() - start) / 1_000_000);
          }
        }).build();
    String join = calls.createCall(CHAT);
    calls.connect(CHAT, sfu.answer(join));

    assertThat(closeMillis.poll(10, TimeUnit.SECONDS)).isLessThan(3000L);
    assertThat(states.poll(2, TimeUnit.SECONDS)).isEqualTo(ConnectionState.CONNECTING);
    assertThat(states.poll(2, TimeUnit.SECONDS)).isEqualTo(ConnectionState.CONNECTED);
    assertThat(states.poll(2, TimeUnit.SECONDS)).isEqualTo(ConnectionState.CLOSED);
  }

  @Test
  void anHttpUrlIsStreamedThroughFfmpegAndArrivesAtItsFrequency() throws Exception {
    Path mp3 = Media.tone(dir, "tone.mp3", 660, 2);
    com.sun.net.httpserver.HttpServer http = com.sun.net.httpserver.HttpServer.create(
        new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext("/tone.mp3", exchange -> {
      byte[] body = Files.readAllBytes(mp3);
      exchange.getResponseHeaders().add("Content-Type", "audio/mpeg");
      exchange.sendResponseHeaders(200, body.length);
      try (var out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    http.start();
    try {
      sfu = TestSfu.start(TestSfu.Options.defaults());
      client(TgCalls.builder());
      String join = calls.createCall(CHAT);
      calls.setStreamSources(CHAT, MediaSource.url(
          "http://127.0.0.1:" + http.getAddress().getPort() + "/tone.mp3"));
      calls.connect(CHAT, sfu.answer(join));
      assertThat(streamEnds.poll(30, TimeUnit.SECONDS)).isEqualTo("ok");
      Thread.sleep(300);
      Recording rec = sfu.recording();
      assertThat(Audio.dominantFrequencyHz(rec.pcm48kStereo(), 2, 48_000)).isCloseTo(660.0,
          org.assertj.core.data.Offset.offset(2.0));
    } finally {
      http.stop(0);
    }
  }
}
