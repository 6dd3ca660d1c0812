package org.tgcalls4j.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.tgcalls4j.ConnectionState;
import org.tgcalls4j.GroupCall;
import org.tgcalls4j.MediaSource;
import org.tgcalls4j.NetworkOptions;
import org.tgcalls4j.TgCalls;
import org.tgcalls4j.VideoStats;
import org.tgcalls4j.testsfu.TestSfu;
import org.tgcalls4j.testsfu.VideoRecording;

/**
 * Issue 11's churn item: 100 group calls with camera video through one client, at most 4 at once,
 * each to its own test SFU. Every call connects, sends a keyframe and a few more frames that the
 * SFU reassembles, and is stopped while its ffmpeg is still encoding. Afterwards nothing may be
 * left over: no call thread (read-ahead of the Ogg and the IVF, ffmpeg stderr pump; a video call
 * has no sender thread, which each call checks while it sends), no thread beyond the
 * client's fixed ones, no bound socket (the call's UDP socket, the two loopback TCP listeners of
 * its ffmpeg), no file descriptor beyond a small slack, no child process, no reachable call.
 */
@ExtendWith(LeakCheck.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class VideoChurnIT {
  private static final int CALLS = 100;
  private static final int AT_ONCE = 4;
  private static final int WARM_UP = AT_ONCE;
  /** Video frames each call sends before it stops: a keyframe and then some. */
  private static final int FRAMES_PER_CALL = 5;
  private static final int CLIP_SECONDS = 3;
  private static final int FD_SLACK = 16;

  @TempDir Path dir;
  private TgCalls calls;
  private final AtomicInteger closed = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private final AtomicInteger streamEnds = new AtomicInteger();
  private final AtomicLong maxFfmpeg = new AtomicLong();

  @AfterEach
  void tearDown() {
    if (calls != null) {
      calls.close();
    }
  }

  /** A short lavfi test pattern with a tone, H.264 + PCM in Matroska. */
  private Path clip(String name, String pattern, int toneHz) throws Exception {
    return Media.clip(dir, name, pattern, "160x120", 30, toneHz, CLIP_SECONDS);
  }

  @Test
  void aHundredVideoCallsLeaveNoThreadSocketProcessOrCallBehind() throws Exception {
    Path[] clips = {clip("a.mkv", "testsrc", 440), clip("b.mkv", "testsrc2", 660)};
    // the listeners keep no reference to a call: only counts
    calls = TgCalls.builder()
        .networkOptions(NetworkOptions.loopbackOnly())
        .connectTimeout(Duration.ofSeconds(20))
        .connectionListener((chat, state, cause) -> {
          if (state == ConnectionState.CLOSED) {
            closed.incrementAndGet();
          } else if (state == ConnectionState.FAILED) {
            failed.incrementAndGet();
          }
        })
        .streamListener((chat, error) -> streamEnds.incrementAndGet())
        .build();
    List<WeakReference<Object>> refs = Collections.synchronizedList(new ArrayList<>());
    List<VideoStats> sent = Collections.synchronizedList(new ArrayList<>());
    AtomicLong chatIds = new AtomicLong();
    ExecutorService workers = Executors.newFixedThreadPool(AT_ONCE, r -> {
      Thread t = new Thread(r, "video-churn-worker");
      t.setDaemon(true);
      return t;
    });
    try {
      // warm-up: classes loaded, event loops and pools at their working size
      runCalls(workers, WARM_UP, chatIds, clips, new ArrayList<>(), new ArrayList<>());
      ProcessResources.awaitNoCallThreads();
      System.gc();
      long baselineFds = ProcessResources.openFileDescriptors();
      List<String> baselineBound = Sockets.boundInet();
      Map<String, Long> baselineThreads = ProcessResources.clientThreadsByKind();
      System.out.printf("video churn: fds before %d (%s), bound %s, threads %s%n", baselineFds,
          ProcessResources.fdKinds(), baselineBound, baselineThreads);

      long start = System.nanoTime();
      runCalls(workers, CALLS, chatIds, clips, refs, sent);
      long wallMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      System.out.printf("video churn: %d calls with video, %d at a time, in %d ms (%d ms per call);"
          + " at most %d ffmpeg processes at once%n", CALLS, AT_ONCE, wallMillis, wallMillis / CALLS,
          maxFfmpeg.get());

      assertThat(failed.get()).as("calls that failed").isZero();
      assertThat(sent).hasSize(CALLS);
      assertThat(sent).allSatisfy(s -> {
        assertThat(s.framesSent()).isGreaterThanOrEqualTo(FRAMES_PER_CALL);
        assertThat(s.keyFramesSent()).isGreaterThanOrEqualTo(1);
        assertThat(s.packetsSent()).isGreaterThanOrEqualTo(FRAMES_PER_CALL);
      });
      assertThat(streamEnds.get()).as("stream ends: every call was stopped before its clip ended")
          .isZero();
      await("every CLOSED delivered").atMost(Duration.ofSeconds(10))
          .until(() -> closed.get() == WARM_UP + CALLS);
      assertThat(calls.calls()).as("calls the client still lists").isEmpty();
      ProcessResources.awaitNoCallThreads();
      await("thread counts back to the start").atMost(Duration.ofSeconds(10)).untilAsserted(
          () -> assertThat(ProcessResources.clientThreadsByKind()).isEqualTo(baselineThreads));
      assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
          .map(p -> p.pid() + " " + p.info().command().orElse("?")).toList())
          .as("child processes (ffmpeg)").isEmpty();
      // bound sockets before any GC: ours are bound from creation to close, so a leaked UDP socket
      // or ffmpeg listener would still be listed (see ChurnIT for the test SFU's unbound ones)
      await("bound sockets back to the start").atMost(Duration.ofSeconds(10)).untilAsserted(
          () -> assertThat(Sockets.boundInet()).as("bound sockets, %s before", baselineBound)
              .hasSizeLessThanOrEqualTo(baselineBound.size()));
      await("file descriptors back to the start").atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            System.gc();
            assertThat(ProcessResources.openFileDescriptors())
                .withFailMessage(() -> "open fds grew from " + baselineFds + ": " + ProcessResources.fdKinds())
                .isLessThanOrEqualTo(baselineFds + FD_SLACK);
          });
      System.out.printf("video churn: fds %d before, %d after (%s); bound sockets %s before, %s"
          + " after; client threads %s%n", baselineFds, ProcessResources.openFileDescriptors(), ProcessResources.fdKinds(),
          baselineBound, Sockets.boundInet(), ProcessResources.clientThreadsByKind());

      assertThat(refs).hasSize(CALLS);
      await("every call collected").atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            System.gc();
            assertThat(refs.stream().filter(r -> r.get() != null).count())
                .as("calls still reachable").isZero();
          });
    } finally {
      workers.shutdownNow();
      workers.awaitTermination(30, TimeUnit.SECONDS);
    }
  }

  private void runCalls(ExecutorService workers, int count, AtomicLong chatIds, Path[] clips,
      List<WeakReference<Object>> refs, List<VideoStats> sent) throws Exception {
    List<Future<?>> done = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long chat = chatIds.incrementAndGet();
      Path clip = clips[(int) (chat % clips.length)];
      done.add(workers.submit(() -> {
        sent.add(oneCall(chat, clip, refs));
        return null;
      }));
    }
    for (Future<?> f : done) {
      f.get(60, TimeUnit.SECONDS); // a failing call fails the test with its cause
    }
  }

  private VideoStats oneCall(long chat, Path clip, List<WeakReference<Object>> refs)
      throws Exception {
    try (TestSfu sfu = TestSfu.start(TestSfu.Options.defaults())) {
      GroupCall call = calls.createGroupCall(chat);
      refs.add(new WeakReference<>(call));
      try {
        call.setSource(MediaSource.withVideo(MediaSource.file(clip)));
        call.connect(sfu.answer(call.joinJson()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (call.videoStats().framesSent() < FRAMES_PER_CALL
            || call.videoStats().keyFramesSent() < 1
            || sfu.recording().video().framesCompleted() < 1) {
          assertThat(System.nanoTime()).as("chat %d: video sent %s, received %s", chat,
              call.videoStats(), sfu.recording().video()).isLessThan(deadline);
          Thread.sleep(10);
        }
        maxFfmpeg.accumulateAndGet(ProcessResources.ffmpegChildren(), Math::max);
        // the video is paced on the call's event loop: no sender thread per video call
        assertThat(ProcessResources.threadNames()).as("chat %d: video sender threads", chat)
            .noneMatch(n -> n.startsWith("tgcalls4j-video"));
        VideoRecording received = sfu.recording().video();
        assertThat(received.videoSsrc()).isEqualTo(call.audioSsrc() + 1);
        assertThat(received.payloadTypeSeen()).isEqualTo(100);
        return call.videoStats();
      } finally {
        call.stop();
      }
    }
  }
}
