package org.tgcalls4j.internal.dtls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/**
 * A real UDP socket on 127.0.0.1 for a {@link DtlsEndpoint}, standing in for the UDP demultiplexer:
 * a receive thread pushes every datagram into the endpoint, {@link #send} writes to the peer.
 */
final class UdpBridge implements AutoCloseable {
  private final DatagramSocket socket;
  private final Thread thread;
  private volatile InetSocketAddress peer;
  private volatile DtlsEndpoint endpoint;
  private volatile boolean closed;
  private volatile java.util.function.Consumer<byte[]> nonDtls = datagram -> {};

  UdpBridge() throws SocketException {
    socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    socket.setSoTimeout(50);
    thread = new Thread(this::receiveLoop, "udp-bridge-" + socket.getLocalPort());
    thread.setDaemon(true);
  }

  InetSocketAddress address() {
    return (InetSocketAddress) socket.getLocalSocketAddress();
  }

  /** @param consumer gets a copy of every datagram from the peer whose first byte is not 20..63 (RFC 7983) */
  void onNonDtls(java.util.function.Consumer<byte[]> consumer) {
    this.nonDtls = consumer;
  }

  /** Starts delivering datagrams from {@code peer} to {@code endpoint}. */
  void start(InetSocketAddress peer, DtlsEndpoint endpoint) {
    this.peer = peer;
    this.endpoint = endpoint;
    thread.start();
  }

  void send(byte[] datagram) {
    try {
      socket.send(new DatagramPacket(datagram, datagram.length, peer));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void receiveLoop() {
    byte[] buffer = new byte[2048];
    while (!closed) {
      DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
      try {
        socket.receive(packet);
      } catch (SocketTimeoutException e) {
        continue;
      } catch (IOException e) {
        return; // socket closed
      }
      if (!packet.getSocketAddress().equals(peer) || packet.getLength() == 0) {
        continue;
      }
      int first = packet.getData()[packet.getOffset()] & 0xff;
      if (first >= 20 && first <= 63) {
        endpoint.receive(packet.getData(), packet.getOffset(), packet.getLength());
      } else {
        nonDtls.accept(java.util.Arrays.copyOfRange(packet.getData(), packet.getOffset(), packet.getOffset() + packet.getLength()));
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    socket.close();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    assertThat(thread.isAlive()).as("bridge thread ended").isFalse();
  }
}
