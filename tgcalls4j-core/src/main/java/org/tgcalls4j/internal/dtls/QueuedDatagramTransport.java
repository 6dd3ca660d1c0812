package org.tgcalls4j.internal.dtls;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.bouncycastle.tls.DatagramTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The datagram transport Bouncy Castle's DTLS runs over: incoming datagrams are pushed in by the
 * owner of the socket and queued, outgoing records are handed to a callback. Thread-safe.
 *
 * <p>Two modes: during the handshake {@link #receive} waits for a datagram as Bouncy Castle's
 * blocking handshake expects; after {@link #stopWaiting()} it never waits and throws {@link
 * WouldBlockException} when the queue is empty. Bouncy Castle's {@code DTLSTransport.receive}
 * passes an {@link InterruptedIOException} through without failing the association (checked on BC
 * 1.84), so the caller can process exactly the queued datagrams and return.
 */
final class QueuedDatagramTransport implements DatagramTransport {
  private static final Logger LOG = LoggerFactory.getLogger(QueuedDatagramTransport.class);

  /** Largest record we send: fits a 1280-byte IPv6 minimum MTU with room for TURN framing. */
  static final int SEND_LIMIT_BYTES = 1200;

  /** Largest datagram we accept: an Ethernet MTU minus IPv4 and UDP headers (peers may use 1500). */
  static final int RECEIVE_LIMIT_BYTES = 1500 - 20 - 8;

  /** Datagrams held while nobody reads; more are dropped (a handshake flight is a few records). */
  static final int QUEUE_CAPACITY = 64;

  private final Consumer<byte[]> sender;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition readable = lock.newCondition();
  private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
  private volatile boolean closed;
  private volatile boolean nonWaiting;

  /** Thrown by {@link #receive} in non-waiting mode when no datagram is queued; not an error. */
  static final class WouldBlockException extends InterruptedIOException {
    private static final long serialVersionUID = 1L;

    WouldBlockException() {
      super("no DTLS datagram queued");
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this; // thrown once per receive() call: no stack trace to keep it cheap
    }
  }

  /** Thrown by {@link #receive} once the transport is closed. */
  static final class TransportClosedException extends IOException {
    private static final long serialVersionUID = 1L;

    TransportClosedException() {
      super("DTLS transport closed");
    }
  }

  /** @param sender receives each outgoing datagram as a new array it then owns */
  QueuedDatagramTransport(Consumer<byte[]> sender) {
    this.sender = sender;
  }

  /**
   * Queues one datagram without blocking; drops it if it is too large, the queue is full or the
   * transport is closed (DTLS retransmits lost handshake flights, RFC 6347 §4.2.4).
   *
   * @param datagram a copy the transport now owns
   */
  void push(byte[] datagram) {
    lock.lock();
    try {
      if (closed || datagram.length > RECEIVE_LIMIT_BYTES || queue.size() >= QUEUE_CAPACITY) {
        return;
      }
      queue.addLast(datagram);
      readable.signal();
    } finally {
      lock.unlock();
    }
  }

  /** @return whether a datagram is waiting */
  boolean hasQueued() {
    lock.lock();
    try {
      return !queue.isEmpty();
    } finally {
      lock.unlock();
    }
  }

  boolean isClosed() {
    return closed;
  }

  /** From now on {@link #receive} never waits (called once the handshake is done). */
  void stopWaiting() {
    nonWaiting = true;
  }

  @Override
  public int getReceiveLimit() {
    return RECEIVE_LIMIT_BYTES;
  }

  @Override
  public int getSendLimit() {
    return SEND_LIMIT_BYTES;
  }

  /**
   * Waits up to {@code waitMillis} (0: forever) for a datagram; in non-waiting mode returns a queued
   * datagram or throws at once.
   *
   * @return the datagram's length, or -1 if none arrived in time
   * @throws WouldBlockException in non-waiting mode when nothing is queued
   * @throws TransportClosedException if the transport is or becomes closed
   * @throws InterruptedIOException if the thread is interrupted while waiting
   */
  @Override
  public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
    lock.lock();
    try {
      long remainingNanos = TimeUnit.MILLISECONDS.toNanos(waitMillis);
      while (queue.isEmpty() && !closed) {
        if (nonWaiting) {
          throw new WouldBlockException();
        } else if (waitMillis == 0) {
          readable.await();
        } else if (remainingNanos <= 0) {
          return -1;
        } else {
          remainingNanos = readable.awaitNanos(remainingNanos);
        }
      }
      if (closed) {
        throw new TransportClosedException();
      }
      byte[] datagram = queue.removeFirst();
      if (datagram.length > len) {
        return -1; // cannot happen: push() admits at most getReceiveLimit() bytes
      }
      System.arraycopy(datagram, 0, buf, off, datagram.length);
      return datagram.length;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for a DTLS datagram");
    } finally {
      lock.unlock();
    }
  }

  /**
   * Hands a copy of the record to the sender; drops it once closed. A sender that throws loses the
   * datagram, as the network might: DTLS retransmits handshake flights (RFC 6347 §4.2.4), and a lost
   * application record is the upper layer's concern, so the association goes on.
   */
  @Override
  public void send(byte[] buf, int off, int len) {
    if (!closed) {
      byte[] datagram = new byte[len];
      System.arraycopy(buf, off, datagram, 0, len);
      try {
        sender.accept(datagram);
      } catch (RuntimeException e) {
        LOG.warn("DTLS datagram of {} bytes dropped: the sender failed", len, e);
      }
    }
  }

  /** Closes the transport and wakes a blocked {@link #receive}; idempotent. */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      queue.clear();
      readable.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
