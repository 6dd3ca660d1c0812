package org.tgcalls4j.it;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Telegram UDP reflector for the tests, written from p2p-call.md §2.4 (no public implementation
 * exists): a peer registers with a hello that carries its tag (the call's 12-byte tag and its own
 * 4-byte random tag) and gets the hello echoed as the service reply; a framed datagram
 * {@code call tag(12) | LE32(to) | LE32(from) | BE32(length) | payload} is forwarded unchanged to
 * the peer that registered {@code to} under the same call tag. It counts hellos and, per sender
 * tag, the RTP and other payloads it forwarded. A silent reflector counts hellos and answers
 * nothing.
 */
final class TestReflector implements AutoCloseable {
  private final DatagramSocket socket;
  private final Thread thread;
  private final boolean silent;
  private final Map<String, InetSocketAddress> peers = new ConcurrentHashMap<>();
  private final Map<Long, AtomicLong> rtpForwarded = new ConcurrentHashMap<>();
  private final Map<Long, AtomicLong> otherForwarded = new ConcurrentHashMap<>();
  final AtomicLong hellos = new AtomicLong();
  final AtomicLong unroutable = new AtomicLong();
  private volatile boolean closed;

  private TestReflector(boolean silent) throws SocketException {
    this.silent = silent;
    socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    socket.setSoTimeout(100);
    thread = new Thread(this::run, "test-reflector");
    thread.start();
  }

  /** @return a reflector that relays */
  static TestReflector start() throws SocketException {
    return new TestReflector(false);
  }

  /** @return a reflector that receives hellos and never answers */
  static TestReflector silent() throws SocketException {
    return new TestReflector(true);
  }

  int port() {
    return socket.getLocalPort();
  }

  /** @return RTP packets (first byte 128..191, payload type not 192..223) forwarded from {@code tag} */
  long rtpForwardedFrom(long tag) {
    AtomicLong n = rtpForwarded.get(tag);
    return n == null ? 0 : n.get();
  }

  /** @return other payloads (STUN, DTLS, RTCP) forwarded from {@code tag} */
  long otherForwardedFrom(long tag) {
    AtomicLong n = otherForwarded.get(tag);
    return n == null ? 0 : n.get();
  }

  /** @return the sender tags that forwarded anything */
  java.util.Set<Long> senders() {
    java.util.Set<Long> all = new java.util.TreeSet<>(rtpForwarded.keySet());
    all.addAll(otherForwarded.keySet());
    return all;
  }

  private void run() {
    byte[] buffer = new byte[65_535];
    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
    while (!closed) {
      try {
        packet.setLength(buffer.length);
        socket.receive(packet);
        handle(buffer, packet.getLength(), (InetSocketAddress) packet.getSocketAddress());
      } catch (SocketTimeoutException e) {
        // check closed
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void handle(byte[] b, int length, InetSocketAddress from) throws IOException {
    if (length < 24) {
      return;
    }
    String call = HexFormat.of().formatHex(b, 0, 12);
    ByteBuffer le = ByteBuffer.wrap(b, 0, length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    boolean hello = length >= 28;
    for (int i = 16; hello && i < 28; i++) {
      hello = b[i] == (byte) 0xFF;
    }
    if (hello) {
      hellos.incrementAndGet();
      long tag = le.getInt(12) & 0xFFFF_FFFFL;
      peers.put(call + "/" + tag, from);
      if (!silent) {
        socket.send(new DatagramPacket(b, length, from)); // the service reply
      }
      return;
    }
    if (silent) {
      return;
    }
    long to = le.getInt(12) & 0xFFFF_FFFFL;
    long sender = le.getInt(16) & 0xFFFF_FFFFL;
    peers.put(call + "/" + sender, from);
    InetSocketAddress target = peers.get(call + "/" + to);
    if (target == null) {
      unroutable.incrementAndGet();
      return;
    }
    int first = b[24] & 0xFF;
    int payloadType = length > 25 ? b[25] & 0xFF : 0;
    boolean rtp = first >= 128 && first <= 191 && !(payloadType >= 192 && payloadType <= 223);
    (rtp ? rtpForwarded : otherForwarded).computeIfAbsent(sender, k -> new AtomicLong())
        .incrementAndGet();
    socket.send(new DatagramPacket(b, length, target));
  }

  @Override
  public void close() throws InterruptedException {
    closed = true;
    socket.close();
    thread.join(5_000);
  }
}
