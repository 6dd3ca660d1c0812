package org.tgcalls4j.internal.pacing;

import io.netty.channel.IoEventLoop;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * The pacing of one event loop: a wheel of 1 ms slots, releasing every {@link Paced} task whose
 * deadline is due. A task is a node of its slot's list, so scheduling, running and rescheduling
 * allocate nothing. The client's {@link PacingTicker} wakes the loop when the earliest non-empty
 * slot is due (a reused task object is posted to the loop), so a loop with nothing to send is not
 * woken at all.
 *
 * <p>A task due at time {@code d} runs at the first tick at or after {@code d} rounded up to the
 * next whole millisecond: up to 1 ms plus the ticker's and the loop's wake-up after its deadline,
 * never before. Deadlines more than {@link #SLOTS} ms ahead stay in their slot for later turns.
 *
 * <p>Thread: the loop's own; {@link #schedule} and {@link #cancel} throw elsewhere.
 */
public final class PacingWheel {
  /** Slots of 1 ms: a 20 ms audio frame or a 33 ms video frame lands within one turn. */
  static final int SLOTS = 64;
  private static final long SLOT_NANOS = 1_000_000L;

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
  private final PacingTicker ticker;
  private final Paced[] heads = new Paced[SLOTS];
  /** Posted to the loop by the ticker; one object for the wheel's life. */
  private final Runnable tickTask = this::onTickRequested;
  private final AtomicBoolean tickQueued = new AtomicBoolean();
  /** Clock time of the earliest slot holding a task (never later), or MAX_VALUE; for the ticker. */
  private volatile long nextDueNanos = Long.MAX_VALUE;
  private int size;
  /** The last slot time (ms on the clock) whose tasks were run. */
  private long lastTickMillis;

  /**
   * @param loop the loop whose tasks this wheel paces
   * @param clock {@link System#nanoTime()}, or a test's clock
   * @param ticker wakes the loop when a slot is due, or null (a test calls {@link #tick()})
   */
  PacingWheel(IoEventLoop loop, LongSupplier clock, PacingTicker ticker) {
    this.loop = loop;
    this.clock = clock;
    this.ticker = ticker;
    this.lastTickMillis = clock.getAsLong() / SLOT_NANOS;
  }

  /**
   * Makes the wheel of a loop, woken by {@code ticker}.
   *
   * @param loop the loop
   * @param ticker the client's ticker
   * @return the registered wheel
   */
  public static PacingWheel start(IoEventLoop loop, PacingTicker ticker) {
    PacingWheel wheel = new PacingWheel(loop, System::nanoTime, ticker);
    ticker.register(wheel);
    return wheel;
  }

  /** @return the loop this wheel belongs to */
  public IoEventLoop loop() {
    return loop;
  }

  /**
   * Puts a task on the wheel, or moves it if it is already on it.
   *
   * @param task the task
   * @param deadlineNanos when it is due, on {@link System#nanoTime()}'s clock
   * @throws IllegalStateException if not called on the wheel's loop
   */
  public void schedule(Paced task, long deadlineNanos) {
    checkLoop();
    if (task.slot >= 0) {
      remove(task);
    }
    insert(task, deadlineNanos);
  }

  /**
   * Takes a task off the wheel; nothing if it is not on it.
   *
   * @throws IllegalStateException if not called on the wheel's loop
   */
  public void cancel(Paced task) {
    checkLoop();
    if (task.slot >= 0 && task.wheel == this) {
      remove(task);
    }
  }

  private void checkLoop() {
    if (!loop.inEventLoop()) {
      throw new IllegalStateException("a pacing wheel is used from its loop only");
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
    size++;
    long slotNanos = slotMillis * SLOT_NANOS;
    if (slotNanos < nextDueNanos) {
      nextDueNanos = slotNanos;
      if (ticker != null) {
        ticker.reschedule(slotNanos);
      }
    }
  }

  /** @return the clock time of the earliest slot holding a task (never later), or MAX_VALUE */
  long nextDueNanos() {
    return nextDueNanos;
  }

  /** Called by the ticker (its thread) when {@link #nextDueNanos()} has come: ticks on the loop. */
  void requestTick() {
    if (tickQueued.compareAndSet(false, true)) {
      try {
        loop.execute(tickTask);
      } catch (RejectedExecutionException e) {
        // the loops are stopping
      }
    }
  }

  private void onTickRequested() {
    tickQueued.set(false);
    tick();
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
    long next = Long.MAX_VALUE;
    for (long millis = lastTickMillis + 1; size > 0 && millis <= lastTickMillis + SLOTS; millis++) {
      if (heads[(int) Math.floorMod(millis, (long) SLOTS)] != null) {
        next = millis * SLOT_NANOS;
        break;
      }
    }
    nextDueNanos = next;
    if (ticker != null && next != Long.MAX_VALUE) {
      ticker.reschedule(next);
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
