package org.tgcalls4j.internal.transport;

import java.net.InetSocketAddress;

/**
 * Where one peer transport sends and receives datagrams: a socket of its own
 * ({@link UdpTransport}) or its share of the client's single UDP port ({@link SharedUdpPort}).
 * Callbacks and posted tasks run on the port's event loop.
 */
public interface UdpPort extends AutoCloseable {
  /**
   * Starts delivering: {@code handler} receives this port's datagrams and timer ticks on the loop
   * from now on. Once.
   */
  void start(UdpTransport.Handler handler);

  /** @return the bound local address (shared by every lease of a shared port) */
  InetSocketAddress localAddress();

  /**
   * Sends one datagram; never blocks, any thread; a datagram the kernel cannot take is dropped
   * and counted.
   *
   * @param to destination
   * @param data bytes to send; read during the call only
   * @param offset start in data
   * @param length bytes to send
   */
  void send(InetSocketAddress to, byte[] data, int offset, int length);

  /** @param task runs on the port's loop soon, followed by a timer check; dropped after close */
  void execute(Runnable task);

  /** @return this port's callbacks (datagrams, timers, tasks) that threw and were skipped */
  long handlerFailures();

  /** Stops delivering and releases the port (a lease gives its share back); idempotent. */
  @Override
  void close();
}
