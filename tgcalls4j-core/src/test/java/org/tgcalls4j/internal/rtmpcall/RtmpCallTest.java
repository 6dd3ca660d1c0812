package org.tgcalls4j.internal.rtmpcall;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.tgcalls4j.ConnectionState;
import org.tgcalls4j.MediaSource;
import org.tgcalls4j.NotConnectedException;
import org.tgcalls4j.RtmpException;
import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.internal.ffmpeg.FlvEncoding;
import org.tgcalls4j.internal.rtmp.RtmpOptions;
import org.tgcalls4j.internal.rtmp.RtmpUrl;
import org.tgcalls4j.internal.rtmp.testing.NginxRtmpServer;
import org.tgcalls4j.internal.rtmp.testing.NginxRtmpServer.Recording;
import org.tgcalls4j.internal.rtmp.testing.TestMedia;

/**
 * Publishes to a real nginx-rtmp on 127.0.0.1 and checks its recording with ffprobe.
 * Schedule of the main scenario (seconds after start): A at 0, B at 6, pause at 10, resume at
 * 13, C at 15, stop at 20.
 */
@Timeout(120)
class RtmpCallTest {
  private static final String KEY = "k1";
  private static final FlvEncoding ENCODING = new FlvEncoding(320, 240, 25, 400, 64, 48000);

  @TempDir static Path sources;
  private static MediaSource a;
  private static MediaSource b;
  private static MediaSource c;

  private NginxRtmpServer nginx;
  private ExecutorService dispatcher;
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final List<String> eventThreads = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void makeSources() throws Exception {
    TestMedia.makeSource(sources.resolve("a.mp4"), "testsrc", 440, 12);
    TestMedia.makeSource(sources.resolve("b.mp4"), "smptebars", 880, 12);
    TestMedia.makeSource(sources.resolve("c.mp4"), "testsrc2", 660, 12);
    a = MediaSource.file(sources.resolve("a.mp4"));
    b = MediaSource.file(sources.resolve("b.mp4"));
    c = MediaSource.file(sources.resolve("c.mp4"));
  }

  @BeforeEach
  void startDispatcher() {
    dispatcher = Executors.newSingleThreadExecutor(r -> new Thread(r, "dispatcher"));
  }

  @AfterEach
  void noChildProcessesRemain() throws Exception {
    if (nginx != null) {
      nginx.close();
    }
    dispatcher.shutdown();
    assertThat(dispatcher.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (ProcessHandle.current().descendants().findAny().isPresent()
        && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(ProcessHandle.current().descendants().map(p -> p.info().commandLine().orElse("?")))
        .isEmpty();
  }

  private RtmpCall newCall(String url, boolean fallback) throws TgCallsException {
    AtomicInteger n = new AtomicInteger();
    ThreadFactory threads = r -> {
      Thread t = new Thread(r, "rtmpcall-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    RtmpCall.Config config = new RtmpCall.Config(Path.of("ffmpeg"), ENCODING, fallback, threads,
        dispatcher, 200, 2000, 5);
    return new RtmpCall(RtmpUrl.parse(url, KEY), RtmpOptions.defaults(), config,
        new RtmpCall.Events() {
          @Override
          public void onConnectionChange(ConnectionState state, TgCallsException cause) {
            eventThreads.add(Thread.currentThread().getName());
            events.add(state.name());
          }

          @Override
          public void onStreamEnd(TgCallsException error) {
            eventThreads.add(Thread.currentThread().getName());
            events.add("END " + error);
          }
        });
  }

  private static void sleepUntil(long startNanos, long millis) throws InterruptedException {
    long waitNanos = startNanos + TimeUnit.MILLISECONDS.toNanos(millis) - System.nanoTime();
    if (waitNanos > 0) {
      TimeUnit.NANOSECONDS.sleep(waitNanos);
    }
  }

  /** Runs the A/B/pause/C schedule; returns the published wall time in seconds. */
  private double publishScenario(RtmpCall call, List<Long> streamTimes) throws Exception {
    call.start();
    long t0 = System.nanoTime();
    call.setSource(a);
    sleepUntil(t0, 6000);
    streamTimes.add(call.streamTimeMillis());
    call.setSource(b);
    sleepUntil(t0, 10000);
    streamTimes.add(call.streamTimeMillis());
    assertThat(call.pause()).as("pause while playing").isTrue();
    assertThat(call.pause()).as("pause while paused").isFalse();
    long pausedAt = call.positionMillis();
    sleepUntil(t0, 12000);
    assertThat(call.positionMillis()).isEqualTo(pausedAt);
    assertThat(pausedAt).isBetween(2500L, 4500L);
    sleepUntil(t0, 13000);
    streamTimes.add(call.streamTimeMillis());
    assertThat(call.resume()).as("resume while paused").isTrue();
    assertThat(call.resume()).as("resume while playing").isFalse();
    sleepUntil(t0, 14500);
    assertThat(call.positionMillis()).isBetween(pausedAt + 500, pausedAt + 1600);
    sleepUntil(t0, 15000);
    streamTimes.add(call.streamTimeMillis());
    call.setSource(c);
    sleepUntil(t0, 20000);
    streamTimes.add(call.streamTimeMillis());
    call.close();
    return (System.nanoTime() - t0) / 1e9;
  }

  /** Checks one recorded session; returns its duration in seconds. */
  private static double checkRecording(Path recording) throws Exception {
    TestMedia.Probe probe = TestMedia.probe(recording);
    assertThat(probe.codecs()).containsExactlyInAnyOrder("h264", "aac");
    assertThat(probe.dts("video")).isSorted();
    assertThat(probe.dts("audio")).isSorted();
    double seconds = probe.durationSeconds();
    TestMedia.Decoded[] decoded = TestMedia.decode(recording);
    // Every packet decodes, across the codec configuration changes at each switch.
    assertThat(decoded[0].frames()).as("decoded video frames").isEqualTo(decoded[0].packets());
    assertThat(decoded[1].frames()).as("decoded audio frames").isEqualTo(decoded[1].packets());
    // Sources are 25 fps and the hold stream 5 fps; leave room for a loaded machine where
    // ffmpeg runs slower than real time.
    assertThat(decoded[0].frames()).as("video frames").isGreaterThan((int) (seconds * 8));
    // AAC frames are 1024 samples at 48 kHz.
    assertThat(decoded[1].frames()).as("audio frames")
        .isGreaterThan((int) (seconds * 48000 / 1024 * 0.6));
    return seconds;
  }

  private void awaitEndedPublishSessions(int n) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (nginx.endedPublishSessions() < n && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
  }

  private void awaitEvents(int n, int timeoutSeconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (events.size() < n && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  @Test
  void keepsOnePublishSessionAcrossSourceChangesAndPause() throws Exception {
    nginx = NginxRtmpServer.start();
    List<Long> streamTimes = new ArrayList<>();
    double published;
    try (RtmpCall call = newCall(nginx.liveUrl(), false)) {
      published = publishScenario(call, streamTimes);
      call.close();
    }
    awaitEndedPublishSessions(1);
    awaitEvents(2, 5);

    assertThat(events).containsExactly("CONNECTED", "CLOSED");
    assertThat(eventThreads).containsOnly("dispatcher");
    assertThat(streamTimes).isSorted();
    assertThat(streamTimes.get(streamTimes.size() - 1)).isBetween(19000L, 21000L);
    assertThat(checkRecording(nginx.recording(KEY))).isBetween(published - 1, published + 1);
    // Continuous: the hold stream (5 fps) covers the pause and every ffmpeg start-up.
    TestMedia.Probe probe = TestMedia.probe(nginx.recording(KEY));
    assertThat(probe.maxGapSeconds("video")).isLessThan(0.35);
    assertThat(probe.maxGapSeconds("audio")).isLessThan(0.35);
    assertThat(nginx.startedPublishSessions()).isEqualTo(1);
    assertThat(nginx.endedPublishSessions()).isEqualTo(1);
  }

  @Test
  void ffmpegFallbackPublishesTheSameScenarioWithOneSessionPerSpawn() throws Exception {
    nginx = NginxRtmpServer.start(Recording.FILE_PER_SESSION);
    List<Long> streamTimes = new ArrayList<>();
    double published;
    try (RtmpCall call = newCall(nginx.liveUrl(), true)) {
      published = publishScenario(call, streamTimes);
    }
    awaitEndedPublishSessions(4);
    awaitEvents(2, 5);

    assertThat(events).containsExactly("CONNECTED", "CLOSED");
    assertThat(streamTimes).isSorted();
    // A, B, B after resume, C: four sessions; nothing is sent during the 3 s pause and each
    // respawn loses ffmpeg's start-up time (up to about 1 s each).
    assertThat(nginx.startedPublishSessions()).isEqualTo(4);
    List<Path> recordings = nginx.recordings();
    assertThat(recordings).hasSize(4);
    double recorded = 0;
    for (Path recording : recordings) {
      recorded += checkRecording(recording);
    }
    assertThat(recorded).isBetween(published - 3 - 4, published - 3 + 1);
  }

  @Test
  void reconnectsAfterTheConnectionDropsAndContinuesAtThePosition() throws Exception {
    nginx = NginxRtmpServer.start();
    try (DroppingProxy proxy = new DroppingProxy(nginx.port());
        RtmpCall call = newCall("rtmp://127.0.0.1:" + proxy.port() + "/live", false)) {
      call.start();
      long t0 = System.nanoTime();
      call.setSource(a);
      sleepUntil(t0, 4000);
      long positionBeforeDrop = call.positionMillis();
      long streamTimeBeforeDrop = call.streamTimeMillis();
      assertThat(positionBeforeDrop).isGreaterThan(2000L);
      proxy.dropAll();

      awaitEvents(3, 10);
      assertThat(events).containsExactly("CONNECTED", "CONNECTING", "CONNECTED");
      assertThat(proxy.accepted()).isEqualTo(2);
      long positionAfter = call.positionMillis();
      assertThat(positionAfter).isBetween(positionBeforeDrop, positionBeforeDrop + 3000);
      sleepUntil(t0, 9000);
      assertThat(call.positionMillis()).isGreaterThan(positionAfter + 2000);
      assertThat(call.streamTimeMillis()).isGreaterThan(streamTimeBeforeDrop + 2000);
    }
    awaitEvents(4, 5);
    assertThat(events).containsExactly("CONNECTED", "CONNECTING", "CONNECTED", "CLOSED");
    assertThat(eventThreads).containsOnly("dispatcher");
    awaitEndedPublishSessions(2);
    assertThat(nginx.startedPublishSessions()).isEqualTo(2);
    TestMedia.Probe probe = TestMedia.probe(nginx.recording(KEY));
    assertThat(probe.dts("video")).isSorted();
    assertThat(probe.dts("audio")).isSorted();
  }

  @Test
  void startFailsWithRtmpExceptionWhenTheIngestIsUnreachableAndReportsNoEvent() throws Exception {
    int closedPort;
    try (ServerSocket probe = new ServerSocket(0)) {
      closedPort = probe.getLocalPort();
    }
    try (RtmpCall call = newCall("rtmp://127.0.0.1:" + closedPort + "/live", false)) {
      assertThatThrownBy(call::start)
          .isInstanceOf(RtmpException.class);
      assertThatThrownBy(() -> call.setSource(a))
          .isInstanceOf(NotConnectedException.class);
    }
    dispatcher.submit(() -> { }).get(5, TimeUnit.SECONDS); // every posted event has run
    // the caller has the exception; a CLOSED with no CONNECTED before it would only confuse
    assertThat(events).isEmpty();
  }

  @Test
  void reportsFailedOnceAfterTheLastReconnectAttempt() throws Exception {
    nginx = NginxRtmpServer.start();
    try (RtmpCall call = newCall(nginx.liveUrl(), false)) {
      call.start();
      call.setSource(a);
      Thread.sleep(2000);
      nginx.close();

      // 5 attempts after 0.2, 0.4, 0.8, 1.6 and 2 s of backoff.
      awaitEvents(3, 20);
      assertThat(events).containsExactly("CONNECTED", "CONNECTING", "FAILED");
      assertThatThrownBy(() -> call.setSource(b))
          .isInstanceOf(NotConnectedException.class);
    }
    awaitEvents(4, 5);
    assertThat(events).containsExactly("CONNECTED", "CONNECTING", "FAILED", "CLOSED");
  }

  @Test
  void seeksAndReportsStreamEndOnceWhenTheSourceRunsOut() throws Exception {
    nginx = NginxRtmpServer.start();
    try (RtmpCall call = newCall(nginx.liveUrl(), false)) {
      call.start();
      call.setSource(a);
      Thread.sleep(1000);
      call.seek(9000);
      assertThat(call.positionMillis()).isEqualTo(9000);
      Thread.sleep(1500);
      assertThat(call.positionMillis()).isBetween(9000L, 11000L);

      awaitEvents(2, 10);
      assertThat(events).containsExactly("CONNECTED", "END null");
      long streamTimeAtEnd = call.streamTimeMillis();
      Thread.sleep(1000);
      // The hold stream keeps the session alive after the source ended.
      assertThat(call.streamTimeMillis()).isGreaterThan(streamTimeAtEnd + 500);
    }
    awaitEvents(3, 5);
    assertThat(events).containsExactly("CONNECTED", "END null", "CLOSED");
    awaitEndedPublishSessions(1);
    assertThat(nginx.startedPublishSessions()).isEqualTo(1);
  }

  @Test
  void reportsAFailingSourceAsStreamEndWithTheFfmpegError() throws Exception {
    nginx = NginxRtmpServer.start();
    int closedPort;
    try (ServerSocket probe = new ServerSocket(0)) {
      closedPort = probe.getLocalPort();
    }
    try (RtmpCall call = newCall(nginx.liveUrl(), false)) {
      call.start();
      call.setSource(MediaSource.url("http://127.0.0.1:" + closedPort + "/missing.mp4"));
      awaitEvents(2, 10);
    }
    awaitEvents(3, 5);
    assertThat(events).hasSize(3);
    assertThat(events.get(1)).startsWith("END org.tgcalls4j.FfmpegCrashedException");
    assertThat(events.get(2)).isEqualTo("CLOSED");
  }

  @Test
  void aDirectoryIsRefusedAsASourceBeforeAnythingStarts(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    try (RtmpCall call = newCall("rtmp://127.0.0.1:1/live", false)) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> call.setSource(MediaSource.file(dir)))
          .isInstanceOfSatisfying(org.tgcalls4j.InvalidParamsException.class,
              e -> assertThat(e.field()).isEqualTo("source.path"));
    }
    assertThat(events).isEmpty();
  }

  @Test
  void pushedPcmAndMixesAreRefusedBeforeAnythingStarts() throws Exception {
    MediaSource pcm = MediaSource.pcm(org.tgcalls4j.PcmPushSource.create(1, 100,
        org.tgcalls4j.PcmPushSource.WhenEmpty.NOTHING));
    try (RtmpCall call = newCall("rtmp://127.0.0.1:1/live", false)) {
      for (MediaSource source : List.of(pcm, MediaSource.mix(MediaSource.MixInput.of(pcm, 1)))) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> call.setSource(source))
            .isInstanceOfSatisfying(org.tgcalls4j.InvalidParamsException.class,
                e -> assertThat(e.field()).isEqualTo("source"));
      }
    }
    assertThat(events).isEmpty();
  }
}
