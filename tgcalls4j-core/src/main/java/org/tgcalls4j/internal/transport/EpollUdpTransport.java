package org.tgcalls4j.internal.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.IoEventLoop;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.FastThreadLocal;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One UDP socket on an epoll event loop (netty's {@link EpollDatagramChannel}), used instead of
 * {@link UdpTransport} when the application added {@code netty-transport-native-epoll}. The same
 * contract: callbacks, timers and tasks on the loop; {@link #send} from any thread, never
 * blocking. On the loop a datagram is copied into a pooled buffer and written and flushed at once;
 * from another thread it is copied and handed to the loop. Per datagram netty allocates its
 * {@link DatagramPacket} holder on both paths (the buffers are pooled).
 */
final class EpollUdpTransport implements UdpPort {
  private static final Logger log = LoggerFactory.getLogger(EpollUdpTransport.class);
  private static final int MAX_DATAGRAM_BYTES = 2048;
  private static final int MAX_DATAGRAMS_PER_READ = 64;
  private static final FastThreadLocal<byte[]> RECEIVE_ARRAY = new FastThreadLocal<>() {
    @Override
    protected byte[] initialValue() {
      return new byte[MAX_DATAGRAM_BYTES];
    }
  };

  private final EpollDatagramChannel channel;
  private final IoEventLoop loop;
  private final AtomicLong sendFailures = new AtomicLong();
  private final AtomicLong handlerFailures = new AtomicLong();
  private final HandlerTimer timer;
  private volatile UdpTransport.Handler handler;
  private volatile boolean closed;

  private EpollUdpTransport(EpollDatagramChannel channel, IoEventLoop loop) {
    this.channel = channel;
    this.loop = loop;
    this.timer = new HandlerTimer(loop, handlerFailures);
  }

  /**
   * Registers a channel with {@code loop} and binds it; waits for both (never call on a loop).
   *
   * @throws IOException if the socket cannot be bound
   */
  static EpollUdpTransport bind(InetSocketAddress bind, IoEventLoop loop) throws IOException {
    EpollDatagramChannel channel = new EpollDatagramChannel();
    channel.config().setOption(ChannelOption.SO_RCVBUF, 1 << 20);
    channel.config().setOption(ChannelOption.SO_SNDBUF, 1 << 20);
    channel.config().setRecvByteBufAllocator(new FixedRecvByteBufAllocator(MAX_DATAGRAM_BYTES));
    channel.config().setOption(ChannelOption.MAX_MESSAGES_PER_READ, MAX_DATAGRAMS_PER_READ);
    channel.config().setAutoRead(false); // nothing is read before start()
    EpollUdpTransport transport = new EpollUdpTransport(channel, loop);
    channel.pipeline().addLast(transport.new Inbound());
    ChannelFuture registered = loop.register(channel).awaitUninterruptibly();
    if (!registered.isSuccess()) {
      channel.unsafe().closeForcibly();
      throw new IOException("cannot register a UDP socket: " + registered.cause(), registered.cause());
    }
    ChannelFuture bound = channel.bind(bind).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      channel.close().awaitUninterruptibly();
      Throwable cause = bound.cause();
      throw cause instanceof IOException io ? io : new IOException(String.valueOf(cause), cause);
    }
    return transport;
  }

  @Override
  public void start(UdpTransport.Handler handler) {
    this.handler = handler;
    execute(() -> {
      timer.setHandler(handler);
      channel.config().setAutoRead(true);
    });
  }

  @Override
  public InetSocketAddress localAddress() {
    return channel.localAddress();
  }

  @Override
  public void send(InetSocketAddress to, byte[] data, int offset, int length) {
    if (closed) {
      return;
    }
    if (loop.inEventLoop()) {
      write(to, data, offset, length);
      return;
    }
    byte[] copy = Arrays.copyOfRange(data, offset, offset + length);
    if (!Loops.execute(loop, () -> write(to, copy, 0, copy.length))) {
      sendFailures.incrementAndGet(); // the loops are stopping
    }
  }

  private void write(InetSocketAddress to, byte[] data, int offset, int length) {
    if (closed || !channel.isActive()) {
      return;
    }
    if (!channel.isWritable()) {
      sendFailures.incrementAndGet(); // the kernel's buffer is full: drop, as a network would
      return;
    }
    ByteBuf buffer = channel.alloc().directBuffer(length).writeBytes(data, offset, length);
    channel.writeAndFlush(new DatagramPacket(buffer, to), channel.voidPromise());
  }

  @Override
  public void execute(Runnable task) {
    Loops.execute(loop, () -> {
      if (!closed) {
        timer.runTask(task);
      }
    });
  }

  @Override
  public long handlerFailures() {
    return handlerFailures.get();
  }

  /** @return datagrams that could not be sent */
  long sendFailures() {
    return sendFailures.get();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    Loops.runAndWait(loop, timer::stop, 2000);
    if (loop.inEventLoop()) {
      channel.close();
    } else if (!loop.isShuttingDown()) {
      channel.close().awaitUninterruptibly(2000);
    } else {
      channel.unsafe().closeForcibly(); // the loops are stopping
    }
  }

  /** Reads datagrams on the loop into the loop's receive array. */
  private final class Inbound extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      DatagramPacket packet = (DatagramPacket) msg;
      try {
        UdpTransport.Handler h = handler;
        if (closed || h == null) {
          return;
        }
        ByteBuf content = packet.content();
        int length = Math.min(content.readableBytes(), MAX_DATAGRAM_BYTES);
        byte[] data = RECEIVE_ARRAY.get();
        content.getBytes(content.readerIndex(), data, 0, length);
        h.onDatagram(data, length, packet.sender(), System.nanoTime());
      } catch (RuntimeException e) {
        HandlerTimer.countFailure(handlerFailures, e);
      } finally {
        packet.release();
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      timer.rearm();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (closed || cause instanceof java.net.PortUnreachableException) {
        return; // an ICMP error for one destination; the socket is fine
      }
      log.warn("UDP socket failed: {}", cause.toString(), cause);
      UdpTransport.Handler h = handler;
      close();
      if (h != null) {
        h.onFailure(cause instanceof Exception e ? e : new IOException(cause));
      }
    }
  }
}
