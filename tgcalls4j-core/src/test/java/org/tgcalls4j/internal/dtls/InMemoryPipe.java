package org.tgcalls4j.internal.dtls;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Predicate;

/**
 * One direction of an in-memory datagram link: {@link #send} queues, a dedicated thread delivers to
 * the target endpoint's {@link DtlsEndpoint#receive}, as a UDP receive thread would.
 */
final class InMemoryPipe implements AutoCloseable {
  private static final byte[] STOP = new byte[0];

  private final LinkedBlockingQueue<byte[]> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile DtlsEndpoint target;
  private volatile Predicate<byte[]> loss = datagram -> false;

  InMemoryPipe(String name) {
    thread = new Thread(this::deliver, name);
    thread.setDaemon(true);
    thread.start();
  }

  void connect(DtlsEndpoint target) {
    this.target = target;
  }

  /** @param loss decides which datagrams this pipe drops */
  void dropWhen(Predicate<byte[]> loss) {
    this.loss = loss;
  }

  void send(byte[] datagram) {
    if (!loss.test(datagram)) {
      queue.add(datagram);
    }
  }

  private void deliver() {
    try {
      while (true) {
        byte[] datagram = queue.take();
        if (datagram == STOP) {
          return;
        }
        DtlsEndpoint endpoint = target;
        if (endpoint != null) {
          endpoint.receive(datagram, 0, datagram.length);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    queue.add(STOP);
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    assertThat(thread.isAlive()).as("pipe thread %s ended", thread.getName()).isFalse();
  }
}
