package org.tgcalls4j.internal.transport;

import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.nio.NioIoOps;
import io.netty.channel.nio.NioSelectableChannelIoHandle;
import io.netty.util.concurrent.FastThreadLocal;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One UDP socket on one of the client's shared event loops. The JDK datagram channel is registered
 * with the loop's netty NIO selector as a {@link NioSelectableChannelIoHandle}, and every
 * datagram, timer and posted task of the socket runs on that loop, so state touched only from
 * {@link Handler} callbacks needs no locking; many sockets share a loop. {@link #send} may be
 * called from any thread.
 *
 * <p>Per-datagram garbage: none. Datagrams are received into the loop's one receive buffer (not
 * netty's channel pipeline, which would wrap each in a new {@code DatagramPacket}); a send copies
 * the datagram into the sending thread's reused direct buffer and hands it to the JDK channel,
 * which is safe from any thread and never blocks.
 */
public final class UdpTransport implements UdpPort {
  private static final Logger log = LoggerFactory.getLogger(UdpTransport.class);
  private static final int MAX_DATAGRAM_BYTES = 2048;
  /** Bounded, so that a flood of datagrams cannot starve timers (ICE consent) and other sockets. */
  private static final int MAX_DATAGRAMS_PER_READ = 64;
  /**
   * One send buffer per sending thread (a loop, the control thread), shared by all sockets: a
   * datagram is copied in and sent before send returns, so the buffer is free again for the
   * thread's next datagram. Direct, so the channel sends from it without its own copy.
   */
  private static final ThreadLocal<ByteBuffer> SEND_BUFFER =
      ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(MAX_DATAGRAM_BYTES));
  /** One receive buffer per loop: a datagram is handled before the next one is received. */
  private static final FastThreadLocal<ByteBuffer> RECEIVE_BUFFER = new FastThreadLocal<>() {
    @Override
    protected ByteBuffer initialValue() {
      return ByteBuffer.allocate(MAX_DATAGRAM_BYTES);
    }
  };

  /** Callbacks, all invoked on the socket's event loop. */
  public interface Handler {
    /**
     * @param data the datagram; valid only during the call (the array is reused for the next
     *     one). The handler may overwrite it in place (SRTP is decrypted there)
     * @param length datagram length in bytes, starting at index 0
     * @param from the sender
     * @param nowNanos {@link System#nanoTime()} at receipt
     */
    void onDatagram(byte[] data, int length, InetSocketAddress from, long nowNanos);

    /**
     * Called after every batch of datagrams, every task and when the last returned time is
     * reached; runs whatever timers are due.
     *
     * @param nowNanos current {@link System#nanoTime()}
     * @return the absolute {@code nanoTime} of the next due timer, or {@link Long#MAX_VALUE}
     */
    long onTimer(long nowNanos);

    /**
     * The socket failed (not because of {@link #close()}); it is closed and no further callbacks
     * follow.
     *
     * @param cause what failed
     */
    void onFailure(Exception cause);
  }

  private final DatagramChannel socket;
  private final IoEventLoop loop;
  private final AtomicLong sendFailures = new AtomicLong();
  private final AtomicLong handlerFailures = new AtomicLong();
  private final HandlerTimer timer;
  private volatile Handler handler;
  private volatile boolean closed;
  private IoRegistration registration; // loop only

  private UdpTransport(DatagramChannel socket, IoEventLoop loop) {
    this.socket = socket;
    this.loop = loop;
    this.timer = new HandlerTimer(loop, handlerFailures);
  }

  /**
   * Binds a socket; it is read from {@link #start(Handler)} on.
   *
   * @param bind local address and port (port 0 picks a free one)
   * @param loop the event loop that will run the socket
   * @return the bound transport
   * @throws IOException if the socket cannot be bound
   */
  public static UdpTransport bind(InetSocketAddress bind, IoEventLoop loop) throws IOException {
    DatagramChannel socket = DatagramChannel.open();
    try {
      socket.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
      socket.setOption(StandardSocketOptions.SO_SNDBUF, 1 << 20);
      socket.bind(bind);
      socket.configureBlocking(false);
      return new UdpTransport(socket, loop);
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /**
   * Registers the socket with its loop: {@code handler} receives datagrams and timer ticks there
   * from now on. Once.
   *
   * @param handler the socket's handler
   */
  @Override
  public void start(Handler handler) {
    this.handler = handler;
    loop.register(new Readable(socket)).addListener(registered -> {
      if (!registered.isSuccess()) {
        failed(registered.cause());
        return;
      }
      IoRegistration done = (IoRegistration) registered.getNow();
      if (closed) {
        done.cancel();
        return;
      }
      registration = done;
      done.submit(NioIoOps.READ);
      timer.setHandler(handler);
      timer.rearm();
    });
  }

  /** @return the event loop this socket runs on */
  public IoEventLoop loop() {
    return loop;
  }

  /** @return the bound local address */
  @Override
  public InetSocketAddress localAddress() {
    try {
      return (InetSocketAddress) socket.getLocalAddress();
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
  @Override
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
      if (socket.send(buffer, to) == 0) {
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

  /**
   * @param task runs on the socket's loop soon, followed by a timer check; dropped after
   *     {@link #close()}
   */
  @Override
  public void execute(Runnable task) {
    Loops.execute(loop, () -> {
      if (!closed) {
        timer.runTask(task);
      }
    });
  }

  /** @return datagrams that could not be sent */
  public long sendFailures() {
    return sendFailures.get();
  }

  /** @return callbacks (datagrams, timers, tasks) that threw and were skipped */
  @Override
  public long handlerFailures() {
    return handlerFailures.get();
  }

  /** @return whether the caller is the socket's event loop */
  public boolean inIoThread() {
    return loop.inEventLoop();
  }

  /** On the loop: cancels the timer and the selector registration. */
  private void release() {
    timer.stop();
    if (registration != null) {
      registration.cancel();
      registration = null;
    }
  }

  private void failed(Throwable cause) {
    if (closed) {
      return;
    }
    log.warn("UDP socket failed: {}", cause.toString(), cause);
    close();
    handler.onFailure(cause instanceof Exception e ? e : new IOException(cause));
  }

  /** The socket as netty's selector sees it: reads a bounded batch whenever it is readable. */
  private final class Readable extends NioSelectableChannelIoHandle<DatagramChannel> {
    Readable(DatagramChannel socket) {
      super(socket);
    }

    @Override
    protected void handle(DatagramChannel channel, SelectionKey key) {
      ByteBuffer buffer = RECEIVE_BUFFER.get();
      try {
        InetSocketAddress from;
        for (int i = 0; i < MAX_DATAGRAMS_PER_READ && !closed
            && (from = (InetSocketAddress) channel.receive(buffer.clear())) != null; i++) {
          try {
            handler.onDatagram(buffer.array(), buffer.position(), from, System.nanoTime());
          } catch (RuntimeException e) {
            HandlerTimer.countFailure(handlerFailures, e);
          }
        }
      } catch (ClosedChannelException e) {
        return; // closed by close()
      } catch (IOException | RuntimeException e) {
        failed(e);
        return;
      }
      timer.rearm();
    }
  }

  /**
   * Closes the socket; no callback starts after this returns, except that a callback already
   * running on the loop finishes. Idempotent, any thread, including the loop.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    // when the loops are stopping they close their selector, and with it the registration
    Loops.runAndWait(loop, this::release, 2000);
    try {
      socket.close(); // also when never registered; closing twice is harmless
    } catch (IOException ignored) {
      // closing
    }
  }
}
