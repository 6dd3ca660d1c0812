package org.tgcalls4j.internal.transport;

import io.netty.channel.IoEventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.EventExecutor;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.tgcalls4j.internal.pacing.PacingTicker;
import org.tgcalls4j.internal.pacing.PacingWheel;

/**
 * The client's few event loops (netty, NIO: pure JVM), shared by all its calls: each call is
 * pinned to one loop by {@link #next()}, and that loop runs the call's sockets, timers, ICE
 * checks, received SRTP/SRTCP and the pacing of its audio. The number of threads depends on the
 * configuration, never on the number of calls.
 *
 * <p>Each loop has a {@link PacingWheel} for the audio of its calls; one {@link PacingTicker}
 * thread wakes the loops when their next slot is due.
 *
 * <p>Nothing blocking may run on a loop: DTLS handshakes go to the client's handshake pool and
 * ffmpeg's pipes are read by their own threads.
 */
public final class EventLoops implements AutoCloseable {
  private final EventLoopGroup group;
  private final int threadCount;
  private final PacingTicker ticker;
  /** One pacing wheel per loop; filled at start, read-only after. */
  private final Map<EventExecutor, PacingWheel> wheels = new IdentityHashMap<>();

  private EventLoops(EventLoopGroup group, int threadCount, PacingTicker ticker) {
    this.group = group;
    this.threadCount = threadCount;
    this.ticker = ticker;
    for (EventExecutor loop : group) {
      wheels.put(loop, PacingWheel.start((IoEventLoop) loop, ticker));
    }
  }

  /**
   * Starts the loops.
   *
   * @param threadCount how many loops (threads), at least 1
   * @param threads creates the loop threads (named {@code tgcalls4j-loop-N}) and the pacing
   *     ticker's ({@code tgcalls4j-pacing}); all daemons
   * @return the started loops
   * @throws IllegalArgumentException if {@code threadCount < 1}
   */
  public static EventLoops start(int threadCount, ThreadFactory threads) {
    return start(threadCount, threads, false);
  }

  /**
   * Starts the loops on netty's epoll transport when {@code preferNative} and the application put
   * {@code netty-transport-native-epoll} on the path (its native library loads here); otherwise on
   * NIO.
   *
   * @param threadCount how many loops (threads), at least 1
   * @param threads creates the loop threads (named {@code tgcalls4j-loop-N}, or
   *     {@code tgcalls4j-loop-epoll-N} on epoll) and the pacing ticker's; all daemons
   * @param preferNative whether to use epoll when it is available
   * @return the started loops
   * @throws IllegalArgumentException if {@code threadCount < 1}
   */
  public static EventLoops start(int threadCount, ThreadFactory threads, boolean preferNative) {
    if (threadCount < 1) {
      throw new IllegalArgumentException("threadCount must be at least 1, was " + threadCount);
    }
    Objects.requireNonNull(threads, "threads");
    boolean epoll = preferNative && NativeTransport.available();
    AtomicInteger count = new AtomicInteger();
    ThreadFactory named = r -> {
      Thread t = threads.newThread(r);
      t.setName("tgcalls4j-loop-" + (epoll ? "epoll-" : "") + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    return new EventLoops(
        new MultiThreadIoEventLoopGroup(threadCount, named,
            epoll ? NativeTransport.Epoll.ioHandlerFactory() : NioIoHandler.newFactory()),
        threadCount, PacingTicker.start(threads));
  }

  /** @return the next loop, round robin; a call keeps the loop it was given for its whole life */
  public IoEventLoop next() {
    return (IoEventLoop) group.next();
  }

  /**
   * @param loop one of these loops
   * @return the loop's pacing wheel
   * @throws IllegalArgumentException if the loop is not one of these
   */
  public PacingWheel wheel(IoEventLoop loop) {
    PacingWheel wheel = wheels.get(loop);
    if (wheel == null) {
      throw new IllegalArgumentException("not a loop of this group: " + loop);
    }
    return wheel;
  }

  /** @return how many loops there are */
  public int threadCount() {
    return threadCount;
  }

  /**
   * Stops the loops and waits up to 5 s for their threads to end; tasks still queued are dropped.
   * Idempotent.
   */
  @Override
  public void close() {
    ticker.close();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
