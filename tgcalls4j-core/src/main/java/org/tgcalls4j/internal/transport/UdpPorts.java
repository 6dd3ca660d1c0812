package org.tgcalls4j.internal.transport;

import io.netty.channel.IoEventLoop;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.net.InetSocketAddress;

/** Binds a UDP socket of the kind its event loop runs: NIO ({@link UdpTransport}) or epoll. */
public final class UdpPorts {
  private UdpPorts() {}

  /**
   * @param bind local address and port (port 0 picks a free one)
   * @param loop the loop that will run the socket
   * @return the bound socket; {@link UdpPort#start} begins delivery
   * @throws IOException if the socket cannot be bound
   */
  public static UdpPort bind(InetSocketAddress bind, IoEventLoop loop) throws IOException {
    if (loop.isIoType(NioIoHandler.class)) {
      return UdpTransport.bind(bind, loop);
    }
    return EpollUdpTransport.bind(bind, loop);
  }
}
