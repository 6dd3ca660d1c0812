package org.tgcalls4j.internal.transport;

import io.netty.channel.IoEventLoop;
import java.util.concurrent.RejectedExecutionException;

/** Running work on a call's event loop from any thread, the same way everywhere. */
public final class Loops {
  private Loops() {}

  /**
   * Runs {@code task} on {@code loop}: at once when called on it, else queued behind what the loop
   * already has.
   *
   * @return false if the task was dropped because the loops are stopping
   */
  public static boolean execute(IoEventLoop loop, Runnable task) {
    if (loop.inEventLoop()) {
      task.run();
      return true;
    }
    try {
      loop.execute(task);
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  /**
   * Runs {@code task} on {@code loop} and waits up to {@code timeoutMillis} ms for it (at once when
   * called on the loop), so that nothing the task stops runs after this returns; does nothing when
   * the loops are stopping (they run nothing more).
   */
  public static void runAndWait(IoEventLoop loop, Runnable task, long timeoutMillis) {
    if (loop.inEventLoop()) {
      task.run();
    } else if (!loop.isShuttingDown()) {
      try {
        loop.submit(task).awaitUninterruptibly(timeoutMillis);
      } catch (RejectedExecutionException e) {
        // stopping meanwhile
      }
    }
  }
}
