package org.tgcalls4j.internal.pc;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tgcalls4j.NotConnectedException;
import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.TransportException;
import org.tgcalls4j.internal.dtls.DtlsEndpoint;
import org.tgcalls4j.internal.dtls.DtlsException;
import org.tgcalls4j.internal.dtls.DtlsSrtpKeys;
import org.tgcalls4j.internal.ice.HostCandidates;
import org.tgcalls4j.internal.ice.IceAgent;
import org.tgcalls4j.internal.ice.IceCandidate;
import org.tgcalls4j.internal.ice.LocalCandidate;
import org.tgcalls4j.internal.ice.IceState;
import org.tgcalls4j.internal.logging.LogContext;
import org.tgcalls4j.internal.reflector.ReflectorClient;
import org.tgcalls4j.internal.srtp.SrtpContext;
import org.tgcalls4j.internal.transport.UdpPort;
import org.tgcalls4j.internal.transport.UdpPorts;
import org.tgcalls4j.internal.transport.UdpTransport;
import org.tgcalls4j.internal.turn.TurnClient;
import org.tgcalls4j.internal.turn.TurnException;

/**
 * The one transport every call type uses: ICE, DTLS-SRTP, SRTP/SRTCP and RTCP routing over one
 * UDP socket (RFC 8445, RFC 5764, RFC 3711, RFC 7983 demultiplexing), with {@link MediaTrack}s
 * plugged in. It knows nothing of signaling: the caller gives it credentials, candidates and the
 * peer's fingerprint, and gets media paths and lifecycle events back.
 *
 * <p>Threads: the socket's I/O thread owns the ICE agent, the receiving SRTP context and the
 * track routing; the DTLS handshake runs on the shared {@link TransportSettings#control()}
 * executor, which also runs {@link Listener} callbacks; after the handshake no thread is held for
 * DTLS. {@link #sendRtp}, {@link #sendRtpInPlace} and {@link #sendRtcp} may be called from any
 * thread (the sending SRTP context is guarded by a lock). Every thread that works for the
 * transport carries its {@link TransportSettings#logContext()} in the SLF4J MDC.
 *
 * <p>Per-packet garbage: {@link #sendRtpInPlace} protects in the caller's buffer, and received
 * SRTP is unprotected in the socket's receive buffer and routed by {@link MediaRouter} through a
 * lookup that does not box the SSRC, so neither direction allocates per packet, for any profile.
 *
 * <p>Life cycle: {@link #connect} once; its future completes when media can flow or fails with
 * {@link NotConnectedException} (timeout, stopped) or {@link TransportException} (ICE, DTLS,
 * fingerprint, socket), after which the transport is closed. Once connected, a lost connection is
 * reported once to {@link Listener#onDisconnected} and the transport closes itself.
 */
public final class PeerTransport implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PeerTransport.class);
  /** The port id of the transport's UDP socket; relay ports are numbered from 1. */
  private static final int SOCKET_PORT_ID = 0;

  /** Lifecycle events after a successful connect. */
  public interface Listener {
    /**
     * The connection was lost after {@link #connect} completed: ICE consent expired (RFC 7675
     * §5.1), the peer closed DTLS or sent a fatal alert, or the socket failed. Called at most once,
     * on the control executor; the transport is already closed.
     *
     * @param cause what was lost, with the layer in {@link TransportException#stage()}
     */
    void onDisconnected(TransportException cause);

    /**
     * DTLS application data from the peer after the handshake (the SCTP data channel, RFC 8261);
     * on the I/O thread (rarely the control thread that finished the handshake).
     *
     * @param data valid only during the call
     * @param offset where the data starts
     * @param length its length in bytes
     */
    default void onApplicationData(byte[] data, int offset, int length) {}

    /**
     * A local candidate to signal to the peer (trickle, RFC 8838): host addresses when
     * {@link TransportSettings#gatherHostCandidates()}, server-reflexive ones as STUN servers
     * answer. On the I/O thread. Group calls signal none (group-call.md §2.1).
     *
     * @param candidate the candidate
     */
    default void onLocalCandidate(IceCandidate candidate) {}
  }

  private final TransportSettings settings;
  private final Listener listener;
  private final CompletableFuture<Void> connected = new CompletableFuture<>();
  /** The DTLS handshake outlasted the connect timeout (set before {@link #failConnect} reads it). */
  private volatile boolean handshakeTimeout;
  /** Set before {@link #connected} fails, see {@link #connectTimedOut()}. */
  private volatile boolean connectTimedOut;
  private final AtomicBoolean connectCalled = new AtomicBoolean();
  private final AtomicBoolean ended = new AtomicBoolean();
  /** Unprotects and routes received SRTP/SRTCP to the tracks; see {@link MediaRouter}. */
  private final MediaRouter router = new MediaRouter();
  private final AtomicLong droppedIncoming = new AtomicLong();
  private final Object sendLock = new Object();

  private volatile UdpPort udp;
  private volatile DtlsEndpoint dtls;
  private volatile InetSocketAddress selectedRemote;
  private volatile SrtpContext receiveContext;
  private SrtpContext sendContext; // guarded by sendLock
  private volatile long connectStartNanos;
  private volatile RemoteDescription remote;

  // I/O thread only
  private IceAgent ice;
  /** Relay ports: relay {@code i} has port id {@code i + 1}; each is guarded by its own monitor. */
  private volatile List<Relay> relays = List.of();
  private volatile int selectedPortId = SOCKET_PORT_ID;

  /**
   * Creates the transport; nothing is bound until {@link #connect}.
   *
   * @param settings how to connect
   * @param listener told when an established connection is lost
   */
  public PeerTransport(TransportSettings settings, Listener listener) {
    this.settings = settings;
    this.listener = listener;
  }

  /**
   * Binds the socket, starts ICE towards the peer's candidates and, once a pair is selected, the
   * DTLS handshake; returns at once.
   *
   * @param remote the peer's credentials, candidates and fingerprint
   * @return completes when ICE selected a pair and the SRTP keys are installed; fails with
   *     {@link NotConnectedException} if that took longer than the connect timeout or the
   *     transport was closed first, or with {@link TransportException} if the socket, ICE or the
   *     DTLS handshake failed or the peer's certificate did not match its fingerprint
   *     ({@link TransportException.Stage#FINGERPRINT}); on failure the transport is closed
   * @throws IllegalArgumentException if the fingerprint's hash function is not supported
   * @throws IllegalStateException if connect was already called
   */
  public CompletableFuture<Void> connect(RemoteDescription remote) {
    if (!connectCalled.compareAndSet(false, true)) {
      throw new IllegalStateException("connect was already called on this transport");
    }
    connectStartNanos = System.nanoTime();
    this.remote = remote;
    DtlsEndpoint endpoint = new DtlsEndpoint(settings.dtlsRole(), settings.certificate(),
        remote.fingerprintHash(), remote.fingerprint(), new DtlsEvents());
    dtls = endpoint;
    UdpPort socket = null;
    try {
      if (settings.sharedPort() != null) {
        List<InetSocketAddress> peers = new ArrayList<>();
        for (IceCandidate candidate : remote.candidates()) {
          peers.add(candidate.address());
        }
        socket = settings.sharedPort().lease(settings.localCredentials().ufrag(), peers);
        if (socket == null) {
          log.debug("{}: {}'s address is another call's on the shared UDP port: own socket",
              settings.name(), settings.peerName());
        }
      }
      if (socket == null) {
        socket = UdpPorts.bind(new InetSocketAddress(settings.bindAddress(), 0), settings.loop());
      }
    } catch (IOException e) {
      failConnect(new TransportException(TransportException.Stage.SOCKET, "cannot bind UDP socket on "
          + settings.bindAddress().getHostAddress() + ": " + e.getMessage(), e));
      return connected;
    }
    udp = socket;
    if (ended.get()) { // closed while binding
      socket.close();
      return connected;
    }
    UdpPort port = socket;
    port.start(new IoHandler(endpoint));
    port.execute(() -> startIce(port, remote));
    return connected;
  }

  /**
   * Builds the agent on the I/O thread: our host candidate(s) on the one socket (port 0), the
   * peer's candidates, server-reflexive gathering from the STUN servers; then the checks start.
   */
  private void startIce(UdpPort socket, RemoteDescription remote) {
    long now = System.nanoTime();
    log.debug("{}: ICE starts {} ms after connect", settings.name(),
        TimeUnit.NANOSECONDS.toMillis(now - connectStartNanos));
    IceAgent agent = new IceAgent(settings.ice(), settings.iceRole(), settings.localCredentials(),
        remote.credentials(), settings.tieBreaker(), new IceOutput(socket));
    InetSocketAddress local = socket.localAddress();
    if (!settings.relayOnly()) {
      IceCandidate host = HostCandidates.host(local, HostCandidates.MAX_LOCAL_PREFERENCE);
      agent.addLocalCandidate(new LocalCandidate(SOCKET_PORT_ID, host));
      if (settings.gatherHostCandidates() && local.getAddress().isAnyLocalAddress()) {
        // RFC 8445 §5.1.1.1: the socket listens on every interface; signal each address
        for (IceCandidate each : HostCandidates.gather(local.getPort(), settings.ice().includeIpv6(),
            settings.includeLoopbackCandidates())) {
          listener.onLocalCandidate(each);
        }
      } else if (settings.gatherHostCandidates()) {
        // bound to one address (for example 127.0.0.1): that address is the only host candidate
        listener.onLocalCandidate(host);
      }
    }
    for (IceCandidate candidate : remote.candidates()) {
      agent.addRemoteCandidate(candidate, now);
    }
    if (!settings.relayOnly()) {
      for (InetSocketAddress stunServer : settings.stunServers()) {
        agent.gatherServerReflexive(SOCKET_PORT_ID, stunServer, now);
      }
    }
    ice = agent;
    List<Relay> made = new ArrayList<>();
    SecureRandom random = new SecureRandom();
    for (RelayServer server : settings.relayServers()) {
      int portId = made.size() + 1;
      made.add(server instanceof TurnServer turn ? new TurnRelay(portId, turn, socket)
          : new ReflectorRelay(portId, (ReflectorServer) server, socket,
              1 + random.nextLong(0xFFFF_FFFFL))); // a tag of 1..2^32-1
    }
    relays = List.copyOf(made);
    for (Relay relay : made) {
      relay.start(now);
    }
    agent.start(now);
  }

  /**
   * Adds a candidate the peer trickled after {@link #connect} (RFC 8838 §4). Safe from any
   * thread; ignored before connect and after close.
   *
   * @param candidate the peer's candidate
   */
  public void addRemoteCandidate(IceCandidate candidate) {
    UdpPort socket = udp;
    if (socket != null) {
      socket.execute(() -> {
        if (ice != null) {
          ice.addRemoteCandidate(candidate, System.nanoTime());
        }
      });
    }
  }

  /**
   * Plugs a track in: RTCP and RTP concerning its SSRCs reach it from now on.
   *
   * @param track the track
   * @throws IllegalArgumentException if one of its SSRCs already belongs to another track
   */
  public void addTrack(MediaTrack track) {
    router.addTrack(track);
  }

  /**
   * Sets what makes a track for RTP from an SSRC no track owns (a group call's participants are
   * not signaled to us in advance). Called on the I/O thread with the packet's SSRC; a track it
   * returns is added as by {@link #addTrack} and gets the packet; null drops the packet (and the
   * handler is asked again for the next one). Safe from any thread.
   *
   * @param handler the factory, or null to drop such packets (the default)
   */
  public void setUnknownSsrcHandler(IntFunction<MediaTrack> handler) {
    router.setUnknownSsrcHandler(handler);
  }

  /**
   * Protects one RTP packet (SRTP, RFC 3711 §3.3) and sends it on the selected pair.
   *
   * @param rtp the plain RTP packet; read only, not kept
   * @return false if the keys are not installed yet or the transport is closed (nothing is sent)
   */
  public boolean sendRtp(byte[] rtp) {
    byte[] packet;
    synchronized (sendLock) {
      if (sendContext == null || ended.get()) {
        return false;
      }
      packet = sendContext.protectRtp(rtp, 0, rtp.length);
    }
    sendToSelected(packet, 0, packet.length);
    return true;
  }

  /**
   * Protects one RTP packet (SRTP, RFC 3711 §3.3) in the caller's buffer and sends it on the
   * selected pair; allocates nothing per packet. The buffer is the caller's: it is
   * written during the call (the packet is encrypted and the tag appended) and not kept after, so
   * the caller may refill it for the next packet as soon as this returns. Two threads must not
   * pass the same buffer at once.
   *
   * @param buffer holds the plain RTP packet at {@code offset}, followed by at least
   *     {@link SrtpContext#MAX_TAG_BYTES} bytes of room for the tag; on return (true) it holds the
   *     SRTP packet that was sent
   * @param offset where the packet starts
   * @param length plain packet length in bytes
   * @return false if the keys are not installed yet or the transport is closed (nothing is sent
   *     and the buffer is unchanged)
   * @throws IndexOutOfBoundsException if the packet and the room for the tag lie outside
   *     {@code buffer}
   */
  public boolean sendRtpInPlace(byte[] buffer, int offset, int length) {
    int protectedLength;
    synchronized (sendLock) {
      if (sendContext == null || ended.get()) {
        return false;
      }
      protectedLength = sendContext.protectRtpInPlace(buffer, offset, length);
    }
    sendToSelected(buffer, offset, protectedLength);
    return true;
  }

  /**
   * Protects one compound RTCP packet (SRTCP, RFC 3711 §3.4) and sends it on the selected pair.
   *
   * @param rtcp the plain compound RTCP packet; read only, not kept
   * @return false if the keys are not installed yet or the transport is closed (nothing is sent)
   */
  public boolean sendRtcp(byte[] rtcp) {
    byte[] packet;
    synchronized (sendLock) {
      if (sendContext == null || ended.get()) {
        return false;
      }
      packet = sendContext.protectRtcp(rtcp, 0, rtcp.length);
    }
    sendToSelected(packet, 0, packet.length);
    return true;
  }

  /** @return SRTP packets received that passed authentication */
  public long packetsReceived() {
    return router.packetsReceived();
  }

  /** @return SRTCP packets received that passed authentication */
  public long rtcpReceived() {
    return router.rtcpReceived();
  }

  /**
   * @return incoming datagrams dropped: unknown first byte, failed SRTP authentication or replay,
   *     from an address other than the selected pair's, whose handling failed, or that a TURN
   *     server sent malformed
   */
  public long droppedIncoming() {
    UdpPort socket = udp;
    long relayed = 0;
    for (Relay relay : relays) {
      relayed += relay.droppedDatagrams();
    }
    return droppedIncoming.get() + router.dropped() + relayed + (socket == null ? 0 : socket.handlerFailures());
  }

  /**
   * @return whether the {@link #connect} future failed because ICE found a path but the DTLS
   *     handshake did not finish within the connect timeout (a timeout, not an unreachable peer);
   *     valid once the future failed
   */
  public boolean connectTimedOut() {
    return connectTimedOut;
  }

  /** @return {@link System#nanoTime()} when {@link #connect} was called */
  public long connectStartNanos() {
    return connectStartNanos;
  }

  /**
   * Closes DTLS (close_notify when established), the socket and its I/O thread; a pending
   * {@link #connect} future fails with {@link NotConnectedException}. Reports nothing to the
   * listener. Idempotent; safe from any thread, including the transport's own.
   */
  @Override
  public void close() {
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    connected.completeExceptionally(new NotConnectedException(
        settings.name() + ": the call was stopped while connecting"));
    teardown();
  }

  private void teardown() {
    DtlsEndpoint endpoint = dtls;
    if (endpoint != null) {
      endpoint.close();
    }
    for (Relay relay : relays) {
      relay.close(System.nanoTime()); // a Refresh with lifetime 0 while the socket is still open
    }
    UdpPort socket = udp;
    if (socket != null) {
      socket.close();
    }
  }

  /** Fails a pending connect: closes everything and completes the future with the cause. */
  private void failConnect(TgCallsException cause) {
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    connectTimedOut = cause instanceof NotConnectedException && handshakeTimeout;
    log.debug("{}: connect failed: {}", settings.name(), cause.getMessage());
    teardown();
    connected.completeExceptionally(cause);
  }

  /** After connect: closes everything and tells the listener once, on the control executor. */
  private void disconnect(TransportException cause) {
    if (!connected.isDone() || connected.isCompletedExceptionally()) {
      failConnect(cause);
      return;
    }
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    log.debug("{}: disconnected: {}", settings.name(), cause.getMessage());
    // not on the I/O thread: closing the socket there cannot join it, and the listener may block
    LogContext.executor(settings.control(), settings.logContext()).execute(() -> {
      teardown();
      listener.onDisconnected(cause);
    });
  }

  /** Starts the DTLS handshake on the control executor once ICE selected a pair. */
  private void startHandshake(DtlsEndpoint endpoint) {
    long remainingNanos = connectStartNanos
        + TimeUnit.MILLISECONDS.toNanos(settings.connectTimeoutMillis()) - System.nanoTime();
    endpoint.startHandshake(LogContext.executor(settings.control(), settings.logContext()),
        Math.max(1, TimeUnit.NANOSECONDS.toMillis(remainingNanos)));
  }

  /** What the DTLS endpoint reports; see {@link DtlsEndpoint.Listener} for the threads. */
  private final class DtlsEvents implements DtlsEndpoint.Listener {
    @Override
    public void sendDatagram(byte[] datagram) {
      sendToSelected(datagram, 0, datagram.length);
    }

    @Override
    public void onHandshakeComplete(DtlsSrtpKeys keys) {
      installKeys(keys);
    }

    @Override
    public void onHandshakeFailed(DtlsException cause) {
      failConnect(handshakeFailure(cause));
    }

    @Override
    public void onApplicationData(byte[] data, int offset, int length) {
      listener.onApplicationData(data, offset, length);
    }

    @Override
    public void onClosed(DtlsException causeOrNull) {
      // after our own close() this is a no-op: the transport has already ended
      disconnect(new TransportException(TransportException.Stage.DTLS, causeOrNull == null
          ? settings.peerName() + " closed the DTLS session"
          : "the DTLS session with " + settings.peerName() + " failed: " + causeOrNull.getMessage(),
          causeOrNull));
    }
  }

  private TgCallsException handshakeFailure(DtlsException e) {
    switch (e.reason()) {
      case FINGERPRINT_MISMATCH:
        return new TransportException(TransportException.Stage.FINGERPRINT, settings.peerName()
            + "'s DTLS certificate does not match its signaled " + remote.fingerprintHash()
            + " fingerprint " + remote.fingerprint(), e);
      case TIMEOUT:
        handshakeTimeout = true;
        return new NotConnectedException("DTLS handshake did not finish within "
            + settings.connectTimeoutMillis() + " ms of connect");
      case CLOSED:
        return new NotConnectedException(settings.name() + ": the call was stopped while connecting");
      default:
        return new TransportException(TransportException.Stage.DTLS,
            "DTLS handshake failed: " + e.getMessage(), e);
    }
  }

  private void installKeys(DtlsSrtpKeys keys) {
    receiveContext = new SrtpContext(keys.profile(), keys.remoteMasterKey(), keys.remoteMasterSalt());
    synchronized (sendLock) {
      sendContext = new SrtpContext(keys.profile(), keys.localMasterKey(), keys.localMasterSalt());
    }
    log.debug("{}: connected via {} with {} in {} ms", settings.name(), selectedRemote,
        keys.profile(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - connectStartNanos));
    connected.complete(null); // false if closed meanwhile
  }

  /** Sends DTLS records and SRTP packets on the selected pair; drops them before ICE selected one. */
  private void sendToSelected(byte[] packet, int offset, int length) {
    InetSocketAddress to = selectedRemote;
    UdpPort socket = udp;
    if (to == null || socket == null) {
      return;
    }
    int portId = selectedPortId;
    if (portId == SOCKET_PORT_ID) {
      socket.send(to, packet, offset, length);
    } else {
      relays.get(portId - 1).send(to, packet, offset, length, System.nanoTime());
    }
  }

  /**
   * Unprotects one SRTP/SRTCP datagram in place, in the buffer it arrived in (the socket's receive
   * buffer or a relay's, both ours until we return), and routes it; on the I/O thread.
   */
  private void receiveSrtp(byte[] data, int offset, int length) {
    SrtpContext context = receiveContext;
    if (context == null) {
      droppedIncoming.incrementAndGet();
      return;
    }
    router.receive(context, data, offset, length);
  }

  /**
   * One relay port on the transport's socket: a TURN allocation or a reflector port. Its relayed
   * candidate becomes a local candidate of the agent (port id {@code portId}); checks and media to
   * peers go through it. The protocol client is not thread-safe: every call into it holds this
   * object's monitor (the I/O thread for checks and received data, a track's thread for media).
   */
  private abstract class Relay {
    final int portId;
    final RelayServer server;
    final UdpPort socket;
    volatile boolean failed;

    // set by relayed() while the client handles a datagram (the I/O thread), handled after the
    // monitor is released so DTLS, SRTP and the tracks never run while a sender waits for it
    private InetSocketAddress relayedFrom;
    private byte[] relayedData;
    private int relayedOffset;
    private int relayedLength;

    Relay(int portId, RelayServer server, UdpPort socket) {
      this.portId = portId;
      this.server = server;
      this.socket = socket;
    }

    /** @return whether a datagram from {@code from} is the relay server's; immutable, no monitor */
    abstract boolean isFromServer(InetSocketAddress from);

    /** Starts the allocation or the hellos; under the monitor. */
    abstract void startLocked(long nowNanos);

    /** Hands a datagram from the server to the client; under the monitor. */
    abstract void receiveLocked(byte[] data, int length, long nowNanos);

    abstract void sendLocked(InetSocketAddress peer, byte[] data, int offset, int length, long nowNanos);

    abstract long timerLocked(long nowNanos);

    abstract void closeLocked(long nowNanos);

    abstract long droppedLocked();

    /** @return how errors name the relay, e.g. "the TURN server /1.2.3.4:3478" */
    abstract String describe();

    final void onDatagram(byte[] data, int length, long nowNanos, IoHandler handler) {
      InetSocketAddress from;
      synchronized (this) {
        relayedFrom = null;
        receiveLocked(data, length, nowNanos);
        from = relayedFrom;
        relayedFrom = null;
      }
      if (from != null) {
        handler.demux(portId, relayedData, relayedOffset, relayedLength, from, nowNanos);
      }
    }

    /** One relayed payload per datagram; demultiplexed after the monitor is released. */
    final void relayed(InetSocketAddress from, byte[] data, int offset, int length) {
      relayedFrom = from;
      relayedData = data;
      relayedOffset = offset;
      relayedLength = length;
    }

    final synchronized void start(long nowNanos) {
      startLocked(nowNanos);
    }

    final synchronized long droppedDatagrams() {
      return droppedLocked();
    }

    final synchronized void send(InetSocketAddress peer, byte[] data, int offset, int length,
        long nowNanos) {
      if (!failed) {
        sendLocked(peer, data, offset, length, nowNanos);
      }
    }

    final synchronized long onTimer(long nowNanos) {
      return failed ? Long.MAX_VALUE : timerLocked(nowNanos);
    }

    final synchronized void close(long nowNanos) {
      if (!failed) {
        closeLocked(nowNanos);
      }
    }

    public final void sendToServer(byte[] datagram, int offset, int length) {
      socket.send(server.address(), datagram, offset, length);
    }

    /** The relayed candidate is known: the agent pairs it and the peer is told. */
    final void addCandidate(InetSocketAddress relayedAddress) {
      IceCandidate candidate = new IceCandidate(
          HostCandidates.foundation("relay", relayedAddress.getAddress(), server.address().getAddress()),
          1, "udp", HostCandidates.priority(HostCandidates.TYPE_PREFERENCE_RELAY,
              HostCandidates.MAX_LOCAL_PREFERENCE - portId, 1),
          relayedAddress, "relay");
      log.debug("{}: relayed candidate {} on {}", settings.name(), relayedAddress, describe());
      IceAgent agent = ice;
      if (agent != null) {
        agent.addLocalCandidate(new LocalCandidate(portId, candidate));
      }
      listener.onLocalCandidate(candidate);
    }

    /** The relay is lost: fails the call if it carried the media or was the last relay of a relay-only call. */
    final void fail(String why, Exception cause) {
      failed = true;
      log.info("{}: {} failed: {}", settings.name(), describe(), why);
      if (selectedRemote != null && selectedPortId == portId) {
        // media went through this relay (a refresh failed, the server went away)
        disconnect(new TransportException(TransportException.Stage.RELAY,
            describe() + " carrying the call failed: " + why, cause));
      } else if (settings.relayOnly() && relays.stream().allMatch(r -> r.failed)) {
        failConnect(new TransportException(TransportException.Stage.RELAY,
            "no relay left for a relay-only call; the last one, " + describe() + ", failed: " + why,
            cause));
      }
    }
  }

  /** A TURN allocation (RFC 8656) through a {@link TurnClient}. */
  private final class TurnRelay extends Relay implements TurnClient.Output {
    private final TurnClient client;

    TurnRelay(int portId, TurnServer server, UdpPort socket) {
      super(portId, server, socket);
      this.client = new TurnClient(server.address(), server.username(), server.password(),
          new SecureRandom(), TimeUnit.MILLISECONDS.toNanos(relayRtoMillis()));
    }

    @Override
    boolean isFromServer(InetSocketAddress from) {
      return client.isFromServer(from);
    }

    @Override
    void startLocked(long nowNanos) {
      client.start(nowNanos, this);
    }

    @Override
    void receiveLocked(byte[] data, int length, long nowNanos) {
      client.onDatagram(data, 0, length, nowNanos, this);
    }

    @Override
    void sendLocked(InetSocketAddress peer, byte[] data, int offset, int length, long nowNanos) {
      client.send(peer, data, offset, length, nowNanos, this);
    }

    @Override
    long timerLocked(long nowNanos) {
      return client.onTimer(nowNanos, this);
    }

    @Override
    void closeLocked(long nowNanos) {
      client.close(nowNanos, this); // a Refresh with lifetime 0
    }

    @Override
    long droppedLocked() {
      return client.droppedDatagrams();
    }

    @Override
    String describe() {
      return "the TURN server " + server.address();
    }

    @Override
    public void onAllocated(InetSocketAddress relayed, InetSocketAddress mapped) {
      addCandidate(relayed);
    }

    @Override
    public void onRelayed(InetSocketAddress peer, byte[] data, int offset, int length) {
      relayed(peer, data, offset, length);
    }

    @Override
    public void onFailure(TurnException failure) {
      fail(failure.getMessage(), failure);
    }
  }

  /** A Telegram reflector port (p2p-call.md §2.4) through a {@link ReflectorClient}. */
  private final class ReflectorRelay extends Relay implements ReflectorClient.Output {
    private final ReflectorClient client;

    ReflectorRelay(int portId, ReflectorServer server, UdpPort socket, long tag) {
      super(portId, server, socket);
      // the same budget as a TURN allocation's RFC 8489 §6.2.1 give-up: 79 RTOs
      this.client = new ReflectorClient(server.address(), server.reflectorId(), server.peerTag(),
          tag, 79 * relayRtoMillis());
    }

    @Override
    boolean isFromServer(InetSocketAddress from) {
      return client.isFromServer(from);
    }

    @Override
    void startLocked(long nowNanos) {
      client.start(nowNanos, this);
    }

    @Override
    void receiveLocked(byte[] data, int length, long nowNanos) {
      client.onDatagram(data, 0, length, nowNanos, this);
    }

    @Override
    void sendLocked(InetSocketAddress peer, byte[] data, int offset, int length, long nowNanos) {
      client.send(peer, data, offset, length, this);
    }

    @Override
    long timerLocked(long nowNanos) {
      return client.onTimer(nowNanos, this);
    }

    @Override
    void closeLocked(long nowNanos) {
      client.close();
    }

    @Override
    long droppedLocked() {
      return client.droppedDatagrams();
    }

    @Override
    String describe() {
      return "the reflector " + server.address();
    }

    @Override
    public void onReady(InetSocketAddress candidate) {
      addCandidate(candidate);
    }

    @Override
    public void onRelayed(InetSocketAddress from, byte[] data, int offset, int length) {
      relayed(from, data, offset, length);
    }

    @Override
    public void onUnanswered(long waitedMillis) {
      fail("it did not answer our hellos within " + waitedMillis + " ms", null);
    }
  }

  /**
   * The relays' retransmission timeout, ms: RFC 8489 §6.2.1 gives up after 79 RTOs, so the RTO is
   * scaled for an unreachable relay to be reported within the connect budget (100 .. 500 ms, RFC
   * 8489's default).
   */
  private long relayRtoMillis() {
    return Math.max(100, Math.min(500, settings.connectTimeoutMillis() / 100));
  }

  /** Demultiplexes the socket by first byte (RFC 7983 §7) and runs ICE timers. */
  private final class IoHandler implements UdpTransport.Handler {
    private final DtlsEndpoint endpoint;

    IoHandler(DtlsEndpoint endpoint) {
      this.endpoint = endpoint;
    }

    @Override
    public void onDatagram(byte[] data, int length, InetSocketAddress from, long nowNanos) {
      for (Relay relay : relays) {
        if (relay.isFromServer(from)) {
          relay.onDatagram(data, length, nowNanos, this); // relayed payloads come back to demux
          return;
        }
      }
      demux(SOCKET_PORT_ID, data, 0, length, from, nowNanos);
    }

    /** One datagram that arrived on a port: the socket, or a relay's payload from a peer. */
    void demux(int portId, byte[] data, int offset, int length, InetSocketAddress from,
        long nowNanos) {
      if (length == 0) {
        droppedIncoming.incrementAndGet();
        return;
      }
      int first = data[offset] & 0xff;
      if (first <= 3) {
        if (ice != null) {
          ice.handleStun(portId, data, offset, length, from, nowNanos);
        }
      } else if (!fromSelectedPair(portId, from)) {
        droppedIncoming.incrementAndGet(); // DTLS and SRTP only from the pair ICE selected
      } else if (first >= 20 && first <= 63) {
        endpoint.receive(data, offset, length); // never waits; alerts come back as onClosed
      } else if (first >= 128 && first <= 191 && length >= 12) {
        receiveSrtp(data, offset, length);
      } else {
        droppedIncoming.incrementAndGet();
      }
    }

    /** Before ICE selects a pair, DTLS may already arrive (it is queued); after, only from it. */
    private boolean fromSelectedPair(int portId, InetSocketAddress from) {
      InetSocketAddress selected = selectedRemote;
      return selected == null || (selected.equals(from) && selectedPortId == portId);
    }

    @Override
    public void onFailure(Exception cause) {
      disconnect(new TransportException(TransportException.Stage.SOCKET,
          "the UDP socket failed: " + cause, cause));
    }

    @Override
    public long onTimer(long nowNanos) {
      IceAgent agent = ice;
      if (agent == null) {
        return Long.MAX_VALUE;
      }
      if (nowNanos >= agent.nextTimeoutNanos()) {
        agent.handleTimeout(nowNanos);
      }
      long next = agent.nextTimeoutNanos();
      for (Relay relay : relays) {
        next = Math.min(next, relay.onTimer(nowNanos));
      }
      return next;
    }
  }

  /** Feeds ICE output to the socket; runs on the I/O thread. */
  private final class IceOutput implements IceAgent.Output {
    private final UdpPort socket;

    IceOutput(UdpPort socket) {
      this.socket = socket;
    }

    @Override
    public void sendDatagram(int portId, InetSocketAddress to, byte[] data, int offset, int length) {
      if (portId == SOCKET_PORT_ID) {
        socket.send(to, data, offset, length);
      } else {
        relays.get(portId - 1).send(to, data, offset, length, System.nanoTime());
      }
    }

    @Override
    public void onLocalCandidate(LocalCandidate candidate) {
      listener.onLocalCandidate(candidate.candidate());
    }

    @Override
    public void onStateChange(IceState state) {
      if (state != IceState.FAILED) {
        return;
      }
      if (selectedRemote == null) {
        failConnect(new NotConnectedException("ICE did not connect within "
            + settings.ice().connectTimeoutMillis() + " ms (no nominated pair)"));
      } else {
        // RFC 7675 §5.1: consent expired; the transport may no longer be used
        disconnect(new TransportException(TransportException.Stage.ICE,
            "ICE consent lost: " + settings.peerName() + " stopped answering", null));
      }
    }

    @Override
    public void onSelectedPair(int portId, InetSocketAddress remote) {
      if (selectedRemote == null) {
        selectedPortId = portId; // before selectedRemote: readers check the remote first
        selectedRemote = remote;
        log.debug("{}: ICE selected {} {} ms after connect", settings.name(), remote,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - connectStartNanos));
        startHandshake(dtls);
      }
    }
  }
}
