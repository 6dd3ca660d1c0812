package org.tgcalls4j.internal.pacing;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.LockSupport;

/**
 * The one thread of a client that wakes its event loops for pacing: it sleeps until the earliest
 * slot any {@link PacingWheel} has a task in, then has each wheel whose slot is due ticked on its
 * loop. A dedicated sleeper, as netty's own {@code HashedWheelTimer} has, because a netty NIO loop
 * waits on its selector with millisecond granularity and spins through the last half millisecond
 * before every scheduled task: a 1 ms tick scheduled on the loop itself cost about 7 % of a core
 * per loop even with nothing to send, this thread about 2 % at 1,000 wake-ups a second and
 * nothing while no call is due. Its wake-ups are {@link LockSupport#parkNanos} (about 0.1 ms late
 * on average on a 2-core Linux VM).
 *
 * <p>Threads: its own, named {@code tgcalls4j-pacing}; wheels register from their loops and
 * {@link #reschedule} from any thread.
 */
public final class PacingTicker implements AutoCloseable {
  private final List<PacingWheel> wheels = new CopyOnWriteArrayList<>();
  private final Thread thread;
  /**
   * When the thread means to wake next, {@link System#nanoTime()}; {@link Long#MAX_VALUE} while it
   * scans the wheels or sleeps without a deadline, so that any wheel that gains an earlier slot
   * wakes it.
   */
  private volatile long plannedWakeNanos = Long.MAX_VALUE;
  private volatile boolean closed;

  private PacingTicker(ThreadFactory threads) {
    this.thread = threads.newThread(this::run);
    thread.setName("tgcalls4j-pacing");
    thread.setDaemon(true);
  }

  /**
   * @param threads makes the ticker's thread
   * @return the started ticker
   */
  public static PacingTicker start(ThreadFactory threads) {
    PacingTicker ticker = new PacingTicker(Objects.requireNonNull(threads, "threads"));
    ticker.thread.start();
    return ticker;
  }

  void register(PacingWheel wheel) {
    wheels.add(wheel);
    LockSupport.unpark(thread);
  }

  /**
   * Tells the ticker that a wheel's next slot is now {@code dueNanos}; wakes it if it planned to
   * sleep past that.
   */
  void reschedule(long dueNanos) {
    if (dueNanos < plannedWakeNanos) {
      LockSupport.unpark(thread);
    }
  }

  private void run() {
    while (!closed) {
      plannedWakeNanos = Long.MAX_VALUE; // a wheel changing while we scan wakes us again
      long now = System.nanoTime();
      long next = Long.MAX_VALUE;
      for (PacingWheel wheel : wheels) {
        long due = wheel.nextDueNanos();
        if (due <= now) {
          wheel.requestTick(); // its loop ticks it, then reports its next slot
        } else {
          next = Math.min(next, due);
        }
      }
      plannedWakeNanos = next;
      if (next == Long.MAX_VALUE) {
        LockSupport.park(this);
      } else {
        LockSupport.parkNanos(this, next - System.nanoTime());
      }
    }
  }

  /** Stops the thread; the wheels are no longer ticked. Idempotent. */
  @Override
  public void close() {
    closed = true;
    LockSupport.unpark(thread);
    if (Thread.currentThread() != thread) {
      try {
        thread.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
