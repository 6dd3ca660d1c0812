package org.tgcalls4j.internal.pacing;

import java.util.concurrent.locks.LockSupport;

/** Blocks the calling thread until an absolute deadline on a {@link NanoClock}; injectable for tests. */
@FunctionalInterface
public interface Sleeper {

  /**
   * Returns once the clock has reached {@code deadlineNanos}; returns at once if it already has.
   *
   * @param deadlineNanos absolute time on the clock this sleeper was built for
   * @throws InterruptedException if the thread is interrupted while waiting (the flag is cleared)
   */
  void sleepUntil(long deadlineNanos) throws InterruptedException;

  /**
   * A sleeper that parks with {@link LockSupport#parkNanos(long)} in a loop until {@code clock}
   * reaches the deadline, since a park may return early (spuriously or on unpark).
   *
   * @param clock the clock deadlines are read against, normally {@link NanoClock#SYSTEM}
   * @return the sleeper; usable from any thread
   */
  static Sleeper parking(NanoClock clock) {
    return deadlineNanos -> {
      long remaining;
      while ((remaining = deadlineNanos - clock.nanoTime()) > 0) {
        LockSupport.parkNanos(remaining);
        if (Thread.interrupted()) {
          throw new InterruptedException();
        }
      }
    };
  }
}
