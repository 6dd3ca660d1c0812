package org.tgcalls4j.internal.pacing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class PacerTest {
  private static final long START = 5_000_000_000L;
  private static final long FRAME_NANOS = 20_000_000L;

  private static long mediaTime(long frame) {
    return MediaClock.samplesToNanos(frame * 960, 48_000);
  }

  @Test
  void deadlinesStayExactlyOnTheMediaGridDespiteVariableSendTime() throws InterruptedException {
    FakeTime time = new FakeTime(START);
    PacingLateness lateness = new PacingLateness();
    Pacer pacer = new Pacer(time, time, lateness);
    pacer.start(time.nanoTime());
    Random sendTime = new Random(1);
    List<Long> releases = new ArrayList<>();

    for (int n = 0; n < 1000; n++) {
      pacer.awaitMediaTime(mediaTime(n));
      releases.add(time.nanoTime());
      time.nowNanos += sendTime.nextInt(19_000_000); // encoding + sending: 0..19 ms
    }

    for (int n = 0; n < 1000; n++) {
      assertThat(releases.get(n)).as("frame %d", n).isEqualTo(START + n * FRAME_NANOS);
    }
    assertThat(time.sleepDeadlines).hasSize(999); // frame 0 is due at once
    for (int n = 1; n < 1000; n++) {
      assertThat(time.sleepDeadlines.get(n - 1)).as("deadline %d", n).isEqualTo(START + n * FRAME_NANOS);
    }
    assertThat(pacer.lateCount()).isZero();
    assertThat(lateness.snapshot().overloadRestarts()).isZero();
  }

  @Test
  void catchesUpAfterAShortStallWithoutMovingLaterDeadlines() throws InterruptedException {
    FakeTime time = new FakeTime(START);
    PacingLateness lateness = new PacingLateness();
    Pacer pacer = new Pacer(time, time, lateness);
    pacer.start(START);
    List<Long> releases = new ArrayList<>();

    for (int n = 0; n < 10; n++) {
      pacer.awaitMediaTime(mediaTime(n));
      releases.add(time.nanoTime());
      if (n == 2) {
        time.advanceMillis(50); // one 50 ms stall, below the 200 ms rebase threshold
      }
    }

    assertThat(releases).containsExactly(
        START, START + 20_000_000, START + 40_000_000,
        START + 90_000_000, START + 90_000_000, // frames 3 and 4 were due at 60 and 80 ms: sent at once
        START + 100_000_000, START + 120_000_000, START + 140_000_000, START + 160_000_000, START + 180_000_000);
    assertThat(pacer.lateCount()).isEqualTo(2);
    assertThat(pacer.maxLatenessNanos()).isEqualTo(30_000_000);
    assertThat(lateness.snapshot().overloadRestarts()).isZero();
  }

  @Test
  void rebasesInsteadOfBurstingAfterALongStall() throws InterruptedException {
    FakeTime time = new FakeTime(START);
    PacingLateness lateness = new PacingLateness();
    Pacer pacer = new Pacer(time, time, lateness);
    pacer.start(START);
    List<Long> releases = new ArrayList<>();

    for (int n = 0; n < 6; n++) {
      pacer.awaitMediaTime(mediaTime(n));
      releases.add(time.nanoTime());
      if (n == 1) {
        time.advanceMillis(500);
      }
    }

    // frame 2 was due at 40 ms and is 480 ms late: it goes out at 520 ms and the grid moves with it
    assertThat(releases).containsExactly(
        START, START + 20_000_000,
        START + 520_000_000, START + 540_000_000, START + 560_000_000, START + 580_000_000);
    assertThat(pacer.startNanos()).isEqualTo(START + 480_000_000);
    assertThat(lateness.snapshot().overloadRestarts()).isEqualTo(1);
    assertThat(pacer.lateCount()).isEqualTo(1);
    assertThat(pacer.maxLatenessNanos()).isEqualTo(480_000_000);
  }

  @Test
  void aDroppedFrameKeepsTheStartAndTheLimitIsTheRebaseThresholdToo() {
    FakeTime time = new FakeTime(START);
    PacingLateness lateness = new PacingLateness();
    Pacer pacer = new Pacer(time, time, lateness, 50_000_000L);
    pacer.start(START);
    time.advanceMillis(100); // frames 0..5 were due at 0..100 ms

    assertThat(pacer.isBeyondLimit(mediaTime(2), time.nanoTime())).as("60 ms late").isTrue();
    assertThat(pacer.isBeyondLimit(mediaTime(3), time.nanoTime())).as("exactly 50 ms late").isFalse();
    pacer.dropped(mediaTime(0), time.nanoTime());
    pacer.dropped(mediaTime(1), time.nanoTime());
    pacer.dropped(mediaTime(2), time.nanoTime());
    assertThat(pacer.startNanos()).isEqualTo(START);
    pacer.released(mediaTime(3), time.nanoTime());
    assertThat(lateness.snapshot().overloadRestarts()).isZero();
    pacer.released(mediaTime(0), time.nanoTime() + 1); // 100 ms late, released: a rebase at 50 ms
    assertThat(lateness.snapshot().overloadRestarts()).isEqualTo(1);
    org.tgcalls4j.PacingStats stats = lateness.snapshot();
    assertThat(stats.framesDroppedLate()).isEqualTo(3);
    assertThat(stats.framesPaced()).as("released frames only").isEqualTo(2);
    assertThat(stats.overloadRestarts()).isEqualTo(1);
  }

  @Test
  void refusesToWaitBeforeStart() {
    FakeTime time = new FakeTime(0);
    Pacer pacer = new Pacer(time, time);

    assertThatThrownBy(() -> pacer.awaitMediaTime(0)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void convertsSamplesToNanosExactly() {
    assertThat(MediaClock.samplesToNanos(960, 48_000)).isEqualTo(20_000_000);
    assertThat(MediaClock.samplesToNanos(1, 48_000)).as("20833.3 ns, rounded down").isEqualTo(20_833);
    // 100 hours at 48 kHz: no overflow of samples * 1e9
    assertThat(MediaClock.samplesToNanos(48_000L * 3600 * 100, 48_000)).isEqualTo(TimeUnit.HOURS.toNanos(100));
  }

  @Test
  @Timeout(10)
  void parkingSleeperReturnsNoEarlierThanTheDeadline() throws InterruptedException {
    Sleeper sleeper = Sleeper.parking(NanoClock.SYSTEM);
    long deadline = System.nanoTime() + 30_000_000;

    sleeper.sleepUntil(deadline);

    assertThat(System.nanoTime()).isGreaterThanOrEqualTo(deadline);
  }

  @Test
  @Timeout(10)
  void parkingSleeperThrowsWhenInterrupted() {
    Sleeper sleeper = Sleeper.parking(NanoClock.SYSTEM);
    Thread.currentThread().interrupt();

    assertThatThrownBy(() -> sleeper.sleepUntil(System.nanoTime() + 5_000_000_000L))
        .isInstanceOf(InterruptedException.class);
    assertThat(Thread.interrupted()).as("flag cleared").isFalse();
  }

  @Test
  void latenessOfEveryReleaseGoesIntoTheHistogram() throws InterruptedException {
    FakeTime time = new FakeTime(START) {
      @Override
      public void sleepUntil(long deadlineNanos) {
        super.sleepUntil(deadlineNanos + 300_000L); // every wake-up 300 µs late
      }
    };
    PacingLateness lateness = new PacingLateness();
    Pacer pacer = new Pacer(time, time, lateness);
    pacer.start(START);
    for (int n = 0; n < 100; n++) {
      pacer.awaitMediaTime(mediaTime(n));
      if (n == 50) {
        time.advanceMillis(25); // one 25 ms stall: the next frame goes out 5.3 ms late
      }
      if (n == 80) {
        time.advanceMillis(250); // a stall beyond 200 ms: pacing restarts from it
      }
    }
    org.tgcalls4j.PacingStats stats = lateness.snapshot();
    assertThat(stats.framesPaced()).isEqualTo(100);
    assertThat(stats.latenessP50Micros()).isBetween(297L, 303L); // 2 significant digits
    assertThat(stats.latenessMaxMicros()).isBetween(230_000L, 250_500L);
    assertThat(stats.latenessP99Micros()).isBetween(5_250L, 5_350L);
    assertThat(stats.overloadRestarts()).isEqualTo(1);
  }
}
