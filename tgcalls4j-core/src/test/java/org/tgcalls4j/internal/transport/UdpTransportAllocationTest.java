package org.tgcalls4j.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 8: the event loop's receive path allocates (almost) nothing per datagram. */
class UdpTransportAllocationTest {
  private static final int WARM_UP = 20_000;
  private static final int MEASURED = 20_000;

  @Test
  @Timeout(60)
  void receivingAllocatesAlmostNothingPerDatagram() throws Exception {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
    InetAddress loopback = InetAddress.getLoopbackAddress();
    AtomicReference<Thread> ioThread = new AtomicReference<>();
    AtomicInteger received = new AtomicInteger();
    CountDownLatch warm = new CountDownLatch(WARM_UP);
    CountDownLatch done = new CountDownLatch(WARM_UP + MEASURED);
    long[] allocatedAtWarm = new long[1];
    EventLoops loops = EventLoops.start(1, r -> {
      Thread t = new Thread(r);
      ioThread.set(t);
      return t;
    });
    UdpTransport transport = UdpTransport.bind(new InetSocketAddress(loopback, 0), loops.next());
    try (DatagramChannel peer = DatagramChannel.open().bind(new InetSocketAddress(loopback, 0))) {
      transport.start(new UdpTransport.Handler() {
        @Override
        public void onDatagram(byte[] data, int length, InetSocketAddress from, long nowNanos) {
          if (received.incrementAndGet() == WARM_UP) {
            allocatedAtWarm[0] = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
          }
          warm.countDown();
          done.countDown();
        }

        @Override
        public long onTimer(long nowNanos) {
          return Long.MAX_VALUE;
        }

        @Override
        public void onFailure(Exception cause) {}
      });
      ByteBuffer datagram = ByteBuffer.allocate(180);
      InetSocketAddress to = transport.localAddress();
      // paced by the receiver, so that the kernel buffer never overflows
      for (int i = 0; i < WARM_UP + MEASURED; i++) {
        while (i - received.get() > 500) {
          Thread.onSpinWait();
        }
        peer.send(datagram.clear(), to);
      }
      assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
      long allocated = threads.getThreadAllocatedBytes(ioThread.get().getId()) - allocatedAtWarm[0];
      assertThat(allocated / MEASURED).as("bytes per datagram (%d in all; on JDK 25+ without the surefire argLine's"
              + " --add-opens netty's selector allocates per wake-up)", allocated)
          .isLessThanOrEqualTo(16);
    } finally {
      transport.close();
      loops.close();
    }
  }
}
