package org.tgcalls4j.it;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A UDP relay on 127.0.0.1 between a call and the test SFU that loses, reorders and duplicates
 * datagrams, or stops forwarding altogether ({@link #goSilent()}: the SFU as seen from the call is
 * dead, no close_notify, no ICE error, nothing).
 *
 * <p>One socket faces the call (the address put into the SFU's answer by {@link #rewriteAnswer}),
 * one faces the SFU (the SFU learns it peer-reflexively from the call's checks). Each direction
 * has its own thread and its own seeded {@link Random}: a datagram is dropped with probability
 * {@code loss}; otherwise held back with probability {@code reorder} and sent right after the next
 * one (or after 50 ms of quiet); a datagram that is sent goes twice with probability
 * {@code duplicate}. Threads are named {@code relay-*} and end in {@link #close()}.
 */
final class ImpairedUdpRelay implements AutoCloseable {
  private static final int QUIET_FLUSH_MILLIS = 50;

  private final DatagramSocket callSide;
  private final DatagramSocket sfuSide;
  private final InetSocketAddress sfu;
  private final double loss;
  private final double reorder;
  private final double duplicate;
  private final Thread up;
  private final Thread down;
  private volatile InetSocketAddress call;
  private volatile boolean silent;
  private volatile boolean closed;

  /** RTP/RTCP datagrams from the call (first byte 128..191) the relay sent on at least once. */
  final AtomicLong mediaForwardedToSfu = new AtomicLong();
  /** RTP/RTCP datagrams from the call the relay dropped. */
  final AtomicLong mediaDroppedToSfu = new AtomicLong();
  /** Datagrams of either direction held back and sent after a later one. */
  final AtomicLong reordered = new AtomicLong();
  /** Datagrams of either direction sent twice. */
  final AtomicLong duplicated = new AtomicLong();
  /** Datagrams of either direction discarded after {@link #goSilent()}. */
  final AtomicLong swallowed = new AtomicLong();
  /**
   * How many more datagrams towards the SFU that start with a DTLS ChangeCipherSpec record
   * (content type 20: the call's last handshake flight as DTLS server) to drop.
   */
  final java.util.concurrent.atomic.AtomicInteger dropChangeCipherSpecToSfu =
      new java.util.concurrent.atomic.AtomicInteger();
  /** Datagrams dropped for {@link #dropChangeCipherSpecToSfu}. */
  final AtomicLong changeCipherSpecDropped = new AtomicLong();
  /**
   * Whether every DTLS datagram (first byte 20..63, RFC 7983 §7) is dropped in both directions
   * while STUN passes: ICE connects, the DTLS handshake never completes.
   */
  volatile boolean dropDtls;
  /** Datagrams dropped for {@link #dropDtls}. */
  final AtomicLong dtlsDropped = new AtomicLong();

  /**
   * @param sfu where the SFU listens (its answer's candidate)
   * @param seed seeds both directions' randomness (the SFU-bound one with {@code seed}, the
   *     call-bound one with {@code seed + 1})
   */
  ImpairedUdpRelay(InetSocketAddress sfu, long seed, double loss, double reorder, double duplicate)
      throws SocketException {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    this.sfu = sfu;
    this.loss = loss;
    this.reorder = reorder;
    this.duplicate = duplicate;
    this.callSide = new DatagramSocket(new InetSocketAddress(loopback, 0));
    try {
      this.sfuSide = new DatagramSocket(new InetSocketAddress(loopback, 0));
    } catch (SocketException e) {
      callSide.close();
      throw e;
    }
    up = new Thread(() -> pump(callSide, sfuSide, true, new Random(seed)), "relay-to-sfu");
    down = new Thread(() -> pump(sfuSide, callSide, false, new Random(seed + 1)), "relay-to-call");
    up.setDaemon(true);
    down.setDaemon(true);
    up.start();
    down.start();
  }

  /**
   * Starts a relay towards the SFU that wrote {@code answerJson}.
   *
   * @return the relay; {@link #rewriteAnswer} gives the answer for the call
   */
  static ImpairedUdpRelay forAnswer(String answerJson, long seed, double loss, double reorder,
      double duplicate) throws SocketException {
    JsonObject candidate = candidate(JsonParser.parseString(answerJson).getAsJsonObject());
    InetSocketAddress sfu = new InetSocketAddress(candidate.get("ip").getAsString(),
        Integer.parseInt(candidate.get("port").getAsString()));
    return new ImpairedUdpRelay(sfu, seed, loss, reorder, duplicate);
  }

  /** @return the SFU's answer with its one candidate pointing at the relay's call-facing socket */
  String rewriteAnswer(String answerJson) {
    JsonObject root = JsonParser.parseString(answerJson).getAsJsonObject();
    JsonObject candidate = candidate(root);
    candidate.addProperty("ip", "127.0.0.1");
    candidate.addProperty("port", Integer.toString(callSide.getLocalPort()));
    return root.toString();
  }

  private static JsonObject candidate(JsonObject answer) {
    return answer.getAsJsonObject("transport").getAsJsonArray("candidates").get(0).getAsJsonObject();
  }

  /** From now on nothing passes in either direction: the SFU looks dead to the call. */
  void goSilent() {
    silent = true;
  }

  private void pump(DatagramSocket from, DatagramSocket to, boolean towardsSfu, Random random) {
    byte[] buffer = new byte[2048];
    DatagramPacket in = new DatagramPacket(buffer, buffer.length);
    byte[] held = null;
    try {
      from.setSoTimeout(QUIET_FLUSH_MILLIS);
    } catch (SocketException e) {
      return;
    }
    while (!closed) {
      try {
        in.setData(buffer, 0, buffer.length);
        from.receive(in);
      } catch (SocketTimeoutException e) {
        if (held != null && !silent) {
          send(to, towardsSfu, held); // nothing followed it: let it go late rather than never
        }
        held = null;
        continue;
      } catch (IOException e) {
        return; // closed
      }
      if (towardsSfu) {
        call = (InetSocketAddress) in.getSocketAddress();
      }
      if (silent) {
        swallowed.incrementAndGet();
        held = null;
        continue;
      }
      byte[] datagram = java.util.Arrays.copyOf(buffer, in.getLength());
      boolean media = (datagram[0] & 0xff) >= 128 && (datagram[0] & 0xff) <= 191;
      if (dropDtls && (datagram[0] & 0xff) >= 20 && (datagram[0] & 0xff) <= 63) {
        dtlsDropped.incrementAndGet();
        continue;
      }
      if (towardsSfu && datagram[0] == 20
          && dropChangeCipherSpecToSfu.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        changeCipherSpecDropped.incrementAndGet();
        continue;
      }
      if (random.nextDouble() < loss) {
        if (towardsSfu && media) {
          mediaDroppedToSfu.incrementAndGet();
        }
        continue;
      }
      if (towardsSfu && media) {
        mediaForwardedToSfu.incrementAndGet();
      }
      if (held == null && random.nextDouble() < reorder) {
        held = datagram;
        reordered.incrementAndGet();
        continue;
      }
      send(to, towardsSfu, datagram);
      if (random.nextDouble() < duplicate) {
        duplicated.incrementAndGet();
        send(to, towardsSfu, datagram);
      }
      if (held != null) {
        send(to, towardsSfu, held);
        held = null;
      }
    }
  }

  private void send(DatagramSocket socket, boolean towardsSfu, byte[] datagram) {
    InetSocketAddress target = towardsSfu ? sfu : call;
    if (target == null) {
      return; // the SFU spoke before the call did: nowhere to send it yet
    }
    try {
      socket.send(new DatagramPacket(datagram, datagram.length, target));
    } catch (IOException e) {
      // closed, or the target is gone: a relay just drops it
    }
  }

  @Override
  public void close() throws InterruptedException {
    closed = true;
    callSide.close();
    sfuSide.close();
    up.join(2000);
    down.join(2000);
  }
}
