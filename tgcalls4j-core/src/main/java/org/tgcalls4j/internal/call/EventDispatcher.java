package org.tgcalls4j.internal.call;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tgcalls4j.internal.logging.LogContext;

/**
 * The client's one dispatcher thread for lifecycle events (state changes, stream ends): events
 * run in the order they were posted, each with its call's MDC. A listener that throws is logged
 * and the next event still runs. Listener calls ({@link #post}) are bounded
 * ({@link #DEFAULT_CAPACITY} waiting at most): when a listener blocks so long that more wait, the
 * oldest waiting listener call is dropped, counted and logged, so a stuck listener costs events,
 * never memory or the posting threads. The client's own work queued through {@link #executor()}
 * (bookkeeping that must happen, such as removing a finished stream) is never dropped. High-rate
 * data (received audio, levels) must not go through this thread.
 */
public final class EventDispatcher {
  private static final Logger log = LoggerFactory.getLogger(EventDispatcher.class);
  /** Listener calls waiting at most before the oldest is dropped. */
  public static final int DEFAULT_CAPACITY = 4096;

  private final ExecutorService executor;
  private final int capacity;
  /** Listener calls posted and not yet started, oldest first; guarded by itself. */
  private final ArrayDeque<ListenerCall> waiting = new ArrayDeque<>();
  private final AtomicLong dropped = new AtomicLong();
  private volatile Thread thread;

  /** @param threads makes the dispatcher thread (named {@code tgcalls4j-events}) */
  public EventDispatcher(ThreadFactory threads) {
    this(threads, DEFAULT_CAPACITY);
  }

  /**
   * @param threads makes the dispatcher thread (named {@code tgcalls4j-events})
   * @param capacity listener calls waiting at most, at least 1
   */
  public EventDispatcher(ThreadFactory threads, int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
    }
    this.capacity = capacity;
    this.executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = threads.newThread(r);
      t.setName("tgcalls4j-events");
      t.setDaemon(true);
      thread = t;
      return t;
    });
  }

  /** One listener call; skipped if it was dropped while waiting. */
  private final class ListenerCall implements Runnable {
    private final Map<String, String> logContext;
    private final Runnable call;
    private boolean dropped; // guarded by waiting

    ListenerCall(Map<String, String> logContext, Runnable call) {
      this.logContext = logContext;
      this.call = call;
    }

    @Override
    public void run() {
      synchronized (waiting) {
        if (dropped) {
          return;
        }
        waiting.pollFirst(); // listener calls start in order: this one is the oldest waiting
      }
      LogContext.run(logContext, () -> deliver(call));
    }
  }

  /** @return listener calls dropped because too many were waiting */
  public long droppedEvents() {
    return dropped.get();
  }

  /**
   * Queues one listener call; when {@code capacity} calls already wait, the oldest of them is
   * dropped (counted, logged at the 1st, 2nd, 4th, 8th, ... drop).
   *
   * @param logContext the call's MDC entries, set while the listener runs
   * @param listenerCall what to run; a {@link RuntimeException} from it is logged and contained
   */
  public void post(Map<String, String> logContext, Runnable listenerCall) {
    ListenerCall task = new ListenerCall(logContext, listenerCall);
    synchronized (waiting) {
      waiting.addLast(task);
      if (waiting.size() > capacity) {
        waiting.pollFirst().dropped = true;
        long n = dropped.incrementAndGet();
        if (Long.bitCount(n) == 1) { // 1, 2, 4, 8, ...: a stuck listener does not flood the log
          log.warn("a listener is blocking the event thread: {} event(s) dropped so far, oldest"
              + " first (at most {} wait)", n, capacity);
        }
      }
    }
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      synchronized (waiting) {
        waiting.remove(task);
      }
      log.debug("event after the client closed, not delivered");
    }
  }

  /**
   * @return an executor that runs the client's own tasks on the dispatcher thread, in order with
   *     the listener calls, contained, and never dropped
   */
  public java.util.concurrent.Executor executor() {
    return task -> {
      try {
        executor.execute(() -> deliver(task));
      } catch (RejectedExecutionException e) {
        log.debug("task after the client closed, not run");
      }
    };
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
