package org.tgcalls4j.internal.transport;

import io.netty.channel.IoEventLoop;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client's single UDP port (gotgcall has one): one socket on one event loop, shared by the
 * group calls that lease it. An incoming datagram goes to the lease that claimed its source
 * address; a STUN request from an address nobody claimed yet (a peer-reflexive address) goes to the
 * lease whose ICE ufrag is the first half of its USERNAME (RFC 8445 §7.2.2), which then claims
 * that address too. Two calls to the same SFU address cannot share one 5-tuple (DTLS 1.2 has no
 * connection id), so {@link #lease} refuses a call whose remote addresses another lease holds, and
 * that call binds a socket of its own.
 *
 * <p>Loops: the socket is on one loop, and every call leasing it is pinned to that loop (calls that
 * do not use it spread over all loops as usual). The socket is bound at the first lease, so a port
 * that cannot be bound is reported by that call's connect.
 *
 * <p>Thread-safe: leases are made and given back from any thread; datagrams are routed on the loop
 * through concurrent maps (a lookup per datagram, no allocation).
 */
public final class SharedUdpPort implements AutoCloseable {
  private static final int STUN_HEADER_BYTES = 20;
  private static final int STUN_USERNAME = 0x0006;

  private final InetSocketAddress bindAddress;
  private final IoEventLoop loop;
  private final Map<InetSocketAddress, Lease> byRemote = new ConcurrentHashMap<>();
  private final Map<String, Lease> byUfrag = new ConcurrentHashMap<>();
  private final AtomicLong unrouted = new AtomicLong();
  /** Bound at the first lease (under this monitor), then read without it. */
  private volatile UdpPort socket;
  private boolean closed; // guarded by this

  /**
   * @param bindAddress where the socket will bind (port 0: a free port, chosen once)
   * @param loop the loop the socket and every leasing call run on
   */
  public SharedUdpPort(InetSocketAddress bindAddress, IoEventLoop loop) {
    this.bindAddress = bindAddress;
    this.loop = loop;
  }

  /** @return the loop the socket runs on; calls that may lease it are pinned to it */
  public IoEventLoop loop() {
    return loop;
  }

  /**
   * Leases the port for one call.
   *
   * @param localUfrag the call's ICE ufrag: STUN requests naming it are routed to the lease
   * @param remotes the peer's candidate addresses, claimed for this lease
   * @return the lease, or null if another lease holds one of {@code remotes} (or the ufrag)
   * @throws IOException if the socket cannot be bound (at the first lease) or the port is closed
   */
  public synchronized UdpPort lease(String localUfrag, Collection<InetSocketAddress> remotes)
      throws IOException {
    if (closed) {
      throw new IOException("the shared UDP port is closed");
    }
    if (byUfrag.containsKey(localUfrag)) {
      return null;
    }
    for (InetSocketAddress remote : remotes) {
      if (byRemote.containsKey(remote)) {
        return null;
      }
    }
    if (socket == null) {
      UdpPort bound = UdpPorts.bind(bindAddress, loop);
      bound.start(new Router());
      socket = bound;
    }
    Lease lease = new Lease(localUfrag, remotes);
    byUfrag.put(localUfrag, lease);
    for (InetSocketAddress remote : remotes) {
      byRemote.put(remote, lease);
    }
    return lease;
  }

  /** @return datagrams that no lease claimed (dropped) */
  public long unroutedDatagrams() {
    return unrouted.get();
  }

  /** @return how many leases are held */
  public int leaseCount() {
    return byUfrag.size();
  }

  private synchronized void release(Lease lease) {
    byUfrag.remove(lease.ufrag, lease);
    for (InetSocketAddress remote : lease.claimed) {
      byRemote.remove(remote, lease);
    }
  }

  /** Claims a peer-reflexive address for {@code lease} unless another lease holds it. */
  private synchronized boolean claim(Lease lease, InetSocketAddress remote) {
    if (lease.closed || byUfrag.get(lease.ufrag) != lease) {
      return false;
    }
    Lease holder = byRemote.putIfAbsent(remote, lease);
    if (holder == null) {
      lease.claimed.add(remote);
      return true;
    }
    return holder == lease;
  }

  /** Closes the socket; leases still held stop receiving. Idempotent. */
  @Override
  public void close() {
    UdpPort toClose;
    synchronized (this) {
      closed = true;
      toClose = socket;
    }
    if (toClose != null) {
      toClose.close();
    }
  }

  /**
   * @return the receiver's ufrag from a STUN Binding request's USERNAME ("receiver:sender"), or
   *     null if {@code data} is not such a request; every length is checked before it is read
   */
  public static String recipientUfrag(byte[] data, int length) {
    if (length < STUN_HEADER_BYTES || data[0] != 0 || data[1] != 1) {
      return null;
    }
    int end = Math.min(length, STUN_HEADER_BYTES + (((data[2] & 0xff) << 8) | (data[3] & 0xff)));
    int at = STUN_HEADER_BYTES;
    while (at + 4 <= end) {
      int type = ((data[at] & 0xff) << 8) | (data[at + 1] & 0xff);
      int valueLength = ((data[at + 2] & 0xff) << 8) | (data[at + 3] & 0xff);
      int value = at + 4;
      if (value + valueLength > end) {
        return null;
      }
      if (type == STUN_USERNAME) {
        for (int i = value; i < value + valueLength; i++) {
          if (data[i] == ':') {
            return new String(data, value, i - value, StandardCharsets.UTF_8);
          }
        }
        return null;
      }
      at = value + ((valueLength + 3) & ~3);
    }
    return null;
  }

  /** Routes the socket's datagrams to the leases; on the loop. */
  private final class Router implements UdpTransport.Handler {
    @Override
    public void onDatagram(byte[] data, int length, InetSocketAddress from, long nowNanos) {
      Lease lease = byRemote.get(from);
      if (lease == null) {
        String ufrag = recipientUfrag(data, length);
        Lease named = ufrag == null ? null : byUfrag.get(ufrag);
        if (named != null && claim(named, from)) {
          lease = named;
        }
      }
      if (lease == null || lease.handler == null || lease.closed) {
        unrouted.incrementAndGet();
        return;
      }
      try {
        lease.handler.onDatagram(data, length, from, nowNanos);
      } catch (RuntimeException e) {
        HandlerTimer.countFailure(lease.failures, e);
      }
      lease.timer.rearm();
    }

    @Override
    public long onTimer(long nowNanos) {
      return Long.MAX_VALUE; // each lease runs its own timers
    }

    @Override
    public void onFailure(Exception cause) {
      for (Lease lease : new ArrayList<>(byUfrag.values())) {
        if (lease.handler != null) {
          lease.handler.onFailure(cause);
        }
      }
    }
  }

  /** One call's share of the port. */
  private final class Lease implements UdpPort {
    final String ufrag;
    final List<InetSocketAddress> claimed;
    final AtomicLong failures = new AtomicLong();
    final HandlerTimer timer = new HandlerTimer(loop, failures);
    volatile UdpTransport.Handler handler;
    volatile boolean closed;

    Lease(String ufrag, Collection<InetSocketAddress> remotes) {
      this.ufrag = ufrag;
      this.claimed = new java.util.concurrent.CopyOnWriteArrayList<>(remotes);
    }

    @Override
    public void start(UdpTransport.Handler handler) {
      execute(() -> {
        this.handler = handler;
        timer.setHandler(handler);
      });
    }

    @Override
    public InetSocketAddress localAddress() {
      return socket.localAddress();
    }

    @Override
    public void send(InetSocketAddress to, byte[] data, int offset, int length) {
      if (!closed) {
        socket.send(to, data, offset, length);
      }
    }

    @Override
    public void execute(Runnable task) {
      Loops.execute(loop, () -> {
        if (!closed) {
          timer.runTask(task);
        }
      });
    }

    @Override
    public long handlerFailures() {
      return failures.get();
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      release(this);
      Loops.runAndWait(loop, timer::stop, 2000);
    }
  }
}
