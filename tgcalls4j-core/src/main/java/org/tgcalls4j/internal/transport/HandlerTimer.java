package org.tgcalls4j.internal.transport;

import io.netty.channel.IoEventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link UdpTransport.Handler}'s timers on its loop: after every batch of datagrams and
 * every task ({@link #rearm()}), and when the time the handler last returned comes. The scheduled
 * task is replaced only when that time moves earlier, so a datagram that leaves the timers alone
 * schedules nothing. Loop only.
 */
final class HandlerTimer {
  private static final Logger log = LoggerFactory.getLogger(HandlerTimer.class);
  /** Timers are polled at least this often even when the handler has none due. */
  private static final long IDLE_TIMER_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final IoEventLoop loop;
  private final AtomicLong failures;
  private final Runnable due = this::onDue;
  private UdpTransport.Handler handler;
  private ScheduledFuture<?> timer;
  private long timerAtNanos = Long.MAX_VALUE;
  private boolean stopped;

  /**
   * @param loop the loop the handler runs on
   * @param failures counts callbacks that threw
   */
  HandlerTimer(IoEventLoop loop, AtomicLong failures) {
    this.loop = loop;
    this.failures = failures;
  }

  /** @param handler whose {@code onTimer} is run from now on; loop only */
  void setHandler(UdpTransport.Handler handler) {
    this.handler = handler;
  }

  /** Runs a posted task on the loop (one that throws is counted), then the timers. */
  void runTask(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      countFailure(failures, e);
    }
    rearm();
  }

  /** Runs the handler's due timers and schedules the next check. */
  void rearm() {
    if (stopped || handler == null) {
      return;
    }
    long now = System.nanoTime();
    long next;
    try {
      next = handler.onTimer(now);
    } catch (RuntimeException e) {
      countFailure(failures, e);
      next = now + 10_000_000L; // retry soon rather than never
    }
    next = Math.min(next, now + IDLE_TIMER_NANOS);
    if (next < timerAtNanos) {
      if (timer != null) {
        timer.cancel(false);
      }
      timerAtNanos = next;
      timer = loop.schedule(due, Math.max(0, next - now), TimeUnit.NANOSECONDS);
    }
  }

  private void onDue() {
    timer = null;
    timerAtNanos = Long.MAX_VALUE;
    rearm();
  }

  /** Cancels the scheduled check for good; loop only. */
  void stop() {
    stopped = true;
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  /** Counts a callback that threw and logs it at debug level. */
  static void countFailure(AtomicLong failures, RuntimeException e) {
    failures.incrementAndGet();
    log.debug("I/O callback failed: {}", e.toString(), e);
  }
}
