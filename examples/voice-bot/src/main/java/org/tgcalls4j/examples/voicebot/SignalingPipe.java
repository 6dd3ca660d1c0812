package org.tgcalls4j.examples.voicebot;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;

/**
 * Carries private-call signaling blobs (what {@code phone.sendSignalingData} and
 * {@code updatePhoneCallSignalingData} carry) between the bot and whatever plays the Telegram
 * client, as frames of {@code BE32(length) || blob} over a byte stream: the framing of
 * {@code tgcalls4j call --signaling} and of the reference peer {@code p2p_peer.py}.
 *
 * <p>{@link #send} is thread-safe; {@link #receive} is for one reader thread.
 */
public final class SignalingPipe implements Closeable {
  /** The largest blob accepted either way, bytes (a signaling blob is at most 16 KiB). */
  public static final int MAX_BLOB_BYTES = 64 << 10;

  private final DataInputStream in;
  private final OutputStream out;
  private final Closeable resource;

  private SignalingPipe(InputStream in, OutputStream out, Closeable resource) {
    this.in = new DataInputStream(in);
    this.out = new BufferedOutputStream(out);
    this.resource = resource;
  }

  /**
   * Frames over given streams.
   *
   * @param in where blobs come from
   * @param out where blobs go
   * @param resource closed by {@link #close()} (e.g. the socket), or null
   * @return the pipe
   */
  public static SignalingPipe of(InputStream in, OutputStream out, Closeable resource) {
    return new SignalingPipe(Objects.requireNonNull(in, "in"), Objects.requireNonNull(out, "out"),
        resource);
  }

  /**
   * Opens a pipe from a spec: {@code tcp-connect:HOST:PORT} (retried until the timeout, so the
   * other side may start listening later), {@code tcp-listen:HOST:PORT} (accepts one connection)
   * or {@code stdio} (standard input and output; log to standard error then).
   *
   * @param spec the spec
   * @param timeout how long to wait for the connection
   * @return the connected pipe
   * @throws IllegalArgumentException if the spec is malformed (the message says which part)
   * @throws IOException if no connection was made within the timeout
   */
  public static SignalingPipe open(String spec, Duration timeout) throws IOException {
    Objects.requireNonNull(spec, "spec");
    long deadline = System.nanoTime() + timeout.toNanos();
    if (spec.equals("stdio")) {
      return of(new FileInputStream(FileDescriptor.in), new FileOutputStream(FileDescriptor.out), null);
    }
    InetSocketAddress address;
    boolean listen;
    if (spec.startsWith("tcp-connect:")) {
      listen = false;
      address = parseHostPort(spec, spec.substring("tcp-connect:".length()));
    } else if (spec.startsWith("tcp-listen:")) {
      listen = true;
      address = parseHostPort(spec, spec.substring("tcp-listen:".length()));
    } else {
      throw new IllegalArgumentException("signaling spec must be tcp-connect:HOST:PORT, "
          + "tcp-listen:HOST:PORT or stdio, got \"" + spec + "\"");
    }
    if (listen) {
      try (ServerSocket server = new ServerSocket()) {
        server.bind(address, 1);
        server.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
        Socket s = server.accept();
        return fromSocket(s);
      } catch (SocketTimeoutException e) {
        throw new IOException("no signaling connection to " + address + " within " + timeout, e);
      }
    }
    IOException last = null;
    do {
      Socket s = new Socket();
      try {
        long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
        s.connect(address, (int) Math.min(left, 5_000));
        return fromSocket(s);
      } catch (ConnectException | SocketTimeoutException e) {
        s.close();
        last = e;
        try {
          Thread.sleep(50);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while connecting to " + address, ie);
        }
      }
    } while (System.nanoTime() < deadline);
    throw new IOException("cannot connect signaling to " + address + " within " + timeout, last);
  }

  private static SignalingPipe fromSocket(Socket s) throws IOException {
    s.setTcpNoDelay(true);
    return of(s.getInputStream(), s.getOutputStream(), s);
  }

  private static InetSocketAddress parseHostPort(String spec, String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("signaling spec \"" + spec + "\" has no HOST:PORT");
    }
    String host = hostPort.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(hostPort.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("signaling spec \"" + spec + "\" has a bad port", e);
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("signaling spec \"" + spec + "\": port must be 1..65535");
    }
    return new InetSocketAddress(host, port);
  }

  /**
   * Sends one blob as one frame and flushes.
   *
   * @param blob 0..{@link #MAX_BLOB_BYTES} bytes; not kept
   * @throws IllegalArgumentException if the blob is too long
   * @throws IOException if the stream failed
   */
  public synchronized void send(byte[] blob) throws IOException {
    if (blob.length > MAX_BLOB_BYTES) {
      throw new IllegalArgumentException("signaling blob of " + blob.length + " bytes exceeds "
          + MAX_BLOB_BYTES);
    }
    byte[] header = {(byte) (blob.length >>> 24), (byte) (blob.length >>> 16),
        (byte) (blob.length >>> 8), (byte) blob.length};
    out.write(header);
    out.write(blob);
    out.flush();
  }

  /**
   * Reads the next blob; blocks.
   *
   * @return the blob, or null at a clean end of stream (between frames)
   * @throws IOException if the stream failed, ended inside a frame, or a frame's length exceeds
   *     {@link #MAX_BLOB_BYTES} (the stream is then unusable: framing is lost)
   */
  public byte[] receive() throws IOException {
    int first = in.read();
    if (first < 0) {
      return null;
    }
    int length;
    try {
      length = (first << 24) | (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8)
          | in.readUnsignedByte();
    } catch (EOFException e) {
      throw new IOException("signaling stream ended inside a frame's length", e);
    }
    if (length < 0 || length > MAX_BLOB_BYTES) {
      throw new IOException("signaling frame length " + Integer.toUnsignedString(length)
          + " exceeds " + MAX_BLOB_BYTES + " bytes");
    }
    byte[] blob = new byte[length];
    try {
      in.readFully(blob);
    } catch (EOFException e) {
      throw new IOException("signaling stream ended inside a frame of " + length + " bytes", e);
    }
    return blob;
  }

  @Override
  public void close() throws IOException {
    try {
      if (resource != null) {
        resource.close();
      }
    } finally {
      if (resource == null) {
        out.flush();
      }
    }
  }
}
