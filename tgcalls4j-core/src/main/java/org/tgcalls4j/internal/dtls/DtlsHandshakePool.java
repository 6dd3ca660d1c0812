package org.tgcalls4j.internal.dtls;

import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes the executor that runs {@link DtlsEndpoint#startHandshake} handshakes: a fixed, small number
 * of threads shared by all calls of one client, and an unbounded FIFO queue.
 *
 * <p>Why this shape (figures in docs/dtls-spike.md): Bouncy Castle's handshake blocks its thread
 * while it waits for the peer's flights, so a thread is busy for about two round trips plus a few
 * ms of CPU (ECDHE and ECDSA, about 3 ms per side on {@link HandshakeCrypto}); the thread count
 * therefore bounds how many handshakes are in flight, not CPU use. Handshakes beyond that wait in
 * the queue; their wait counts against each endpoint's own timeout, so a flood of calls ends in {@link
 * DtlsException.Reason#TIMEOUT} rather than unbounded memory or rejected tasks. Idle threads end
 * after 30 s, so a client with no handshake running holds no thread.
 */
public final class DtlsHandshakePool {
  /** Default thread count: at least 2, else one per available processor. */
  public static final int DEFAULT_THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());

  private static final long KEEP_ALIVE_SECONDS = 30;
  private static final AtomicInteger POOL_NUMBER = new AtomicInteger();

  private DtlsHandshakePool() {}

  /**
   * @param threadFactory makes the pool's threads (the caller picks names, daemon status, priority)
   * @param threads the most threads, and so the most handshakes running at once, at least 1
   * @return a new executor with at most {@code threads} threads, an unbounded queue and 30 s idle
   *     timeout; the caller shuts it down when the client closes (running handshakes end with
   *     {@link DtlsException.Reason#CLOSED} only once their endpoints are closed)
   * @throws IllegalArgumentException if {@code threads} is below 1
   * @throws NullPointerException if {@code threadFactory} is null
   */
  public static ExecutorService create(ThreadFactory threadFactory, int threads) {
    Objects.requireNonNull(threadFactory, "threadFactory");
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1: " + threads);
    }
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            threads, threads, KEEP_ALIVE_SECONDS, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), threadFactory);
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /**
   * @return {@link #create(ThreadFactory, int)} with {@link #DEFAULT_THREADS} daemon threads named
   *     {@code tgcalls4j-dtls-handshake-P-N}
   */
  public static ExecutorService create() {
    int pool = POOL_NUMBER.incrementAndGet();
    AtomicInteger thread = new AtomicInteger();
    return create(
        runnable -> {
          Thread t = new Thread(runnable, "tgcalls4j-dtls-handshake-" + pool + "-" + thread.incrementAndGet());
          t.setDaemon(true);
          return t;
        },
        DEFAULT_THREADS);
  }
}
