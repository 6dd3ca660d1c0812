package org.tgcalls4j.internal.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tgcalls4j.FfmpegCrashedException;
import org.tgcalls4j.InvalidParamsException;
import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.internal.pacing.NanoClock;
import org.tgcalls4j.internal.pacing.Pacer;
import org.tgcalls4j.internal.pacing.Sleeper;

/**
 * The hub behind a shared source, driven without its reader thread (frames published by the test)
 * and, for pacing, with its reader on a simulated clock.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class SharedFrameHubTest {

  /** A 20 ms CELT packet (TOC 0xF8: config 31, code 0) whose second byte numbers it. */
  private static byte[] frame(int n) {
    return new byte[] {(byte) 0xF8, (byte) n};
  }

  private static int number(byte[] frame) {
    return frame[1] & 0xFF;
  }

  /** A source of {@code frames}, then its end; counts closes. */
  private static final class FakeSource implements OpusFrameSource {
    final Deque<byte[]> frames = new ArrayDeque<>();
    final AtomicInteger closes = new AtomicInteger();
    TgCallsException endError;

    @Override
    public byte[] nextFrame() {
      return frames.poll();
    }

    @Override
    public TgCallsException endError() {
      return endError;
    }

    @Override
    public void close() {
      closes.incrementAndGet();
    }
  }

  private final FakeSource source = new FakeSource();
  private final AtomicInteger onClosed = new AtomicInteger();

  /** A hub without a reader thread and the default lateness limit (200 ms): the test publishes. */
  private SharedFrameHub manualHub() {
    return manualHub(Pacer.REBASE_THRESHOLD_NANOS);
  }

  private SharedFrameHub manualHub(long latenessLimitNanos) {
    return new SharedFrameHub(source, () -> 0, deadline -> { }, latenessLimitNanos, null,
        h -> onClosed.incrementAndGet());
  }

  @Test
  void aViewStartsAtTheLiveFrameNotTheFirst() throws Exception {
    SharedFrameHub hub = manualHub();
    for (int i = 1; i <= 5; i++) {
      hub.publish(frame(i));
    }
    OpusFrameSource view = hub.subscribe();
    hub.publish(frame(6));

    assertThat(number(view.nextFrame())).isEqualTo(6);
  }

  @Test
  void viewsReadEveryFrameInOrderIndependently() throws Exception {
    SharedFrameHub hub = manualHub();
    OpusFrameSource a = hub.subscribe();
    OpusFrameSource b = hub.subscribe();
    List<Integer> readA = new ArrayList<>();
    List<Integer> readB = new ArrayList<>();
    for (int i = 1; i <= 30; i++) {
      hub.publish(frame(i));
      readA.add(number(a.nextFrame()));
      if (i % 3 == 0) { // b reads in bursts of three, within the lag limit
        for (int k = 0; k < 3; k++) {
          readB.add(number(b.nextFrame()));
        }
      }
    }
    assertThat(readA).hasSize(30).isSorted().doesNotHaveDuplicates();
    assertThat(readB).isEqualTo(readA);
    assertThat(hub.skippedFrames()).isZero();
  }

  @Test
  void everyReaderGetsThePublishedFrameWithoutACopy() throws Exception {
    SharedFrameHub hub = manualHub();
    OpusFrameSource a = hub.subscribe();
    OpusFrameSource b = hub.subscribe();
    byte[] published = frame(7);
    hub.publish(published);
    // readers never write to a frame (OpusFrameSource#nextFrame): no array per call and frame
    assertThat(a.nextFrame()).isSameAs(published);
    assertThat(b.nextFrame()).isSameAs(published);
  }

  @Test
  void aViewWithinTheLagLimitCatchesUpFrameByFrame() throws Exception {
    SharedFrameHub hub = manualHub();
    OpusFrameSource view = hub.subscribe();
    assertThat(hub.maxLagFrames()).as("200 ms of 20 ms frames").isEqualTo(10);
    for (int i = 1; i <= 10; i++) {
      hub.publish(frame(i));
    }
    for (int i = 1; i <= 10; i++) {
      assertThat(number(view.nextFrame())).isEqualTo(i);
    }
    assertThat(hub.skippedFrames()).isZero();
  }

  @Test
  void theLagLimitFollowsTheClientsLatenessLimit() throws Exception {
    SharedFrameHub patient = manualHub(1_000_000_000L); // 1 s: 50 frames
    OpusFrameSource slow = patient.subscribe();
    for (int i = 1; i <= 50; i++) {
      patient.publish(frame(i));
    }
    assertThat(number(slow.nextFrame())).as("50 behind: caught up frame by frame").isEqualTo(1);
    assertThat(patient.skippedFrames()).isZero();
    for (int i = 51; i <= 52; i++) {
      patient.publish(frame(i));
    }
    assertThat(number(slow.nextFrame())).as("51 behind: live").isEqualTo(52);
    assertThat(patient.skippedFrames()).isEqualTo(50);

    SharedFrameHub strict = manualHub(Pacer.MIN_LATENESS_LIMIT_NANOS); // 20 ms: one frame
    OpusFrameSource view = strict.subscribe();
    strict.publish(frame(1));
    strict.publish(frame(2));
    assertThat(number(view.nextFrame())).as("two behind: live").isEqualTo(2);
    assertThat(strict.skippedFrames()).isEqualTo(1);
  }

  @Test
  void aViewTooFarBehindJumpsToTheNewestFrameAndCountsTheSkip() throws Exception {
    SharedFrameHub hub = manualHub();
    OpusFrameSource view = hub.subscribe();
    for (int i = 1; i <= 40; i++) { // a paused call: 800 ms, more than the ring holds
      hub.publish(frame(i));
    }

    assertThat(number(view.nextFrame())).isEqualTo(40);
    assertThat(hub.skippedFrames()).isEqualTo(39);
    hub.publish(frame(41));
    assertThat(number(view.nextFrame())).isEqualTo(41);
  }

  @Test
  void aSkippedSlotIsPassedOnAsNothing() throws Exception {
    SharedFrameHub hub = manualHub();
    OpusFrameSource view = hub.subscribe();
    hub.publish(OpusFrameSource.NOTHING);
    assertThat(view.nextFrame()).isEmpty();
  }

  @Test
  void theEndReachesEveryViewAfterTheFramesAlreadyPublished() throws Exception {
    SharedFrameHub hub = manualHub();
    OpusFrameSource a = hub.subscribe();
    OpusFrameSource b = hub.subscribe();
    hub.publish(frame(1));
    hub.publish(frame(2));
    FfmpegCrashedException crash = new FfmpegCrashedException(1, "boom");
    hub.end(crash);

    for (OpusFrameSource view : List.of(a, b)) {
      assertThat(number(view.nextFrame())).isEqualTo(1);
      assertThat(number(view.nextFrame())).isEqualTo(2);
      assertThat(view.nextFrame()).isNull();
      assertThat(view.nextFrame()).as("stays ended").isNull();
      assertThat(view.endError()).isSameAs(crash);
    }
    assertThatThrownBy(hub::subscribe).isInstanceOfSatisfying(InvalidParamsException.class,
        e -> assertThat(e.field()).isEqualTo("source"));
  }

  @Test
  void theLastViewToLeaveClosesTheHubAndItsSource() throws Exception {
    SharedFrameHub hub = manualHub();
    OpusFrameSource a = hub.subscribe();
    OpusFrameSource b = hub.subscribe();
    assertThat(hub.subscribers()).isEqualTo(2);

    a.close();
    a.close(); // idempotent: must not count as b leaving
    assertThat(hub.isClosed()).isFalse();
    assertThat(source.closes.get()).isZero();
    assertThat(hub.subscribers()).isEqualTo(1);

    b.close();
    assertThat(hub.isClosed()).isTrue();
    assertThat(source.closes.get()).isEqualTo(1);
    assertThat(onClosed.get()).isEqualTo(1);
    assertThatThrownBy(hub::subscribe).isInstanceOfSatisfying(InvalidParamsException.class,
        e -> assertThat(e.getMessage()).contains("closed"));
  }

  @Test
  void aHubNobodyJoinedYetStaysOpen() throws Exception {
    SharedFrameHub hub = manualHub();
    hub.publish(frame(1));
    assertThat(hub.isClosed()).isFalse();
    OpusFrameSource late = hub.subscribe();
    hub.publish(frame(2));
    assertThat(number(late.nextFrame())).isEqualTo(2);
  }

  @Test
  void closeEndsABlockedViewWithoutAnError() throws Exception {
    SharedFrameHub hub = manualHub();
    OpusFrameSource view = hub.subscribe();
    AtomicReference<Object> got = new AtomicReference<>();
    Thread reader = new Thread(() -> {
      try {
        got.set(view.nextFrame() == null ? "null" : "frame");
      } catch (IOException e) {
        got.set(e);
      }
    });
    reader.start();
    Thread.sleep(100);
    assertThat(reader.isAlive()).as("blocked waiting for a frame").isTrue();

    hub.close();
    reader.join(2000);
    assertThat(reader.isAlive()).isFalse();
    assertThat(got.get()).isEqualTo("null");
    assertThat(view.endError()).isNull();
    assertThat(source.closes.get()).isEqualTo(1);
    hub.close();
    assertThat(onClosed.get()).as("closed once").isEqualTo(1);
  }

  @Test
  void theReaderPacesFramesOnMediaTimeAndClosesAtTheEndWhenNobodyListens() throws Exception {
    AtomicLong now = new AtomicLong(1_000_000_000L);
    List<Long> deadlines = new ArrayList<>();
    NanoClock clock = now::get;
    Sleeper sleeper = deadline -> {
      synchronized (deadlines) {
        deadlines.add(deadline - 1_000_000_000L);
      }
      now.set(deadline);
    };
    for (int i = 1; i <= 5; i++) {
      source.frames.add(frame(i));
    }
    source.frames.add(OpusFrameSource.NOTHING); // a skipped slot lasts 20 ms too
    source.frames.add(frame(7));
    SharedFrameHub hub = new SharedFrameHub(source, clock, sleeper, Pacer.REBASE_THRESHOLD_NANOS,
        Thread::new,
        h -> onClosed.incrementAndGet());
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (!hub.isEnded() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(hub.isEnded()).isTrue();
      assertThat(hub.published()).isEqualTo(7);
      assertThat(hub.positionMillis()).isEqualTo(140);
      synchronized (deadlines) { // the first frame goes out at once, the others 20 ms apart
        assertThat(deadlines).containsExactly(20_000_000L, 40_000_000L, 60_000_000L, 80_000_000L,
            100_000_000L, 120_000_000L);
      }
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      while (source.closes.get() == 0 && System.nanoTime() < until) {
        Thread.sleep(5);
      }
      assertThat(source.closes.get()).as("released at its end").isPositive();
      long closedBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      while (onClosed.get() == 0 && System.nanoTime() < closedBy) {
        Thread.sleep(5);
      }
      assertThat(hub.isClosed()).as("an ended source nobody plays is closed").isTrue();
      assertThat(onClosed.get()).isEqualTo(1);
    } finally {
      hub.close();
    }
  }
}
