package org.tgcalls4j.it;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Random;

/**
 * A one-connection RTMP "ingest" on 127.0.0.1 that misbehaves in one chosen way; after the
 * handshake it waits for the client's {@code connect} command before misbehaving (the client
 * then waits for the reply, so its reader's error is the one reported: misbehaving while the
 * client still writes its commands can make the write fail first on the socket the reader
 * closed, and the publisher then reports {@code io: Socket closed} instead of the cause). Written from the
 * RTMP specification (§5.2 handshake, §5.3 chunks, §5.4.1 Set Chunk Size), independent of the
 * production code. The accept thread is named {@code hostile-rtmp} and ends in {@link #close()}.
 */
final class HostileRtmpServer implements AutoCloseable {
  /** How the server misbehaves. */
  enum Behaviour {
    /** Answers C0+C1 with 3073 random bytes instead of S0+S1+S2 (S0 is not version 3). */
    GARBAGE_INSTEAD_OF_S0_S1("handshake"),
    /** Accepts the TCP connection, reads C0+C1 and never answers. */
    STALL_HANDSHAKE("timeout"),
    /**
     * Completes a simple handshake, announces the largest chunk size (2^31-1) and starts a
     * message declaring 16 MiB - 1 bytes (the reader must refuse it, not buffer or allocate it).
     */
    HUGE_CHUNK_SIZE("protocol"),
    /** Completes the handshake, then sets a chunk size with the reserved top bit (0xFFFFFFFF). */
    INVALID_CHUNK_SIZE("protocol"),
    /** Completes the handshake, then starts 100 messages on 100 chunk streams, none finished. */
    TOO_MANY_CHUNK_STREAMS("protocol"),
    /** Resets the TCP connection (SO_LINGER 0) as soon as it is accepted. */
    RESET_AFTER_ACCEPT("io", "handshake");

    /** The {@code RtmpException.code()}s the client may report for this behaviour. */
    final java.util.Set<String> codes;

    Behaviour(String... codes) {
      this.codes = java.util.Set.of(codes);
    }
  }

  private static final int HANDSHAKE_SIZE = 1536;

  private final ServerSocket server;
  private final Behaviour behaviour;
  private final Thread thread;
  private volatile long acceptedNanos;
  private volatile Socket connection;

  private HostileRtmpServer(ServerSocket server, Behaviour behaviour) {
    this.server = server;
    this.behaviour = behaviour;
    this.thread = new Thread(this::serve, "hostile-rtmp");
    thread.setDaemon(true);
  }

  static HostileRtmpServer start(Behaviour behaviour) throws IOException {
    HostileRtmpServer s =
        new HostileRtmpServer(new ServerSocket(0, 4, InetAddress.getLoopbackAddress()), behaviour);
    s.thread.start();
    return s;
  }

  String url() {
    return "rtmp://127.0.0.1:" + server.getLocalPort() + "/live/";
  }

  /** @return {@link System#nanoTime()} when the client's connection was accepted, 0 before */
  long acceptedNanos() {
    return acceptedNanos;
  }

  private void serve() {
    try {
      Socket socket = server.accept();
      connection = socket;
      acceptedNanos = System.nanoTime();
      if (behaviour == Behaviour.RESET_AFTER_ACCEPT) {
        socket.setSoLinger(true, 0);
        socket.close();
        return;
      }
      DataInputStream in = new DataInputStream(socket.getInputStream());
      OutputStream out = socket.getOutputStream();
      byte[] c0c1 = new byte[1 + HANDSHAKE_SIZE];
      in.readFully(c0c1);
      Random random = new Random(7);
      switch (behaviour) {
        case GARBAGE_INSTEAD_OF_S0_S1 -> {
          byte[] garbage = new byte[1 + 2 * HANDSHAKE_SIZE];
          random.nextBytes(garbage);
          garbage[0] = (byte) 0xEE;
          out.write(garbage);
          out.flush();
        }
        case STALL_HANDSHAKE -> { }
        default -> {
          simpleHandshake(in, out, c0c1, random);
          // misbehave once the client waits for its connect reply, not while it still writes:
          // otherwise its write may fail first on the socket its reader closed ("io" instead of
          // the reader's "protocol" cause; see TOO_MANY_CHUNK_STREAMS)
          readUntil(in, "connect".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
          out.write(hostileChunks());
          out.flush();
        }
      }
      // keep the connection open and read whatever comes until the client gives up
      byte[] sink = new byte[4096];
      while (in.read(sink) >= 0) {
        // discard
      }
    } catch (IOException e) {
      // the client closed or reset the connection, or close() closed the server
    }
  }

  /** Reads the client's bytes until {@code marker} went by. */
  private static void readUntil(DataInputStream in, byte[] marker) throws IOException {
    int matched = 0;
    while (matched < marker.length) {
      int b = in.read();
      if (b < 0) {
        throw new java.io.EOFException("the client closed before sending " + new String(marker,
            java.nio.charset.StandardCharsets.US_ASCII));
      }
      matched = b == (marker[matched] & 0xFF) ? matched + 1 : (b == (marker[0] & 0xFF) ? 1 : 0);
    }
  }

  /** S0 = 3, S1 = time 0 + zero version (no digest) + random, S2 = echo of C1; then reads C2. */
  private static void simpleHandshake(DataInputStream in, OutputStream out, byte[] c0c1, Random random)
      throws IOException {
    byte[] s1 = new byte[HANDSHAKE_SIZE];
    random.nextBytes(s1);
    java.util.Arrays.fill(s1, 0, 8, (byte) 0);
    out.write(3);
    out.write(s1);
    out.write(c0c1, 1, HANDSHAKE_SIZE);
    out.flush();
    in.readFully(new byte[HANDSHAKE_SIZE]);
  }

  private byte[] hostileChunks() {
    ByteArrayOutputStream chunks = new ByteArrayOutputStream();
    switch (behaviour) {
      case HUGE_CHUNK_SIZE -> {
        setChunkSize(chunks, 0x7FFF_FFFF);
        // type 0 header on chunk stream 3: AMF0 command of 0xFFFFFF bytes, then a little of it
        chunks.write(3);
        writeInt(chunks, 0, 3);
        writeInt(chunks, 0xFF_FFFF, 3);
        chunks.write(20);
        writeInt(chunks, 0, 4);
        chunks.writeBytes(new byte[1000]);
      }
      case INVALID_CHUNK_SIZE -> setChunkSize(chunks, 0xFFFF_FFFF);
      case TOO_MANY_CHUNK_STREAMS -> {
        for (int csid = 3; csid < 103; csid++) {
          if (csid < 64) {
            chunks.write(csid); // fmt 0, one-byte basic header
          } else {
            chunks.write(0); // fmt 0, two-byte basic header (RTMP spec §5.3.1.1)
            chunks.write(csid - 64);
          }
          writeInt(chunks, 0, 3);
          writeInt(chunks, 1000, 3); // 1000 bytes declared, only the first 128-byte chunk sent
          chunks.write(20);
          writeInt(chunks, 0, 4);
          chunks.writeBytes(new byte[128]);
        }
      }
      default -> throw new IllegalStateException(behaviour.name());
    }
    return chunks.toByteArray();
  }

  /** Protocol control message 1 on chunk stream 2, message stream 0 (spec §5.4.1). */
  private static void setChunkSize(ByteArrayOutputStream chunks, long size) {
    chunks.write(2);
    writeInt(chunks, 0, 3);
    writeInt(chunks, 4, 3);
    chunks.write(1);
    writeInt(chunks, 0, 4);
    writeInt(chunks, size, 4);
  }

  private static void writeInt(ByteArrayOutputStream out, long value, int bytes) {
    for (int i = bytes - 1; i >= 0; i--) {
      out.write((int) (value >>> (8 * i)) & 0xFF);
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    server.close();
    Socket s = connection;
    if (s != null) {
      s.close();
    }
    thread.join(2000);
  }
}
