package org.tgcalls4j.internal.reflector;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.tgcalls4j.internal.ice.ReflectorAddress;

/**
 * A relay port on one of Telegram's UDP reflectors (p2p-call.md §2.4; tgcalls
 * {@code v2/ReflectorPort.cpp}), sans-I/O: datagrams and the time go in, datagrams and events come
 * out through an {@link Output}. Not thread-safe: the owner serialises every call.
 *
 * <p>The port says hello ({@link #hello}) every {@value #HELLO_INTERVAL_MILLIS} ms until the
 * reflector answers with any datagram that starts with the call's peer tag, then every
 * {@value #KEEPALIVE_INTERVAL_MILLIS} ms. On the first answer it becomes ready and reports its
 * relay candidate, {@code reflector-<id>-<tag>.reflector} with the reflector's port (a
 * {@link ReflectorAddress}). Payloads to a peer's reflector candidate go out framed as
 * {@code peer_tag[0..12] | LE32(peer's tag) | LE32(our tag) | BE32(length) | payload | zero pad to 4};
 * framed datagrams that arrive are unwrapped and reported as coming from the sender's reflector
 * candidate. A reflector that does not answer within the ready timeout is reported once through
 * {@link Output#onUnanswered} (tgcalls says hello forever; a call has a connect budget).
 *
 * <p>Malformed, foreign or unexpected datagrams are counted ({@link #droppedDatagrams}) and
 * dropped, never thrown.
 */
public final class ReflectorClient {
  /** The reflector port when {@code phoneConnection.port} is 0 (p2p-call.md §2.4). */
  public static final int DEFAULT_PORT = 599;
  /** Length of a {@code phoneConnection.peer_tag}, bytes. */
  public static final int PEER_TAG_BYTES = 16;
  /** Hello interval until the first answer, ms. */
  public static final long HELLO_INTERVAL_MILLIS = 500;
  /** Hello (keepalive) interval once ready, ms. */
  public static final long KEEPALIVE_INTERVAL_MILLIS = 10_000;
  /** Length of a hello, bytes. */
  public static final int HELLO_BYTES = 40;
  /** Framing before a payload: tag(16), sender tag(4), length(4); bytes. */
  public static final int HEADER_BYTES = 24;
  /** Longest payload sent or accepted: a UDP datagram of 65,507 bytes less the framing and padding. */
  public static final int MAX_PAYLOAD_BYTES = 65_507 - HEADER_BYTES - 3;
  /** The tag compared on receipt: the first 12 bytes of the peer tag (tgcalls compares 12). */
  private static final int CALL_TAG_BYTES = 12;

  /** Receives what the client produces; called synchronously from the client's methods. */
  public interface Output {
    /** A datagram for the reflector; the array may be reused after the call returns. */
    void sendToServer(byte[] datagram, int offset, int length);

    /** The reflector answered: {@code candidate} is our relay candidate's address. Once. */
    void onReady(InetSocketAddress candidate);

    /** A payload relayed from the peer whose reflector candidate is {@code from}; valid during the call. */
    void onRelayed(InetSocketAddress from, byte[] data, int offset, int length);

    /** The reflector did not answer within the ready timeout; the client is inert from now on. Once. */
    void onUnanswered(long waitedMillis);
  }

  private enum State { NEW, HELLO, READY, UNANSWERED, CLOSED }

  private final InetSocketAddress server;
  private final int reflectorId;
  private final long tag;
  private final long readyTimeoutNanos;
  private final byte[] hello;
  private final InetSocketAddress candidate;
  private State state = State.NEW;
  private long startNanos;
  private long nextHelloNanos;
  private long dropped;
  private long relayedSent;
  private long relayedReceived;

  /**
   * @param server the reflector's UDP address (resolved)
   * @param reflectorId the reflector's id, 1..255: the 1-based index of its {@code phoneConnection.id}
   *     among the call's sorted ids (p2p-call.md §2.2), the same on both sides
   * @param peerTag the 16-byte {@code peer_tag}; copied
   * @param tag our random tag, 1..2^32-1, chosen by the owner per port
   * @param readyTimeoutMillis how long to wait for the reflector's first answer, ms, at least 1
   * @throws NullPointerException if a reference is null
   * @throws IllegalArgumentException if the server is unresolved, the peer tag is not 16 bytes, or a
   *     number is out of range
   */
  public ReflectorClient(InetSocketAddress server, int reflectorId, byte[] peerTag, long tag,
      long readyTimeoutMillis) {
    this.server = Objects.requireNonNull(server, "server");
    Objects.requireNonNull(peerTag, "peerTag");
    if (server.isUnresolved()) {
      throw new IllegalArgumentException("reflector address is unresolved: " + server);
    }
    if (peerTag.length != PEER_TAG_BYTES) {
      throw new IllegalArgumentException("peer_tag must be " + PEER_TAG_BYTES + " bytes, got "
          + peerTag.length);
    }
    if (readyTimeoutMillis < 1) {
      throw new IllegalArgumentException("readyTimeoutMillis must be >= 1, got " + readyTimeoutMillis);
    }
    this.candidate = ReflectorAddress.of(reflectorId, tag, server.getPort()); // checks id and tag
    this.reflectorId = reflectorId;
    this.tag = tag;
    this.readyTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(readyTimeoutMillis);
    this.hello = hello(peerTag, tag);
  }

  /**
   * The hello and keepalive datagram: {@code peer_tag[0..12] | LE32(tag) | FF×12 | FE FF FF FF |
   * BE64(123)}, 40 bytes (p2p-call.md §2.4 and §7).
   *
   * @param peerTag the 16-byte peer tag (only its first 12 bytes are used)
   * @param tag our tag, unsigned 32-bit
   * @return a new array
   */
  public static byte[] hello(byte[] peerTag, long tag) {
    byte[] b = new byte[HELLO_BYTES];
    System.arraycopy(peerTag, 0, b, 0, CALL_TAG_BYTES);
    putLe32(b, 12, tag);
    Arrays.fill(b, 16, 32, (byte) 0xFF);
    b[28] = (byte) 0xFE;
    b[39] = 123; // BE64(123) in bytes 32..39
    return b;
  }

  /** Sends the first hello. Does nothing unless the client is new. */
  public void start(long nowNanos, Output out) {
    if (state != State.NEW) {
      return;
    }
    state = State.HELLO;
    startNanos = nowNanos;
    sendHello(nowNanos, HELLO_INTERVAL_MILLIS, out);
  }

  /** @return true if a datagram from {@code from} belongs to this client (it came from the reflector) */
  public boolean isFromServer(InetSocketAddress from) {
    return server.equals(from);
  }

  /**
   * Handles a datagram from the reflector: the first one that carries the call's tag makes the port
   * ready; a framed payload is reported through {@link Output#onRelayed}; service replies (bytes
   * 16..28 all 0xFF) and short answers carry nothing. Anything else is counted and dropped.
   */
  public void onDatagram(byte[] data, int offset, int length, long nowNanos, Output out) {
    if ((state != State.HELLO && state != State.READY) || length < PEER_TAG_BYTES
        || !Arrays.equals(data, offset, offset + CALL_TAG_BYTES, hello, 0, CALL_TAG_BYTES)) {
      dropped++;
      return;
    }
    if (state == State.HELLO) {
      state = State.READY;
      nextHelloNanos = nowNanos + TimeUnit.MILLISECONDS.toNanos(KEEPALIVE_INTERVAL_MILLIS);
      out.onReady(candidate);
    }
    if (length <= HEADER_BYTES || isServiceReply(data, offset, length)) {
      return;
    }
    long sender = getLe32(data, offset + 16);
    long payloadLength = getBe32(data, offset + 20);
    if (sender == 0 || payloadLength > length - HEADER_BYTES) {
      dropped++; // tgcalls tags are never 0; the length must fit the datagram
      return;
    }
    relayedReceived++;
    out.onRelayed(ReflectorAddress.of(reflectorId, sender, server.getPort()), data,
        offset + HEADER_BYTES, (int) payloadLength);
  }

  private static boolean isServiceReply(byte[] data, int offset, int length) {
    if (length < PEER_TAG_BYTES + 12) {
      return false;
    }
    for (int i = offset + 16; i < offset + 28; i++) {
      if (data[i] != (byte) 0xFF) {
        return false;
      }
    }
    return true;
  }

  /**
   * Relays a payload to a peer's reflector candidate on this reflector (same id and port). Dropped
   * and counted: before the port is ready, after it failed or closed, to any other address, or
   * longer than {@value #MAX_PAYLOAD_BYTES} bytes.
   */
  public void send(InetSocketAddress to, byte[] data, int offset, int length, Output out) {
    if (state != State.READY || !ReflectorAddress.isReflector(to)
        || ReflectorAddress.reflectorId(to) != reflectorId || to.getPort() != server.getPort()
        || length > MAX_PAYLOAD_BYTES) {
      dropped++;
      return;
    }
    byte[] b = new byte[(HEADER_BYTES + length + 3) & ~3];
    System.arraycopy(hello, 0, b, 0, CALL_TAG_BYTES);
    putLe32(b, 12, ReflectorAddress.tag(to));
    putLe32(b, 16, tag);
    b[20] = (byte) (length >>> 24);
    b[21] = (byte) (length >>> 16);
    b[22] = (byte) (length >>> 8);
    b[23] = (byte) length;
    System.arraycopy(data, offset, b, HEADER_BYTES, length);
    relayedSent++;
    out.sendToServer(b, 0, b.length);
  }

  /**
   * Sends the hello or keepalive that is due, or reports that the reflector never answered.
   *
   * @return when to call again, {@link System#nanoTime()} based; {@link Long#MAX_VALUE} when inert
   */
  public long onTimer(long nowNanos, Output out) {
    switch (state) {
      case HELLO -> {
        if (nowNanos - startNanos >= readyTimeoutNanos) {
          state = State.UNANSWERED;
          out.onUnanswered(TimeUnit.NANOSECONDS.toMillis(nowNanos - startNanos));
          return Long.MAX_VALUE;
        }
        if (nowNanos - nextHelloNanos >= 0) {
          sendHello(nowNanos, HELLO_INTERVAL_MILLIS, out);
        }
        return Math.min(nextHelloNanos, startNanos + readyTimeoutNanos);
      }
      case READY -> {
        if (nowNanos - nextHelloNanos >= 0) {
          sendHello(nowNanos, KEEPALIVE_INTERVAL_MILLIS, out);
        }
        return nextHelloNanos;
      }
      default -> {
        return Long.MAX_VALUE;
      }
    }
  }

  private void sendHello(long nowNanos, long intervalMillis, Output out) {
    nextHelloNanos = nowNanos + TimeUnit.MILLISECONDS.toNanos(intervalMillis);
    out.sendToServer(hello, 0, hello.length);
  }

  /** Stops the port; it is inert afterwards (the protocol has no release message). */
  public void close() {
    state = State.CLOSED;
  }

  /** @return our relay candidate's address; valid before the port is ready */
  public InetSocketAddress candidateAddress() {
    return candidate;
  }

  /** @return whether the reflector has answered and the port has not closed */
  public boolean isReady() {
    return state == State.READY;
  }

  /** @return datagrams dropped: foreign, malformed, unexpected, or not sendable */
  public long droppedDatagrams() {
    return dropped;
  }

  /** @return payloads relayed to peers */
  public long relayedSent() {
    return relayedSent;
  }

  /** @return payloads received from peers */
  public long relayedReceived() {
    return relayedReceived;
  }

  @Override
  public String toString() {
    return "ReflectorClient[" + server + ", id " + reflectorId + ", " + state + "]";
  }

  private static void putLe32(byte[] b, int at, long v) {
    b[at] = (byte) v;
    b[at + 1] = (byte) (v >>> 8);
    b[at + 2] = (byte) (v >>> 16);
    b[at + 3] = (byte) (v >>> 24);
  }

  private static long getLe32(byte[] b, int at) {
    return (b[at] & 0xFFL) | ((b[at + 1] & 0xFFL) << 8) | ((b[at + 2] & 0xFFL) << 16)
        | ((b[at + 3] & 0xFFL) << 24);
  }

  private static long getBe32(byte[] b, int at) {
    return ((b[at] & 0xFFL) << 24) | ((b[at + 1] & 0xFFL) << 16) | ((b[at + 2] & 0xFFL) << 8)
        | (b[at + 3] & 0xFFL);
  }
}
