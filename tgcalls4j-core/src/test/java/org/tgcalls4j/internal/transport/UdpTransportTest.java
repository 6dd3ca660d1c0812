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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class UdpTransportTest {
  private static final InetSocketAddress LOOPBACK =
      new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

  @Test
  void aDatagramWhoseHandlerThrowsIsCountedAndTheNextOneStillArrives() throws Exception {
    BlockingQueue<Byte> seen = new LinkedBlockingQueue<>();
    try (UdpTransport udp = UdpTransport.bind(LOOPBACK, Executors.defaultThreadFactory(), "udp-test");
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
  void postedTasksRunOnTheIoThreadEvenAfterOneThrewAndCloseJoinsIt() throws Exception {
    BlockingQueue<Boolean> onIoThread = new LinkedBlockingQueue<>();
    UdpTransport udp = UdpTransport.bind(LOOPBACK, Executors.defaultThreadFactory(), "udp-test");
    udp.start(new UdpTransport.Handler() {
      @Override
      public void onDatagram(byte[] data, int length, InetSocketAddress from, long nowNanos) {}

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

    udp.close();
    assertThat(Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("udp-test"))).isEmpty();
  }
}
