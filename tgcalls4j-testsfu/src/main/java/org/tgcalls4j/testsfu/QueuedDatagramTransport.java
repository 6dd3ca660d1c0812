package org.tgcalls4j.testsfu;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.tls.DatagramTransport;

/**
 * A Bouncy Castle {@link DatagramTransport} fed by a demultiplexing reader (records offered through
 * {@link #offer}) and sending through a caller-supplied sender. Thread-safe: one reader thread
 * offers, the DTLS thread receives.
 */
final class QueuedDatagramTransport implements DatagramTransport {
  /** Sends one datagram; the array is not retained. */
  interface Sender {
    void send(byte[] data, int offset, int length) throws IOException;
  }

  /** UDP payload limit on a 1500-byte MTU with IPv4 (1500 - 20 - 8). */
  private static final int LIMIT = 1472;

  private final BlockingQueue<byte[]> inbound = new ArrayBlockingQueue<>(256);
  private final Sender sender;
  private volatile boolean closed;

  QueuedDatagramTransport(Sender sender) {
    this.sender = sender;
  }

  /** Queues one received DTLS record datagram (copied by the caller); drops it when full. */
  void offer(byte[] datagram) {
    inbound.offer(datagram);
  }

  @Override
  public int getReceiveLimit() {
    return LIMIT;
  }

  @Override
  public int getSendLimit() {
    return LIMIT;
  }

  @Override
  public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
    if (closed) {
      throw new IOException("transport closed");
    }
    byte[] datagram;
    try {
      datagram = inbound.poll(waitMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("DTLS receive interrupted");
    }
    if (datagram == null) {
      return -1;
    }
    int n = Math.min(len, datagram.length);
    System.arraycopy(datagram, 0, buf, off, n);
    return n;
  }

  @Override
  public void send(byte[] buf, int off, int len) throws IOException {
    if (closed) {
      throw new IOException("transport closed");
    }
    sender.send(buf, off, len);
  }

  @Override
  public void close() {
    closed = true;
  }
}
