package org.tgcalls4j.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class UdpTransportTest {
  private static final InetSocketAddress LOOPBACK =
      new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
  private final EventLoops loops = EventLoops.start(1, Executors.defaultThreadFactory());

  @AfterEach
  void stopLoops() {
    loops.close();
  }

  @Test
  void aDatagramWhoseHandlerThrowsIsCountedAndTheNextOneStillArrives() throws Exception {
    BlockingQueue<Byte> seen = new LinkedBlockingQueue<>();
    try (UdpTransport udp = UdpTransport.bind(LOOPBACK, loops.next());
        DatagramSocket peer = new DatagramSocket(LOOPBACK)) {
      udp.start(new UdpTransport.Handler() {
        @Override
        public void onDatagram(byte[] data, int length, InetSocketAddress from, long nowNanos) {
          if (data[0] == 1) {
            throw new IllegalStateException("malformed");
          }
          seen.add(data[0]);
        }

        @Override
        public long onTimer(long nowNanos) {
          return Long.MAX_VALUE;
        }

        @Override
        public void onFailure(Exception cause) {}
      });
      peer.send(new DatagramPacket(new byte[] {1}, 1, udp.localAddress()));
      peer.send(new DatagramPacket(new byte[] {2}, 1, udp.localAddress()));

      assertThat(seen.poll(5, TimeUnit.SECONDS)).isEqualTo((byte) 2);
      assertThat(udp.handlerFailures()).isEqualTo(1);
    }
  }

  @Test
  void postedTasksRunOnTheLoopEvenAfterOneThrewAndNoneRunsAfterClose() throws Exception {
    BlockingQueue<Boolean> onIoThread = new LinkedBlockingQueue<>();
    AtomicInteger datagramsAfterClose = new AtomicInteger();
    AtomicBoolean closedFlag = new AtomicBoolean();
    UdpTransport udp = UdpTransport.bind(LOOPBACK, loops.next());
    udp.start(new UdpTransport.Handler() {
      @Override
      public void onDatagram(byte[] data, int length, InetSocketAddress from, long nowNanos) {
        if (closedFlag.get()) {
          datagramsAfterClose.incrementAndGet();
        }
      }

      @Override
      public long onTimer(long nowNanos) {
        return Long.MAX_VALUE;
      }

      @Override
      public void onFailure(Exception cause) {}
    });
    udp.execute(() -> {
      throw new IllegalStateException("a failing task is skipped");
    });
    udp.execute(() -> onIoThread.add(udp.inIoThread()));
    assertThat(onIoThread.poll(5, TimeUnit.SECONDS)).isTrue();

    InetSocketAddress address = udp.localAddress();
    udp.close();
    closedFlag.set(true);
    udp.execute(() -> onIoThread.add(true));
    try (DatagramSocket peer = new DatagramSocket(LOOPBACK)) {
      peer.send(new DatagramPacket(new byte[] {3}, 1, address));
    }
    // a task posted after close is dropped, and the port is free again (the socket is closed)
    assertThat(onIoThread.poll(300, TimeUnit.MILLISECONDS)).isNull();
    assertThat(datagramsAfterClose).hasValue(0);
    try (DatagramSocket rebound = new DatagramSocket(address)) {
      assertThat(rebound.getLocalPort()).isEqualTo(address.getPort());
    }
  }
}
