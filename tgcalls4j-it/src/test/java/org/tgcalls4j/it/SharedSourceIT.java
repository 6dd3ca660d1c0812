package org.tgcalls4j.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.tgcalls4j.GroupCall;
import org.tgcalls4j.InvalidParamsException;
import org.tgcalls4j.MediaSource;
import org.tgcalls4j.NetworkOptions;
import org.tgcalls4j.SharedSource;
import org.tgcalls4j.TgCalls;
import org.tgcalls4j.internal.rtmp.testing.TestMedia;
import org.tgcalls4j.testsfu.Audio;
import org.tgcalls4j.testsfu.Recording;
import org.tgcalls4j.testsfu.TestSfu;

/**
 * One encode, many calls: a source opened once with {@link TgCalls#share} (one ffmpeg process)
 * fans out to many group calls, each against its own test SFU, and a call that joins late hears
 * the live position. The source steps its frequency every second (300 + 50·⌊t⌋ Hz), so what a
 * call hears tells where in the source it is.
 */
@ExtendWith(LeakCheck.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SharedSourceIT {
  private static final int EARLY_CALLS = 49;
  private static final int SAMPLE_RATE = 48_000;
  /**
   * Analysis window, 200 ms (10 packets) of 48 kHz stereo: short, so that it stays within one
   * 1 s step even when the test SFU, starved of CPU on a loaded machine, drops packets (its
   * 50 ice4j receivers decode inline and drop when their queues fill).
   */
  private static final int WINDOW_FRAMES = SAMPLE_RATE / 5;
  /** At least this many packets must reach every call's SFU (0.2 s of audio, one window). */
  private static final long MIN_PACKETS = 10;

  @TempDir Path dir;
  private final List<TestSfu> sfus = new ArrayList<>();
  private final Map<Long, AtomicInteger> streamEnds = new ConcurrentHashMap<>();
  private TgCalls calls;

  @AfterEach
  void tearDown() {
    if (calls != null) {
      calls.close();
    }
    sfus.forEach(TestSfu::close);
  }

  /** 48 kHz stereo WAV whose sine is 300 + 50·⌊t⌋ Hz; a WAV goes through ffmpeg. */
  private Path steppingTone(double seconds) throws Exception {
    Path out = dir.resolve("steps.wav");
    TestMedia.run(List.of("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
        "-f", "lavfi", "-i",
        "aevalsrc=0.5*sin(2*PI*(300+50*floor(t))*t):s=48000:d=" + seconds, "-ac", "2",
        out.toString()));
    return out;
  }

  private static int stepHzAt(long positionMillis) {
    return 300 + 50 * (int) (positionMillis / 1000);
  }

  private TgCalls client() throws Exception {
    calls = TgCalls.builder()
        .networkOptions(NetworkOptions.loopbackOnly())
        .connectTimeout(Duration.ofSeconds(30))
        .streamListener((chatId, error) -> streamEnds
            .computeIfAbsent(chatId, k -> new AtomicInteger()).incrementAndGet())
        .build();
    return calls;
  }

  private static List<ProcessHandle> ffmpegChildren() {
    return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
        .filter(p -> p.info().command().map(c -> c.endsWith("ffmpeg")).orElse(false))
        .toList();
  }

  private GroupCall connectedCall(long chatId, SharedSource source, List<CompletableFuture<Void>> connects)
      throws Exception {
    TestSfu sfu = TestSfu.start(TestSfu.Options.defaults());
    sfus.add(sfu);
    GroupCall call = calls.createGroupCall(chatId);
    if (source != null) {
      call.setSource(source); // before the connect: it plays from the live position once connected
    }
    connects.add(call.connectAsync(sfu.answer(call.joinJson())));
    return call;
  }

  /**
   * The step frequency (300, 350, ... Hz) with the most power in the window, by Goertzel; 0 for a
   * silent window (every step's power 0), which would otherwise read as the first step, 300 Hz.
   */
  private static int loudestStepHz(short[] stereo, int fromFrame) {
    int best = 0;
    double bestPower = 0;
    for (int hz = 300; hz <= 2250; hz += 50) { // every step of the 40 s source
      double coefficient = 2 * Math.cos(2 * Math.PI * hz / SAMPLE_RATE);
      double s1 = 0;
      double s2 = 0;
      for (int i = 0; i < WINDOW_FRAMES; i++) {
        double s0 = stereo[(fromFrame + i) * 2] + coefficient * s1 - s2;
        s2 = s1;
        s1 = s0;
      }
      double power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
      if (power > bestPower) {
        bestPower = power;
        best = hz;
      }
    }
    return best;
  }

  /** Live tgcalls4j threads by name without its trailing number or id. */
  private static Map<String, Long> threadsByKind() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive).map(Thread::getName).filter(n -> n.startsWith("tgcalls4j"))
        .collect(java.util.stream.Collectors.groupingBy(n -> n.replaceAll("-[0-9]+$", ""),
            java.util.TreeMap::new, java.util.stream.Collectors.counting()));
  }

  /** Recordings once no SFU has received anything for 500 ms. */
  private List<Recording> drained() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    long last = -1;
    while (System.nanoTime() < deadline) {
      long total = 0;
      for (TestSfu sfu : sfus) {
        total += sfu.recording().packetsBySsrc().values().stream().mapToLong(Long::longValue).sum();
      }
      if (total == last) {
        break;
      }
      last = total;
      Thread.sleep(500);
    }
    List<Recording> recordings = new ArrayList<>();
    for (TestSfu sfu : sfus) {
      recordings.add(sfu.recording());
    }
    return recordings;
  }

  private static void awaitPosition(SharedSource station, long atLeastMillis) {
    await("station at " + atLeastMillis + " ms").atMost(Duration.ofSeconds(40))
        .pollInterval(Duration.ofMillis(5))
        .until(() -> station.positionMillis() >= atLeastMillis);
  }

  @Test
  void oneFfmpegServesFiftyCallsAndALateJoinerHearsTheLiveStep() throws Exception {
    Path wav = steppingTone(40); // live from share(): room for slow connects on a loaded machine
    client();
    SharedSource station = calls.share(MediaSource.file(wav));
    assertThat(ffmpegChildren()).as("ffmpeg processes after share").hasSize(1);

    List<CompletableFuture<Void>> connects = new ArrayList<>();
    List<GroupCall> early = new ArrayList<>();
    for (long chat = 1; chat <= EARLY_CALLS; chat++) {
      early.add(connectedCall(chat, station, connects));
      if (chat % 10 == 0) { // ten DTLS handshakes at a time: the machine has two cores
        CompletableFuture.allOf(connects.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      }
    }
    GroupCall late = connectedCall(100, null, connects);
    CompletableFuture.allOf(connects.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    long connectedAt = station.positionMillis();
    System.out.printf("shared: %d calls connected at station position %d ms%n", connects.size(),
        connectedAt);
    assertThat(station.callCount()).isEqualTo(EARLY_CALLS);

    // join 500 ms into a step, at least 3 s in: the late call must hear that step, not 300 Hz
    long joinAt = Math.max(3, connectedAt / 1000 + 1) * 1000 + 500;
    awaitPosition(station, joinAt);
    late.setSource(station);
    long joinedAt = station.positionMillis();
    int expectedLateHz = stepHzAt(joinedAt);
    assertThat(expectedLateHz).isGreaterThanOrEqualTo(450);
    assertThat(station.callCount()).isEqualTo(EARLY_CALLS + 1);

    // 700 ms into the next step every call pauses: the end of every call's audio lies in that step
    long pauseAt = (joinedAt / 1000 + 1) * 1000 + 700;
    awaitPosition(station, pauseAt);
    assertThat(ffmpegChildren()).as("ffmpeg processes while 50 calls play").hasSize(1);
    long ffmpegPid = ffmpegChildren().get(0).pid();
    String rss = java.nio.file.Files.readAllLines(Path.of("/proc/" + ffmpegPid + "/status")).stream()
        .filter(l -> l.startsWith("VmRSS")).findFirst().orElse("VmRSS: ?");
    System.out.println("shared: the one ffmpeg (pid " + ffmpegPid + ") "
        + rss.replaceAll("\\s+", " "));
    Map<String, Long> threads = threadsByKind();
    System.out.println("shared: threads while 50 calls play " + threads);
    assertThat(threads).as("one reader and one ffmpeg pipe thread for the station, not per call")
        .containsEntry("tgcalls4j-shared", 1L).containsEntry("tgcalls4j-ffmpeg-stderr", 1L);
    long pausedFrom = station.positionMillis();
    for (GroupCall call : early) {
      call.pause();
    }
    late.pause();
    long pausedTo = station.positionMillis();
    System.out.printf("shared: late call joined at %d ms, all paused %d..%d ms, frames skipped %d%n",
        joinedAt, pausedFrom, pausedTo, station.framesSkipped());
    assertThat(stepHzAt(pausedTo)).as("paused within one step").isEqualTo(stepHzAt(pausedFrom));
    // the test SFUs decode inline and fall behind on a loaded machine: let them drain
    List<Recording> recordings = drained();
    long snapshotPosition = pausedFrom;
    StringBuilder counts = new StringBuilder();
    for (int i = 0; i < EARLY_CALLS; i++) {
      counts.append(early.get(i).stats().packetsSent()).append('/')
          .append(recordings.get(i).packetsBySsrc().getOrDefault(early.get(i).audioSsrc(), 0L))
          .append(' ');
    }
    System.out.println("shared: sent/received per call " + counts);
    int liveHz = stepHzAt(snapshotPosition);
    long expectedPackets = (snapshotPosition - connectedAt) / 20; // every call was connected by then
    long received = 0;
    int[] heard = new int[EARLY_CALLS];
    StringBuilder offLive = new StringBuilder(); // calls whose last window is not the live step
    for (int i = 0; i < EARLY_CALLS; i++) {
      Recording rec = recordings.get(i);
      GroupCall call = early.get(i);
      assertThat(rec.packetsBySsrc().getOrDefault(call.audioSsrc(), 0L))
          .as("packets of call %d (%s, sent %d; at its SFU: %d SRTP failures, %d lost in sequence,"
              + " %d undeclared, by SSRC %s, first at %d ns, %d RTCP; %s)", call.chatId(),
              call.state(), call.stats().packetsSent(), rec.srtpFailures(), rec.lostPackets(),
              rec.packetsDroppedUndeclaredSsrc(), rec.packetsBySsrc(), rec.firstPacketNanos(),
              rec.rtcpPacketsReceived(), sfus.get(i).diagnostics())
          .isGreaterThanOrEqualTo(MIN_PACKETS);
      assertThat(call.stats().packetsSent()).as("packets call %d sent", call.chatId())
          .isGreaterThanOrEqualTo(expectedPackets * 2 / 3); // a starved sender skips to live
      received += rec.packetsBySsrc().getOrDefault(call.audioSsrc(), 0L);
      assertThat(rec.srtpFailures()).isZero();
      short[] pcm = rec.pcm48kStereo();
      heard[i] = loudestStepHz(pcm, pcm.length / 2 - WINDOW_FRAMES);
      if (heard[i] != stepHzAt(snapshotPosition)) {
        StringBuilder back = new StringBuilder();
        for (int w = 0; w < 10 && pcm.length / 2 - (w + 1) * WINDOW_FRAMES >= 0; w++) {
          back.append(loudestStepHz(pcm, pcm.length / 2 - (w + 1) * WINDOW_FRAMES)).append(' ');
        }
        String line = String.format("call %d (sent %d, its SFU received %d, %d frames decoded;"
            + " %s) heard, newest window first: %s", call.chatId(), call.stats().packetsSent(),
            rec.packetsBySsrc().getOrDefault(call.audioSsrc(), 0L), pcm.length / 2,
            sfus.get(i).diagnostics(), back);
        System.out.println("shared: " + line);
        offLive.append(line).append('\n');
      }
    }
    System.out.printf("shared: live step %d Hz; early calls heard %s; %d packets received%n",
        liveHz, Arrays.toString(heard), received);
    // a window of received packets lies in the live step; when the SFU drops packets under load
    // it may reach back into the step before, never further (and never the 300 Hz start)
    // (the pause can come just after a step: the last window then lies in the step before)
    assertThat(Arrays.stream(heard).boxed().toList())
        .as("the live step in every early call (0: silence); off the live step:%n%s", offLive)
        .isSubsetOf(liveHz, liveHz - 50);

    Recording lateRec = recordings.get(EARLY_CALLS);
    short[] latePcm = lateRec.pcm48kStereo();
    assertThat(latePcm.length / 2).as("late call's audio").isGreaterThan(2 * WINDOW_FRAMES);
    short[] firstWindow = Arrays.copyOfRange(latePcm, 0, WINDOW_FRAMES * 2);
    double lateHz = Audio.dominantFrequencyHz(firstWindow, 2, SAMPLE_RATE);
    System.out.printf("shared: late call's first 200 ms at %.1f Hz (expected %d)%n", lateHz,
        expectedLateHz);
    assertThat(lateHz).as("the late joiner hears the live step").isCloseTo(expectedLateHz,
        Offset.offset(5.0));

    // pause is per call: the late call alone resumes, at the live position, not where it paused
    long resumeAt = (station.positionMillis() / 1000 + 1) * 1000 + 300;
    awaitPosition(station, resumeAt);
    late.resume();
    long resumedAt = station.positionMillis();
    awaitPosition(station, (resumedAt / 1000) * 1000 + 700);
    late.pause();
    List<Recording> afterResume = drained();
    short[] resumedPcm = afterResume.get(EARLY_CALLS).pcm48kStereo();
    int resumedHz = loudestStepHz(resumedPcm, resumedPcm.length / 2 - WINDOW_FRAMES);
    System.out.printf("shared: late call paused at %d ms, resumed at %d ms, heard %d Hz%n",
        pausedFrom, resumedAt, resumedHz);
    assertThat(resumedHz).as("resumed live").isEqualTo(stepHzAt(resumedAt))
        .isNotEqualTo(stepHzAt(pausedFrom));
    for (int i = 0; i < EARLY_CALLS; i++) {
      assertThat(afterResume.get(i).packetsBySsrc()).as("a paused call sends nothing")
          .isEqualTo(recordings.get(i).packetsBySsrc());
    }

    int[] ssrcs = sfus.stream().mapToInt(s -> s.recording().audioSsrcDeclared()).distinct().toArray();
    assertThat(ssrcs).as("an SSRC per call").hasSize(EARLY_CALLS + 1);

    for (GroupCall call : early) {
      call.stop();
    }
    assertThat(station.isClosed()).as("one call still plays it").isFalse();
    assertThat(ffmpegChildren()).hasSize(1);
    late.stop();
    assertThat(station.isClosed()).as("closed when the last call left").isTrue();
    await("ffmpeg gone after the last call left").atMost(Duration.ofSeconds(5))
        .until(() -> ffmpegChildren().isEmpty());
    assertThat(streamEnds).as("no stream ends: the calls left, the source did not end").isEmpty();
    assertThatThrownBy(() -> calls.createGroupCall(200).setSource(station))
        .isInstanceOfSatisfying(InvalidParamsException.class,
            e -> assertThat(e.field()).isEqualTo("source"));
  }

  @Test
  void theEndOfASharedSourceReachesEveryCallOnce() throws Exception {
    Path wav = Media.tone(dir, "short.wav", 500, 1.5);
    client();
    SharedSource station = calls.share(MediaSource.file(wav));
    List<CompletableFuture<Void>> connects = new ArrayList<>();
    List<GroupCall> group = new ArrayList<>();
    for (long chat = 1; chat <= 3; chat++) {
      group.add(connectedCall(chat, station, connects));
    }
    CompletableFuture.allOf(connects.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

    await("a stream end for every call").atMost(Duration.ofSeconds(10))
        .until(() -> streamEnds.size() == 3);
    Thread.sleep(300);
    assertThat(streamEnds.values()).extracting(AtomicInteger::get).containsOnly(1);
    await("ffmpeg gone at the end").atMost(Duration.ofSeconds(5))
        .until(() -> ffmpegChildren().isEmpty());
    assertThat(station.isClosed()).isTrue();
    assertThatThrownBy(() -> group.get(0).setSource(station))
        .isInstanceOfSatisfying(InvalidParamsException.class,
            e -> assertThat(e.field()).isEqualTo("source"));
    assertThatThrownBy(() -> MediaSource.mix(MediaSource.MixInput.of(station, 1.0)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
