package org.tgcalls4j.internal.audio;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one client-wide thread ({@value #THREAD_NAME}) that decodes and delivers received audio:
 * every 20 ms, on absolute deadlines, it pulls every registered {@link Receiver} (one per call).
 * Threads are O(1) per client, never per call. The thread starts with the first
 * {@link #register} and ends with {@link #close}.
 *
 * <p>If a tick runs late by more than 200 ms (a stalled machine or a slow listener) the schedule
 * restarts from now instead of bursting to catch up. Exceptions from a receiver are logged and
 * contained. Thread-safe.
 */
public final class AudioReceiveScheduler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AudioReceiveScheduler.class);
  /** The thread's name. */
  public static final String THREAD_NAME = "tgcalls4j-audio-in";
  private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  private static final long MAX_LAG_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

  /** Something pulled every tick. */
  public interface Receiver {
    /**
     * Decode and deliver what is due; on the scheduler thread.
     *
     * @param nowMillis {@link System#nanoTime()} in ms
     */
    void pull(long nowMillis);
  }

  private final ThreadFactory threads;
  private final CopyOnWriteArrayList<Receiver> receivers = new CopyOnWriteArrayList<>();
  private final Object lock = new Object();
  private Thread thread; // guarded by lock
  private volatile boolean closed;

  /** @param threads makes the one thread, lazily */
  public AudioReceiveScheduler(ThreadFactory threads) {
    this.threads = threads;
  }

  /**
   * Pulls {@code receiver} every tick from now on; starts the thread if needed.
   *
   * @param receiver the receiver; registering it twice has no further effect
   * @return false if the scheduler is closed (nothing registered)
   */
  public boolean register(Receiver receiver) {
    synchronized (lock) {
      if (closed) {
        return false;
      }
      receivers.addIfAbsent(receiver);
      if (thread == null) {
        Thread t = threads.newThread(this::run);
        t.setName(THREAD_NAME);
        t.setDaemon(true);
        thread = t;
        t.start();
      }
      return true;
    }
  }

  /** @param receiver stops being pulled (a pull in progress finishes) */
  public void unregister(Receiver receiver) {
    receivers.remove(receiver);
  }

  /** @return whether the thread was started and has not been stopped */
  public boolean running() {
    synchronized (lock) {
      return thread != null && thread.isAlive();
    }
  }

  private void run() {
    long next = System.nanoTime();
    while (!closed) {
      long now = System.nanoTime();
      long nowMillis = TimeUnit.NANOSECONDS.toMillis(now);
      for (Receiver r : receivers) {
        try {
          r.pull(nowMillis);
        } catch (RuntimeException | Error e) {
          if (e instanceof VirtualMachineError) {
            throw (Error) e;
          }
          log.warn("receiving audio failed; the call goes on", e);
        }
      }
      next += TICK_NANOS;
      now = System.nanoTime();
      if (now - next > MAX_LAG_NANOS) {
        next = now;
      }
      while (!closed && next - System.nanoTime() > 0) {
        LockSupport.parkNanos(this, next - System.nanoTime());
      }
    }
  }

  /** Stops the thread (waits up to 1 s for it unless called on it); idempotent. */
  @Override
  public void close() {
    Thread t;
    synchronized (lock) {
      closed = true;
      t = thread;
    }
    receivers.clear();
    if (t != null && t != Thread.currentThread()) {
      LockSupport.unpark(t);
      try {
        t.join(1_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
