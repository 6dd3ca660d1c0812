package org.tgcalls4j.internal.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One UDP socket and the thread that reads it. Every datagram and every posted task runs on that
 * single I/O thread, so state touched only from {@link Handler} callbacks needs no locking.
 * {@link #send} may be called from any thread.
 *
 * <p>Per-datagram garbage: none on receive (one buffer per socket); on send, each sending thread
 * copies the datagram into its own reused direct buffer instead of wrapping the caller's array in
 * a new {@link ByteBuffer} per datagram.
 */
public final class UdpTransport implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(UdpTransport.class);
  private static final int MAX_DATAGRAM_BYTES = 2048;
  private static final int MAX_DATAGRAMS_PER_TURN = 64;
  /** Selection only wakes the loop, which then polls tasks and the channel. */
  private static final Consumer<SelectionKey> IGNORE_KEY = key -> {};
  /**
   * One send buffer per sending thread (the call's sender thread, the I/O thread, the control
   * thread), shared by all sockets: a datagram is copied in and sent before send returns, so the
   * buffer is free again for the thread's next datagram. Direct, so the channel sends from it
   * without its own copy.
   */
  private static final ThreadLocal<ByteBuffer> SEND_BUFFER =
      ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(MAX_DATAGRAM_BYTES));

  /** Callbacks, all invoked on the transport's I/O thread. */
  public interface Handler {
    /**
     * @param data the datagram; valid only during the call (the buffer is reused for the next
     *     one). The handler may overwrite it in place (SRTP is decrypted there)
     * @param length datagram length in bytes, starting at index 0
     * @param from the sender
     * @param nowNanos {@link System#nanoTime()} at receipt
     */
    void onDatagram(byte[] data, int length, InetSocketAddress from, long nowNanos);

    /**
     * Called on every turn of the I/O loop; runs whatever timers are due.
     *
     * @param nowNanos current {@link System#nanoTime()}
     * @return the absolute {@code nanoTime} of the next due timer, or {@link Long#MAX_VALUE}
     */
    long onTimer(long nowNanos);

    /**
     * The I/O thread stopped because the socket failed (not because of {@link #close()}); no
     * further callbacks follow.
     *
     * @param cause what failed
     */
    void onFailure(Exception cause);
  }

  private final DatagramChannel channel;
  private final Selector selector;
  private final Thread thread;
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final AtomicLong sendFailures = new AtomicLong();
  private final AtomicLong handlerFailures = new AtomicLong();
  private volatile Handler handler;
  private volatile boolean closed;

  private UdpTransport(DatagramChannel channel, Selector selector, ThreadFactory threads, String name) {
    this.channel = channel;
    this.selector = selector;
    this.thread = threads.newThread(this::run);
    this.thread.setName(name);
    this.thread.setDaemon(true);
  }

  /**
   * Binds a socket; the I/O thread starts with {@link #start(Handler)}.
   *
   * @param bind local address and port (port 0 picks a free one)
   * @param threads creates the I/O thread
   * @param threadName name of the I/O thread
   * @return the bound transport
   * @throws IOException if the socket cannot be bound
   */
  public static UdpTransport bind(InetSocketAddress bind, ThreadFactory threads, String threadName)
      throws IOException {
    DatagramChannel channel = DatagramChannel.open();
    Selector selector = null;
    try {
      channel.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
      channel.setOption(StandardSocketOptions.SO_SNDBUF, 1 << 20);
      channel.bind(bind);
      channel.configureBlocking(false);
      selector = Selector.open();
      channel.register(selector, SelectionKey.OP_READ);
      return new UdpTransport(channel, selector, threads, threadName);
    } catch (IOException | RuntimeException e) {
      channel.close();
      if (selector != null) {
        selector.close();
      }
      throw e;
    }
  }

  /** @param handler receives datagrams and timer ticks on the I/O thread from now on */
  public void start(Handler handler) {
    this.handler = handler;
    thread.start();
  }

  /** @return the bound local address */
  public InetSocketAddress localAddress() {
    try {
      return (InetSocketAddress) channel.getLocalAddress();
    } catch (IOException e) {
      throw new IllegalStateException("socket closed", e);
    }
  }

  /**
   * Sends one datagram; never blocks. A datagram the kernel cannot take right now is dropped and
   * counted in {@link #sendFailures()}, as a congested network would drop it.
   *
   * @param to destination
   * @param data bytes to send; read during the call only, not retained
   * @param offset start in data
   * @param length bytes to send
   */
  public void send(InetSocketAddress to, byte[] data, int offset, int length) {
    if (closed) {
      return;
    }
    try {
      ByteBuffer buffer;
      if (length <= MAX_DATAGRAM_BYTES) {
        buffer = SEND_BUFFER.get().clear();
        buffer.put(data, offset, length).flip();
      } else {
        buffer = ByteBuffer.wrap(data, offset, length); // larger than any media datagram: rare
      }
      if (channel.send(buffer, to) == 0) {
        sendFailures.incrementAndGet();
      }
    } catch (ClosedChannelException e) {
      // closing concurrently; nothing to send to any more
    } catch (IOException | RuntimeException e) {
      // RuntimeException: e.g. UnsupportedAddressTypeException for IPv6 on an IPv4-only stack
      sendFailures.incrementAndGet();
      log.debug("UDP send to {} failed: {}", to, e.toString());
    }
  }

  /** @param task runs on the I/O thread soon; dropped after {@link #close()} */
  public void execute(Runnable task) {
    tasks.add(task);
    selector.wakeup();
  }

  /** @return datagrams that could not be sent */
  public long sendFailures() {
    return sendFailures.get();
  }

  /** @return callbacks (datagrams, timers, tasks) that threw and were skipped */
  public long handlerFailures() {
    return handlerFailures.get();
  }

  /** @return whether the caller is the I/O thread */
  public boolean inIoThread() {
    return Thread.currentThread() == thread;
  }

  private void run() {
    ByteBuffer buffer = ByteBuffer.allocate(MAX_DATAGRAM_BYTES);
    try {
      while (!closed) {
        long nextTimer = guardedTimer();
        long waitMillis = nextTimer == Long.MAX_VALUE ? 1000
            : Math.max(1, (nextTimer - System.nanoTime() + 999_999) / 1_000_000);
        // the action form leaves the selected-key set alone: adding to it and clearing it
        // allocated a HashMap node on every turn
        selector.select(IGNORE_KEY, Math.min(waitMillis, 1000));
        Runnable task;
        while (!closed && (task = tasks.poll()) != null) {
          guardedTask(task);
        }
        // bounded, so that a flood of datagrams cannot starve timers (ICE consent) and tasks
        InetSocketAddress from;
        for (int i = 0; i < MAX_DATAGRAMS_PER_TURN && !closed
            && (from = (InetSocketAddress) channel.receive(buffer.clear())) != null; i++) {
          guardedDatagram(buffer.array(), buffer.position(), from);
        }
      }
    } catch (ClosedChannelException e) {
      // closed by close()
    } catch (IOException | RuntimeException e) {
      if (!closed) {
        log.warn("UDP I/O thread stopped: {}", e.toString(), e);
        handler.onFailure(e);
      }
    }
  }

  /**
   * The callbacks run guarded: one that throws is counted in {@link #handlerFailures()} and
   * skipped, so a malformed datagram or a bug in one timer cannot stop the call's I/O. Three
   * methods rather than one taking a lambda, which would allocate per turn, datagram and task.
   */
  private long guardedTimer() {
    try {
      return handler.onTimer(System.nanoTime());
    } catch (RuntimeException e) {
      return failed(e);
    }
  }

  private void guardedDatagram(byte[] data, int length, InetSocketAddress from) {
    try {
      handler.onDatagram(data, length, from, System.nanoTime());
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  private void guardedTask(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  /** Counts a callback that threw; @return when to retry timers: soon rather than never */
  private long failed(RuntimeException e) {
    handlerFailures.incrementAndGet();
    log.debug("I/O callback failed: {}", e.toString(), e);
    return System.nanoTime() + 10_000_000L;
  }

  /** Closes the socket and stops the I/O thread (joined unless called on it); idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    selector.wakeup();
    if (thread.isAlive() && !inIoThread()) {
      try {
        thread.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      selector.close();
    } catch (IOException ignored) {
      // closing
    }
    try {
      channel.close();
    } catch (IOException ignored) {
      // closing
    }
  }
}
