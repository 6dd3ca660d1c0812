package org.tgcalls4j.internal.rtmp.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hostile RTMP ingest on 127.0.0.1: simple handshake, then, once the client's first command
 * bytes arrive, a {@code _result} to {@code connect} (transaction 1) directly followed by the first
 * chunk of a message on each of {@link #STREAMS} chunk streams, none completed. A client that
 * bounds its open chunk streams at 64 must fail with a protocol error. With {@code publishFirst}
 * it also answers createStream and publish and floods only after {@code NetStream.Publish.Start}
 * (the client is publishing then). Every connection is served the same way; own AMF0 and
 * chunking, independent of the production code.
 */
public final class ChunkFloodServer implements AutoCloseable {
  public static final int STREAMS = 70;

  private final ServerSocket serverSocket;
  private final Thread acceptThread;
  private final boolean publishFirst;
  private final AtomicInteger connections = new AtomicInteger();
  private volatile boolean closed;
  private volatile Socket current;

  private ChunkFloodServer(ServerSocket serverSocket, boolean publishFirst) {
    this.serverSocket = serverSocket;
    this.publishFirst = publishFirst;
    this.acceptThread = new Thread(this::acceptLoop, "chunk-flood-accept");
    acceptThread.setDaemon(true);
  }

  /** @param publishFirst flood after NetStream.Publish.Start instead of with the connect reply */
  public static ChunkFloodServer start(boolean publishFirst) throws IOException {
    ChunkFloodServer server = new ChunkFloodServer(
        new ServerSocket(0, 8, InetAddress.getLoopbackAddress()), publishFirst);
    server.acceptThread.start();
    return server;
  }

  /** @return {@code rtmp://127.0.0.1:<port>/live/} */
  public String liveUrl() {
    return "rtmp://127.0.0.1:" + serverSocket.getLocalPort() + "/live/";
  }

  /** @return connections accepted so far */
  public int connections() {
    return connections.get();
  }

  private void acceptLoop() {
    while (!closed) {
      try (Socket s = serverSocket.accept()) {
        current = s;
        if (closed) {
          return;
        }
        connections.incrementAndGet();
        s.setSoTimeout(5000);
        serve(s);
      } catch (IOException e) {
        // the client went away, or the server was closed
      }
    }
  }

  private void serve(Socket s) throws IOException {
    DataInputStream in = new DataInputStream(s.getInputStream());
    OutputStream out = s.getOutputStream();
    byte[] c0c1 = new byte[1537];
    in.readFully(c0c1);
    byte[] s0s1s2 = new byte[1 + 2 * 1536];
    s0s1s2[0] = 3; // S1 all zeros: no digest, so the client echoes it (simple handshake)
    System.arraycopy(c0c1, 1, s0s1s2, 1 + 1536, 1536); // S2 echoes C1
    out.write(s0s1s2);
    out.flush();
    in.readFully(new byte[1536]); // C2
    in.readFully(new byte[12 + 4]); // Set Chunk Size (fmt 0 header + 4 bytes)
    in.readFully(new byte[1]); // the connect command has started to arrive
    ByteArrayOutputStream reply = new ByteArrayOutputStream();
    message(reply, 3, 20, 0, result(1, false));
    if (publishFirst) {
      out.write(reply.toByteArray());
      out.flush();
      reply.reset();
      // releaseStream (2), FCPublish (3), createStream (4): answer the last
      message(reply, 3, 20, 0, result(4, true));
      // publish is sent on stream 1 once createStream is answered
      sleepQuietly(200);
      message(reply, 5, 20, 1, publishStart());
      out.write(reply.toByteArray());
      out.flush();
      reply.reset();
      sleepQuietly(300); // the client is publishing now
    }
    for (int i = 0; i < STREAMS; i++) {
      int csid = 10 + i; // 10..79: the two-byte basic header from 64 on
      if (csid < 64) {
        reply.write(csid);
      } else {
        reply.write(0);
        reply.write(csid - 64);
      }
      byte[] header = {0, 0, 0, 0, 1, 0, 8, 0, 0, 0, 0}; // ts 0, length 256, audio, stream 0
      reply.write(header);
      reply.write(new byte[128]); // the first of two 128-byte chunks
    }
    out.write(reply.toByteArray());
    out.flush();
    // keep the connection until the client drops it
    byte[] sink = new byte[4096];
    while (in.read(sink) >= 0) {
      // discard
    }
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One message in 128-byte chunks: fmt 0 header, then fmt 3 continuation headers. */
  private static void message(ByteArrayOutputStream out, int csid, int type, int streamId,
      byte[] payload) {
    out.write(csid);
    out.write(0);
    out.write(0);
    out.write(0);
    out.write(payload.length >>> 16);
    out.write(payload.length >>> 8);
    out.write(payload.length);
    out.write(type);
    out.write(streamId);
    out.write(streamId >>> 8);
    out.write(streamId >>> 16);
    out.write(streamId >>> 24);
    for (int off = 0; off < payload.length; off += 128) {
      if (off > 0) {
        out.write(0xC0 | csid);
      }
      out.write(payload, off, Math.min(128, payload.length - off));
    }
  }

  private static byte[] result(int transactionId, boolean streamIdResult) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    string(b, "_result");
    number(b, transactionId);
    b.write(5); // null
    if (streamIdResult) {
      number(b, 1);
    } else {
      b.write(5); // null information
    }
    return b.toByteArray();
  }

  private static byte[] publishStart() {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    string(b, "onStatus");
    number(b, 0);
    b.write(5);
    b.write(3); // object
    property(b, "level", "status");
    property(b, "code", "NetStream.Publish.Start");
    b.write(0);
    b.write(0);
    b.write(9);
    return b.toByteArray();
  }

  private static void property(ByteArrayOutputStream b, String name, String value) {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    b.write(n.length >>> 8);
    b.write(n.length);
    b.writeBytes(n);
    string(b, value);
  }

  private static void string(ByteArrayOutputStream b, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    b.write(2);
    b.write(bytes.length >>> 8);
    b.write(bytes.length);
    b.writeBytes(bytes);
  }

  private static void number(ByteArrayOutputStream b, double value) {
    long bits = Double.doubleToLongBits(value);
    b.write(0);
    for (int shift = 56; shift >= 0; shift -= 8) {
      b.write((int) (bits >>> shift));
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      serverSocket.close();
      Socket s = current;
      if (s != null) {
        s.close();
      }
    } catch (IOException e) {
      // closing anyway
    }
    try {
      acceptThread.join(6000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
