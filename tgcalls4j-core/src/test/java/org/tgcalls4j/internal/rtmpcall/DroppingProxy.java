package org.tgcalls4j.internal.rtmpcall;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/** A TCP forwarder on 127.0.0.1 whose open connections can be cut at once to simulate a loss. */
final class DroppingProxy implements AutoCloseable {
  private final ServerSocket server;
  private final int targetPort;
  private final List<Socket> open = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private int accepted;

  DroppingProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "proxy-accept");
    acceptor.start();
    threads.add(acceptor);
  }

  int port() {
    return server.getLocalPort();
  }

  synchronized int accepted() {
    return accepted;
  }

  private void acceptLoop() {
    try {
      while (true) {
        Socket client = server.accept();
        Socket upstream = new Socket();
        upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5000);
        synchronized (this) {
          accepted++;
          open.add(client);
          open.add(upstream);
          threads.add(pump(client, upstream));
          threads.add(pump(upstream, client));
        }
      }
    } catch (IOException closed) {
      // server socket closed
    }
  }

  private Thread pump(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[16384];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
          out.write(buf, 0, n);
        }
      } catch (IOException dropped) {
        // connection cut
      } finally {
        closeQuietly(from);
        closeQuietly(to);
      }
    }, "proxy-pump");
    t.start();
    return t;
  }

  /** Cuts every open connection, both sides. */
  synchronized void dropAll() {
    open.forEach(DroppingProxy::closeQuietly);
    open.clear();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  @Override
  public void close() throws Exception {
    server.close();
    dropAll();
    List<Thread> all;
    synchronized (this) {
      all = new ArrayList<>(threads);
    }
    for (Thread t : all) {
      t.join(5000);
    }
  }
}
