package org.tgcalls4j.internal.transport;

import io.netty.channel.IoHandlerFactory;

/**
 * netty's epoll transport, when the application put {@code netty-transport-native-epoll} (with
 * its native library for this platform) on the class or module path: the library compiles against
 * its classes but never requires them. Everything that names an epoll class sits in the nested
 * {@link Epoll} holder, which is loaded only after {@link #available()} found the classes.
 */
final class NativeTransport {
  private static final boolean AVAILABLE = probe();

  private NativeTransport() {}

  /** @return whether epoll's classes are present and its native library loads here */
  static boolean available() {
    return AVAILABLE;
  }

  private static boolean probe() {
    try {
      Class.forName("io.netty.channel.epoll.Epoll", false, NativeTransport.class.getClassLoader());
      return Epoll.isAvailable();
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** The epoll classes; loaded only once they are known to be there. */
  static final class Epoll {
    private Epoll() {}

    static boolean isAvailable() {
      return io.netty.channel.epoll.Epoll.isAvailable();
    }

    static IoHandlerFactory ioHandlerFactory() {
      return io.netty.channel.epoll.EpollIoHandler.newFactory();
    }
  }
}
