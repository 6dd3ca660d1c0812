package org.tgcalls4j.internal.call;

import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tgcalls4j.internal.logging.LogContext;

/**
 * The client's one dispatcher thread for lifecycle events (state changes, stream ends): events
 * run in the order they were posted, each with its call's MDC. A listener that throws is logged
 * and the next event still runs. The queue is bounded ({@link #DEFAULT_CAPACITY} events): when a
 * listener blocks so long that it fills up, the oldest queued event is dropped, counted and
 * logged, so a stuck listener costs events, never memory or the posting threads. High-rate data
 * (received audio, levels) must not go through this queue.
 */
public final class EventDispatcher {
  private static final Logger log = LoggerFactory.getLogger(EventDispatcher.class);
  /** Events queued at most before the oldest is dropped. */
  public static final int DEFAULT_CAPACITY = 4096;

  private final ThreadPoolExecutor executor;
  private final AtomicLong dropped = new AtomicLong();
  private volatile Thread thread;

  /** @param threads makes the dispatcher thread (named {@code tgcalls4j-events}) */
  public EventDispatcher(ThreadFactory threads) {
    this(threads, DEFAULT_CAPACITY);
  }

  /**
   * @param threads makes the dispatcher thread (named {@code tgcalls4j-events})
   * @param capacity events queued at most, at least 1
   */
  public EventDispatcher(ThreadFactory threads, int capacity) {
    this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(capacity), r -> {
          Thread t = threads.newThread(r);
          t.setName("tgcalls4j-events");
          t.setDaemon(true);
          thread = t;
          return t;
        }, (task, pool) -> dropOldest(task, pool));
  }

  /** The queue is full: the oldest event makes room for {@code task}. */
  private void dropOldest(Runnable task, ThreadPoolExecutor pool) {
    if (pool.isShutdown()) {
      throw new RejectedExecutionException("closed");
    }
    if (pool.getQueue().poll() != null) {
      long n = dropped.incrementAndGet();
      if (Long.bitCount(n) == 1) { // 1, 2, 4, 8, ...: a stuck listener does not flood the log
        log.warn("a listener is blocking the event thread: {} event(s) dropped so far, oldest"
            + " first (queue of {})", n, pool.getQueue().remainingCapacity() + pool.getQueue().size());
      }
    }
    pool.execute(task);
  }

  /** @return events dropped because the queue was full */
  public long droppedEvents() {
    return dropped.get();
  }

  /**
   * Queues one listener call.
   *
   * @param logContext the call's MDC entries, set while the listener runs
   * @param listenerCall what to run; a {@link RuntimeException} from it is logged and contained
   */
  public void post(Map<String, String> logContext, Runnable listenerCall) {
    try {
      executor.execute(() -> LogContext.run(logContext, () -> deliver(listenerCall)));
    } catch (RejectedExecutionException e) {
      log.debug("event after the client closed, not delivered");
    }
  }

  /** @return an executor that runs tasks on the dispatcher thread, in order, contained */
  public java.util.concurrent.Executor executor() {
    return task -> post(Map.of(), task);
  }

  /** @return whether the calling thread is the dispatcher thread */
  public boolean isDispatcherThread() {
    return Thread.currentThread() == thread;
  }

  /**
   * Stops taking events and waits for the queued ones to run, unless called on the dispatcher
   * thread (then they run after the caller returns).
   *
   * @param timeoutMillis longest wait, ms; events still queued then are dropped
   */
  public void close(long timeoutMillis) {
    executor.shutdown();
    if (isDispatcherThread()) {
      return;
    }
    try {
      if (!executor.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private static void deliver(Runnable listenerCall) {
    try {
      listenerCall.run();
    } catch (RuntimeException e) {
      log.warn("listener threw; later events are still delivered", e);
    }
  }
}
