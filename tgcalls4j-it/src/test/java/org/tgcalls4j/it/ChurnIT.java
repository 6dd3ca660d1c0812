package org.tgcalls4j.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.ref.WeakReference;
import java.lang.reflect.Method;
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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.tgcalls4j.ConnectionState;
import org.tgcalls4j.GroupCall;
import org.tgcalls4j.MediaSource;
import org.tgcalls4j.NetworkOptions;
import org.tgcalls4j.TgCalls;
import org.tgcalls4j.testsfu.TestSfu;

/**
 * Hundreds of calls through one client, a few at a time, alternating an Ogg/Opus source (read
 * directly) and a WAV source (transcoded by ffmpeg); each connects to its own test SFU, streams
 * briefly and stops. Afterwards nothing may have accumulated: per-call threads, file descriptors,
 * child processes, or a call (or its session) still reachable.
 */
@Tag("slow")
@ExtendWith(LeakCheck.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ChurnIT {
  private static final int CALLS = 500;
  private static final int AT_ONCE = 4;
  private static final int WARM_UP = 2 * AT_ONCE;
  /** 20 ms frames each call sends before it stops (~100 ms of audio). */
  private static final int FRAMES_PER_CALL = 5;
  private static final int FD_SLACK = 16;

  @TempDir Path dir;
  private TgCalls calls;
  private final AtomicInteger closed = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private final AtomicInteger streamEnds = new AtomicInteger();

  @AfterEach
  void tearDown() {
    if (calls != null) {
      calls.close();
    }
  }

  @Test
  void fiveHundredCallsLeaveNoThreadDescriptorProcessOrCallBehind() throws Exception {
    Path ogg = Media.tone(dir, "tone.ogg", 440, 2);
    Path wav = Media.tone(dir, "tone.wav", 660, 2);
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
    Method sessionOf = GroupCall.class.getDeclaredMethod("session");
    sessionOf.setAccessible(true); // the class path, not the module path: the session is reachable
    List<WeakReference<Object>> refs = Collections.synchronizedList(new ArrayList<>());
    AtomicLong chatIds = new AtomicLong();
    ExecutorService workers = Executors.newFixedThreadPool(AT_ONCE, r -> {
      Thread t = new Thread(r, "churn-worker");
      t.setDaemon(true);
      return t;
    });
    try {
      // warm-up: classes loaded, jars opened, pools at their working size
      runCalls(workers, WARM_UP, chatIds, ogg, wav, sessionOf, new ArrayList<>());
      ProcessResources.awaitNoCallThreads();
      System.gc();
      long baselineFds = ProcessResources.openFileDescriptors();
      List<String> baselineBound = Sockets.boundInet();
      Map<String, Long> baselineThreads = ProcessResources.clientThreadsByKind();
      System.out.printf("churn: fds before %d (%s)%n", baselineFds, ProcessResources.fdKinds());

      long start = System.nanoTime();
      runCalls(workers, CALLS, chatIds, ogg, wav, sessionOf, refs);
      long wallMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      System.out.printf("churn: %d calls, %d at a time, in %d ms (%d ms per call)%n", CALLS, AT_ONCE,
          wallMillis, wallMillis / CALLS);

      assertThat(failed.get()).as("calls that failed").isZero();
      await("every CLOSED delivered").atMost(Duration.ofSeconds(10))
          .until(() -> closed.get() == WARM_UP + CALLS);
      assertThat(calls.calls()).as("calls the client still lists").isEmpty();
      ProcessResources.awaitNoCallThreads();
      await("thread counts back to the start").atMost(Duration.ofSeconds(10)).untilAsserted(
          () -> assertThat(ProcessResources.clientThreadsByKind()).isEqualTo(baselineThreads));
      assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count())
          .as("child processes").isZero();
      // Bound sockets first, before any GC: every socket of ours is bound from creation to close
      // (UdpTransport binds at once), so one leaked by the library would still be listed here.
      await("bound sockets back to the start").atMost(Duration.ofSeconds(10)).untilAsserted(
          () -> assertThat(Sockets.boundInet()).as("bound sockets, %s before", baselineBound)
              .hasSizeLessThanOrEqualTo(baselineBound.size()));
      // Then all descriptors, after a GC: the test SFU's ice4j leaves one unbound placeholder
      // socket per connection open (MultiplexedDatagramSocket extends DatagramSocket, which the
      // constructor makes with a real socket, and its close() never closes it) until the JDK's
      // Cleaner closes it when the object is collected.
      await("file descriptors back to the start").atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            System.gc();
            assertThat(ProcessResources.openFileDescriptors())
                .withFailMessage(() -> "open fds grew from " + baselineFds + ": " + ProcessResources.fdKinds())
                .isLessThanOrEqualTo(baselineFds + FD_SLACK);
          });
      assertThat(ProcessResources.controlThreads()).as("control pool threads")
          .isLessThanOrEqualTo(Math.max(8, 2 * Runtime.getRuntime().availableProcessors()));
      System.out.printf("churn: fds %d before, %d after (%s); bound sockets %s before, %s after;"
          + " client threads %s + %d control%n", baselineFds, ProcessResources.openFileDescriptors(), ProcessResources.fdKinds(),
          baselineBound, Sockets.boundInet(), ProcessResources.clientThreadsByKind(), ProcessResources.controlThreads());

      assertThat(refs).hasSize(2 * CALLS);
      await("every call and session collected").atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            System.gc();
            assertThat(refs.stream().filter(r -> r.get() != null).count())
                .as("calls and sessions still reachable").isZero();
          });
    } finally {
      workers.shutdownNow();
      workers.awaitTermination(30, TimeUnit.SECONDS);
    }
  }

  private void runCalls(ExecutorService workers, int count, AtomicLong chatIds, Path ogg, Path wav,
      Method sessionOf, List<WeakReference<Object>> refs) throws Exception {
    List<Future<?>> done = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long chat = chatIds.incrementAndGet();
      Path source = chat % 2 == 0 ? ogg : wav;
      done.add(workers.submit(() -> {
        oneCall(chat, source, sessionOf, refs);
        return null;
      }));
    }
    for (Future<?> f : done) {
      f.get(60, TimeUnit.SECONDS); // a failing call fails the test with its cause
    }
  }

  private void oneCall(long chat, Path source, Method sessionOf, List<WeakReference<Object>> refs)
      throws Exception {
    try (TestSfu sfu = TestSfu.start(TestSfu.Options.defaults())) {
      GroupCall call = calls.createGroupCall(chat);
      refs.add(new WeakReference<>(call));
      refs.add(new WeakReference<>(sessionOf.invoke(call)));
      try {
        call.setSource(MediaSource.file(source));
        call.connect(sfu.answer(call.joinJson()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (call.stats().packetsSent() < FRAMES_PER_CALL) {
          assertThat(System.nanoTime()).as("chat %d sends its first frames", chat).isLessThan(deadline);
          Thread.sleep(10);
        }
      } finally {
        call.stop();
      }
    }
  }
}
