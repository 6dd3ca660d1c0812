package org.tgcalls4j.internal.ffmpeg;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * One extra ffmpeg output read by us: a TCP socket listening on 127.0.0.1 (ephemeral port,
 * backlog 1) whose address ffmpeg is given as an output URL ({@link #ffmpegUrl()}), and the
 * stream of the first connection accepted on it. {@link ProcessBuilder} cannot hand a child more
 * file descriptors than stdin/stdout/stderr, and a loopback socket (unlike a named pipe) needs no
 * temporary files and works on every OS ffmpeg runs on.
 *
 * <p>The connection is accepted lazily, on the first read, so opening a source never blocks the
 * caller; the kernel completes ffmpeg's connect into the backlog, so ffmpeg opening its outputs
 * in any order never waits for us. Only the first connection is accepted and the listening
 * socket is closed at once; another local process racing ffmpeg to the port could take its place
 * (it could not read anything of ours, only feed a stream the parsers validate).
 *
 * <p>One thread reads; {@link #close()} may be called from any thread and makes a blocked read
 * or accept end promptly with an {@link IOException}.
 */
public final class LoopbackInput extends InputStream {
  /** How long the first read waits for ffmpeg to connect. */
  public static final long ACCEPT_TIMEOUT_MILLIS = 15_000;
  private static final int ACCEPT_POLL_MILLIS = 200;

  private final ServerSocket server;
  private final String what;
  private volatile Socket socket;
  private InputStream in;
  private volatile boolean closed;

  /**
   * Binds the listening socket.
   *
   * @param what names the stream in error messages, e.g. "video"
   * @throws IOException if no loopback port can be bound
   */
  public LoopbackInput(String what) throws IOException {
    this.what = what;
    server = new ServerSocket();
    try {
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
      server.setSoTimeout(ACCEPT_POLL_MILLIS);
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
  }

  /** @return the URL ffmpeg writes to, {@code tcp://127.0.0.1:<port>} (IPv6 literal if so bound) */
  public String ffmpegUrl() {
    InetAddress address = server.getInetAddress();
    String host = address.getAddress().length == 16 ? "[" + address.getHostAddress() + "]"
        : address.getHostAddress();
    return "tcp://" + host + ":" + server.getLocalPort();
  }

  private InputStream stream() throws IOException {
    if (in != null) {
      return in;
    }
    long deadline = System.nanoTime() + ACCEPT_TIMEOUT_MILLIS * 1_000_000L;
    while (true) {
      if (closed) {
        throw new IOException(what + " stream closed");
      }
      try {
        return accepted(server.accept());
      } catch (SocketTimeoutException e) {
        if (System.nanoTime() - deadline > 0) {
          throw new InterruptedIOException("ffmpeg did not connect its " + what + " output within "
              + ACCEPT_TIMEOUT_MILLIS + " ms");
        }
        if (Thread.currentThread().isInterrupted()) {
          throw new InterruptedIOException("interrupted waiting for ffmpeg's " + what + " output");
        }
      }
    }
  }

  private InputStream accepted(Socket s) throws IOException {
    socket = s;
    server.close();
    if (closed) {
      s.close();
      throw new IOException(what + " stream closed");
    }
    in = s.getInputStream();
    return in;
  }

  /**
   * Whether ffmpeg has connected and written bytes not read yet; accepts a pending connection,
   * waiting for one at most 1 ms. Call it before reading starts, on the thread that will read (or
   * one that hands over to it), never while another thread reads.
   *
   * @return true if a read would return data (or the end) without waiting for ffmpeg
   */
  public boolean hasData() {
    try {
      if (in == null) {
        if (closed) {
          return true; // a read fails at once
        }
        server.setSoTimeout(1);
        try {
          accepted(server.accept());
        } catch (SocketTimeoutException e) {
          return false;
        } finally {
          if (!server.isClosed()) {
            server.setSoTimeout(ACCEPT_POLL_MILLIS);
          }
        }
      }
      return in.available() > 0;
    } catch (IOException e) {
      return true; // a read fails at once
    }
  }

  @Override
  public int read() throws IOException {
    return stream().read();
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    return stream().read(b, off, len);
  }

  /** Closes the listening socket and the connection; idempotent, any thread. */
  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException ignored) {
      // nothing to release beyond the socket
    }
    Socket s = socket;
    if (s != null) {
      try {
        s.close();
      } catch (IOException ignored) {
        // the peer is gone anyway
      }
    }
  }
}
