package org.tgcalls4j.internal.pacing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.IoEventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tgcalls4j.internal.transport.EventLoops;

/**
 * The wheel on a real loop, driven by a manual clock: the test calls {@code tick()} on the loop
 * itself (the wheel's own periodic tick also runs, but finds the manual clock unchanged).
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class PacingWheelTest {
  private static final long MS = 1_000_000L;
  private static final EventLoops LOOPS = EventLoops.start(1, Thread::new);
  private final IoEventLoop loop = LOOPS.next();
  private final AtomicLong clock = new AtomicLong(1_000 * MS);
  private final PacingWheel wheel = onLoop(() -> new PacingWheel(loop, clock::get, null));

  @AfterAll
  static void stopLoops() {
    LOOPS.close();
  }

  /** Records when it ran; its next deadline comes from {@code next} (MAX_VALUE: leave). */
  private static final class Recorder extends PacingWheel.Paced {
    final List<Long> ranAt = new ArrayList<>();
    final LongUnaryOperator next;

    Recorder(LongUnaryOperator next) {
      this.next = next;
    }

    @Override
    protected long onDue(long nowNanos) {
      ranAt.add(nowNanos);
      return next.applyAsLong(nowNanos);
    }
  }

  private static Recorder once() {
    return new Recorder(now -> Long.MAX_VALUE);
  }

  private <T> T onLoop(Callable<T> work) {
    try {
      return loop.submit(work).get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private void schedule(PacingWheel.Paced task, long deadline) {
    onLoop(() -> {
      wheel.schedule(task, deadline);
      return null;
    });
  }

  /** Moves the manual clock to {@code to} in steps of {@code stepNanos}, ticking at each. */
  private void advance(long to, long stepNanos) {
    while (clock.get() < to) {
      clock.set(Math.min(to, clock.get() + stepNanos));
      onLoop(() -> {
        wheel.tick();
        return null;
      });
    }
  }

  @Test
  void aTaskRunsAtTheFirstWholeMillisecondAtOrAfterItsDeadlineNeverBefore() {
    long start = clock.get();
    Recorder task = once();
    schedule(task, start + 5 * MS + 300_000);

    advance(start + 5 * MS + 900_000, 100_000);
    assertThat(task.ranAt).isEmpty();
    advance(start + 6 * MS, 100_000);

    assertThat(task.ranAt).containsExactly(start + 6 * MS);
    assertThat(onLoop(wheel::size)).isZero();
  }

  @Test
  void aTaskThatReschedulesItselfRunsOnItsDeadlinesWithoutDrift() {
    long start = clock.get();
    long[] deadline = {start + 20 * MS};
    Recorder task = new Recorder(now -> deadline[0] += 20 * MS);
    schedule(task, deadline[0]);

    advance(start + 101 * MS, MS);

    assertThat(task.ranAt).containsExactly(start + 20 * MS, start + 40 * MS, start + 60 * MS,
        start + 80 * MS, start + 100 * MS);
  }

  @Test
  void aDeadlineMoreThanOneTurnAheadWaitsForItsTurnOfTheWheel() {
    long start = clock.get();
    Recorder task = once();
    schedule(task, start + (PacingWheel.SLOTS * 2 + 22) * MS);

    advance(start + (PacingWheel.SLOTS * 2 + 21) * MS, MS);
    assertThat(task.ranAt).isEmpty();
    advance(start + (PacingWheel.SLOTS * 2 + 22) * MS, MS);

    assertThat(task.ranAt).hasSize(1);
  }

  @Test
  void afterAStallEveryDueTaskRunsOnceAndAnAlreadyPassedDeadlineRunsAtTheNextTick() {
    long start = clock.get();
    Recorder a = once();
    Recorder b = once();
    Recorder c = once();
    schedule(a, start + 10 * MS);
    schedule(b, start + 30 * MS);
    schedule(c, start + 50 * MS);

    clock.set(start + 500 * MS); // a stall of half a second: one tick
    onLoop(() -> {
      wheel.tick();
      return null;
    });
    assertThat(a.ranAt).containsExactly(start + 500 * MS);
    assertThat(b.ranAt).containsExactly(start + 500 * MS);
    assertThat(c.ranAt).containsExactly(start + 500 * MS);

    Recorder late = once();
    schedule(late, start); // long passed
    advance(start + 501 * MS, MS);
    assertThat(late.ranAt).containsExactly(start + 501 * MS);
  }

  @Test
  void aCancelledTaskNeverRunsAndARescheduledOneRunsOnlyAtItsNewDeadline() {
    long start = clock.get();
    Recorder cancelled = once();
    Recorder moved = once();
    schedule(cancelled, start + 3 * MS);
    schedule(moved, start + 3 * MS);
    schedule(moved, start + 7 * MS);
    onLoop(() -> {
      wheel.cancel(cancelled);
      return null;
    });
    assertThat(onLoop(wheel::size)).isEqualTo(1);

    advance(start + 10 * MS, MS);

    assertThat(cancelled.ranAt).isEmpty();
    assertThat(moved.ranAt).containsExactly(start + 7 * MS);
  }

  @Test
  void aTaskThatThrowsLeavesTheWheelAndTheOthersInItsSlotStillRun() {
    long start = clock.get();
    Recorder thrower = new Recorder(now -> {
      throw new IllegalStateException("a bug in one call");
    });
    Recorder other = once();
    schedule(thrower, start + 2 * MS);
    schedule(other, start + 2 * MS);

    advance(start + 2 * MS, MS);

    assertThat(thrower.ranAt).hasSize(1);
    assertThat(other.ranAt).hasSize(1);
    assertThat(onLoop(wheel::size)).isZero();
  }

  @Test
  void theWheelIsUsedFromItsOwnLoopOnly() {
    assertThatThrownBy(() -> wheel.schedule(once(), clock.get()))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> wheel.cancel(once())).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void theTickerWakesTheLoopAtTheSlotOfTheEarliestTaskAndNotBefore() throws Exception {
    java.util.concurrent.BlockingQueue<Long> ran = new java.util.concurrent.LinkedBlockingQueue<>();
    PacingWheel real = LOOPS.wheel(loop);
    long[] deadlines = new long[3];
    onLoop(() -> {
      long now = System.nanoTime();
      for (int i = 0; i < deadlines.length; i++) {
        deadlines[i] = now + (30 + 40 * i) * MS;
        long deadline = deadlines[i];
        real.schedule(new PacingWheel.Paced() {
          @Override
          protected long onDue(long nowNanos) {
            ran.add(System.nanoTime() - deadline);
            return Long.MAX_VALUE;
          }
        }, deadline);
      }
      return null;
    });
    for (int i = 0; i < deadlines.length; i++) {
      Long lateNanos = ran.poll(2, TimeUnit.SECONDS);
      assertThat(lateNanos).as("task %d ran", i).isNotNull();
      // never early; late by the slot's rounding (< 1 ms) plus two wake-ups on a busy machine
      assertThat(lateNanos).isBetween(0L, 50 * MS);
    }
    assertThat(onLoop(real::size)).isZero();
  }
}
