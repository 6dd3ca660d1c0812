package org.tgcalls4j.internal.transport;

import io.netty.channel.IoEventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The client's few event loops (netty, NIO: pure JVM), shared by all its calls: each call is
 * pinned to one loop by {@link #next()}, and that loop runs the call's sockets, timers, ICE
 * checks, received SRTP/SRTCP and the pacing of its audio. The number of threads depends on the
 * configuration, never on the number of calls.
 *
 * <p>Nothing blocking may run on a loop: DTLS handshakes go to the client's handshake pool and
 * ffmpeg's pipes are read by their own threads.
 */
public final class EventLoops implements AutoCloseable {
  private final EventLoopGroup group;
  private final int threadCount;

  private EventLoops(EventLoopGroup group, int threadCount) {
    this.group = group;
    this.threadCount = threadCount;
  }

  /**
   * Starts the loops.
   *
   * @param threadCount how many loops (threads), at least 1
   * @param threads creates the loop threads; they are named {@code tgcalls4j-loop-N} and daemons
   * @return the started loops
   * @throws IllegalArgumentException if {@code threadCount < 1}
   */
  public static EventLoops start(int threadCount, ThreadFactory threads) {
    if (threadCount < 1) {
      throw new IllegalArgumentException("threadCount must be at least 1, was " + threadCount);
    }
    Objects.requireNonNull(threads, "threads");
    AtomicInteger count = new AtomicInteger();
    ThreadFactory named = r -> {
      Thread t = threads.newThread(r);
      t.setName("tgcalls4j-loop-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    return new EventLoops(
        new MultiThreadIoEventLoopGroup(threadCount, named, NioIoHandler.newFactory()), threadCount);
  }

  /** @return the next loop, round robin; a call keeps the loop it was given for its whole life */
  public IoEventLoop next() {
    return (IoEventLoop) group.next();
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
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
