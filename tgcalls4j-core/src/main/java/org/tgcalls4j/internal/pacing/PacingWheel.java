package org.tgcalls4j.internal.pacing;

import io.netty.channel.IoEventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The pacing of one event loop: a wheel of 1 ms slots turned by one periodic tick, releasing every
 * {@link Paced} task whose deadline is due. A task is a node of its slot's list, so scheduling,
 * running and rescheduling allocate nothing; only the tick itself is a (reused) netty scheduled
 * task, running while the wheel holds a task.
 *
 * <p>A task due at time {@code d} runs at the first tick at or after {@code d}, rounded up to the
 * next whole millisecond: up to 1 ms plus the tick's own lateness after its deadline, never before.
 * Deadlines more than {@link #SLOTS} ms ahead stay in their slot for later turns of the wheel.
 *
 * <p>Thread: the loop's own. {@link #schedule} and {@link #cancel} must be called on it.
 */
public final class PacingWheel {
  /** Slots of 1 ms: a 20 ms audio frame or a 33 ms video frame lands within one turn. */
  static final int SLOTS = 64;
  private static final long SLOT_NANOS = 1_000_000L;
  private static final FastThreadLocal<PacingWheel> WHEELS = new FastThreadLocal<>();

  /** A task on the wheel: the loop calls {@link #onDue} when its deadline has come. */
  public abstract static class Paced {
    private Paced next;
    private Paced previous;
    private PacingWheel wheel;
    private long deadlineNanos;
    private int slot = -1;

    /**
     * Runs the task; on the loop.
     *
     * @param nowNanos the current time on the wheel's clock
     * @return the next deadline (a time in the future; one not after {@code nowNanos} runs at the
     *     next tick), or {@link Long#MAX_VALUE} to leave the wheel
     */
    protected abstract long onDue(long nowNanos);

    /** @return whether the task is on a wheel */
    public final boolean isScheduled() {
      return slot >= 0;
    }
  }

  private final IoEventLoop loop;
  private final LongSupplier clock;
  private final Paced[] heads = new Paced[SLOTS];
  private final Runnable tick = this::tick;
  private ScheduledFuture<?> ticking;
  private int size;
  /** The last slot time (ms on the clock) whose tasks were run. */
  private long lastTickMillis;

  PacingWheel(IoEventLoop loop, LongSupplier clock) {
    this.loop = loop;
    this.clock = clock;
    this.lastTickMillis = clock.getAsLong() / SLOT_NANOS;
  }

  /**
   * @param loop the calling loop
   * @return that loop's wheel, made on first use
   * @throws IllegalStateException if not called on {@code loop}
   */
  public static PacingWheel of(IoEventLoop loop) {
    if (!loop.inEventLoop()) {
      throw new IllegalStateException("a pacing wheel is used from its loop only");
    }
    PacingWheel wheel = WHEELS.get();
    if (wheel == null) {
      wheel = new PacingWheel(loop, System::nanoTime);
      WHEELS.set(wheel);
    }
    return wheel;
  }

  /**
   * Puts a task on the wheel, or moves it if it is already on it.
   *
   * @param task the task
   * @param deadlineNanos when it is due, on {@link System#nanoTime()}'s clock
   */
  public void schedule(Paced task, long deadlineNanos) {
    if (task.slot >= 0) {
      remove(task);
    }
    insert(task, deadlineNanos);
  }

  /** Takes a task off the wheel; nothing if it is not on it. */
  public void cancel(Paced task) {
    if (task.slot >= 0 && task.wheel == this) {
      remove(task);
    }
  }

  /** @return how many tasks are on the wheel */
  public int size() {
    return size;
  }

  private void insert(Paced task, long deadlineNanos) {
    long lastNanos = lastTickMillis * SLOT_NANOS;
    // a deadline already passed runs at the next tick
    long slotMillis = Math.max(lastTickMillis + 1, Math.floorDiv(deadlineNanos + SLOT_NANOS - 1, SLOT_NANOS));
    int slot = (int) Math.floorMod(slotMillis, (long) SLOTS);
    task.deadlineNanos = Math.max(deadlineNanos, lastNanos);
    task.slot = slot;
    task.wheel = this;
    task.previous = null;
    task.next = heads[slot];
    if (task.next != null) {
      task.next.previous = task;
    }
    heads[slot] = task;
    if (size++ == 0 && ticking == null) {
      ticking = loop.scheduleAtFixedRate(tick, SLOT_NANOS, SLOT_NANOS, TimeUnit.NANOSECONDS);
    }
  }

  private void remove(Paced task) {
    if (task.previous != null) {
      task.previous.next = task.next;
    } else {
      heads[task.slot] = task.next;
    }
    if (task.next != null) {
      task.next.previous = task.previous;
    }
    task.next = null;
    task.previous = null;
    task.slot = -1;
    task.wheel = null;
    size--;
  }

  /** Runs the slots from the last tick up to now (each slot once at most, after a long stall). */
  void tick() {
    long now = clock.getAsLong();
    long nowMillis = now / SLOT_NANOS;
    long first = nowMillis - lastTickMillis > SLOTS ? nowMillis - SLOTS + 1 : lastTickMillis + 1;
    lastTickMillis = Math.max(lastTickMillis, nowMillis);
    for (long millis = first; millis <= nowMillis; millis++) {
      runSlot((int) Math.floorMod(millis, (long) SLOTS), now);
    }
    if (size == 0 && ticking != null) {
      ticking.cancel(false);
      ticking = null;
    }
  }

  private void runSlot(int slot, long now) {
    Paced task = heads[slot];
    while (task != null) {
      Paced following = task.next;
      if (task.deadlineNanos <= now) {
        remove(task);
        long next;
        try {
          next = task.onDue(now);
        } catch (RuntimeException e) {
          next = Long.MAX_VALUE; // the task reports its own failures; a throwing one leaves
        }
        if (next != Long.MAX_VALUE && task.slot < 0) {
          insert(task, next); // lands in a later slot: lastTickMillis is already now
        }
      }
      task = following;
    }
  }
}
