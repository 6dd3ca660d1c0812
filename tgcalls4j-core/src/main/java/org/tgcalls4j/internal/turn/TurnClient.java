package org.tgcalls4j.internal.turn;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;
import org.tgcalls4j.internal.stun.StunAttribute;
import org.tgcalls4j.internal.stun.StunErrorCode;
import org.tgcalls4j.internal.stun.StunMessage;
import org.tgcalls4j.internal.stun.StunMessageBuilder;
import org.tgcalls4j.internal.stun.StunParseException;
import org.tgcalls4j.internal.turn.TurnException.Reason;

/**
 * A sans-I/O TURN client over UDP (RFC 8656) for one allocation on one server: bytes and the
 * current time in, datagrams to the server and events out through {@link Output}.
 *
 * <p>Life cycle: {@link #start} sends an Allocate request (REQUESTED-TRANSPORT UDP); a 401 with
 * REALM and NONCE is retried once with the long-term credential (RFC 8489 §9.2: key = MD5(username
 * ":" realm ":" password), MESSAGE-INTEGRITY over it); a 438 takes the new NONCE and retries (at
 * most {@value #MAX_STALE_NONCE_RETRIES} times per request). Success calls
 * {@link Output#onAllocated}; every terminal problem calls {@link Output#onFailure} once, after
 * which the client is inert. The allocation is refreshed a minute before it expires (or halfway
 * for lifetimes under two minutes), permissions every 4 min, channels every 9 min (RFC 8656 §9,
 * §12). {@link #close} sends a Refresh with LIFETIME 0 once, without retransmissions.
 *
 * <p>Sending to a peer ({@link #send}): the first datagram for a peer sends CreatePermission and
 * ChannelBind together (RFC 8656 §10, §12). Datagrams are queued per peer (at most
 * {@value #MAX_QUEUED_PER_PEER}, older ones dropped and counted) until the permission or the channel
 * is confirmed, because the server silently discards a Send indication without a permission
 * (RFC 8656 §11.2). Once the permission is confirmed and the channel is not yet bound, data goes out
 * in Send indications; once bound, in ChannelData messages (RFC 8656 §12.4), without padding.
 *
 * <p>Inbound: STUN responses are matched to their transaction; success responses must carry a valid
 * MESSAGE-INTEGRITY under the long-term key. Data indications and ChannelData (RFC 8656 §12.4)
 * are delivered through {@link Output#onRelayed}, ChannelData only for channels we bound. Anything
 * malformed, unexpected or unauthenticated is counted in {@link #droppedDatagrams} and dropped.
 *
 * <p>Not thread-safe: calls must be serialized by the owner (the peer transport holds one monitor
 * per client: its I/O thread receives and runs timers, track threads send media);
 * {@link #isFromServer} reads only immutable state and needs no lock. Credentials
 * never appear in {@link #toString}, exceptions or failures.
 */
public final class TurnClient {
  /** Initial retransmission timeout of RFC 8489 §6.2.1, 500 ms. */
  static final long DEFAULT_RTO_NANOS = 500_000_000L;
  /** Rc of RFC 8489 §6.2.1: transmissions of a request. */
  static final int MAX_TRANSMISSIONS = 7;
  /** Rm of RFC 8489 §6.2.1: the wait after the last transmission, in RTOs. */
  static final int LAST_WAIT_RTOS = 16;
  static final int MAX_STALE_NONCE_RETRIES = 3;
  static final int MAX_QUEUED_PER_PEER = 32;
  /** Refresh permissions 1 min before their 5 min lifetime ends (RFC 8656 §9). */
  static final long PERMISSION_REFRESH_NANOS = 240_000_000_000L;
  /** Refresh channels 1 min before their 10 min lifetime ends (RFC 8656 §12). */
  static final long CHANNEL_REFRESH_NANOS = 540_000_000_000L;
  static final int FIRST_CHANNEL = 0x4000;
  static final int LAST_CHANNEL = 0x4FFF;
  /** REALM and NONCE are at most 763 bytes (RFC 8489 §14.9, §14.10). */
  static final int MAX_REALM_OR_NONCE_BYTES = 763;
  private static final int ALLOCATE = 0x0003;
  private static final int REFRESH = 0x0004;
  private static final int SEND_INDICATION = 0x0016;
  private static final int DATA_INDICATION = 0x0017;
  private static final int CREATE_PERMISSION = 0x0008;
  private static final int CHANNEL_BIND = 0x0009;
  private static final int SUCCESS = 0x0100;
  private static final int ERROR = 0x0110;
  /** REQUESTED-TRANSPORT value: protocol 17 (UDP) and three RFFU bytes (RFC 8656 §18.6). */
  private static final byte[] UDP_TRANSPORT = {17, 0, 0, 0};

  /** Receives what the client produces; called synchronously from the client's methods. */
  public interface Output {
    /** A datagram for the TURN server; the array is only valid during the call. */
    void sendToServer(byte[] datagram, int offset, int length);

    /** The allocation succeeded: its relayed transport address and our server-reflexive one (may be null). */
    void onAllocated(InetSocketAddress relayed, InetSocketAddress mapped);

    /** A datagram a peer sent to our relayed address; the array is only valid during the call. */
    void onRelayed(InetSocketAddress peer, byte[] data, int offset, int length);

    /** The allocation failed or was lost; called at most once, after which the client is inert. */
    void onFailure(TurnException failure);
  }

  private enum State { IDLE, ALLOCATING, ALLOCATED, FAILED, CLOSED }

  private enum Kind { ALLOCATE, REFRESH, PERMISSION, CHANNEL }

  private static final class Transaction {
    final Kind kind;
    final Peer peer;
    final int lifetime;
    byte[] transactionId;
    byte[] request;
    int transmissions;
    long rto;
    long deadline;
    int staleNonceRetries;

    Transaction(Kind kind, Peer peer, int lifetime) {
      this.kind = kind;
      this.peer = peer;
      this.lifetime = lifetime;
    }
  }

  private static final class Peer {
    final InetSocketAddress address;
    final int channel;
    boolean permitted;
    boolean bound;
    boolean permissionPending;
    boolean channelPending;
    long permissionRefreshAt = Long.MAX_VALUE;
    long channelRefreshAt = Long.MAX_VALUE;
    final ArrayDeque<byte[]> queue = new ArrayDeque<>();

    Peer(InetSocketAddress address, int channel) {
      this.address = address;
      this.channel = channel;
    }
  }

  private final InetSocketAddress server;
  private final String username;
  private byte[] password;
  private final RandomGenerator random;
  private final long initialRto;
  private final Map<String, Transaction> transactions = new LinkedHashMap<>();
  private final Map<InetSocketAddress, Peer> peers = new HashMap<>();
  private final Map<Integer, Peer> channels = new HashMap<>();
  private State state = State.IDLE;
  private String realm;
  private String nonce;
  private byte[] key;
  private boolean authRetried;
  private InetSocketAddress relayed;
  private long refreshAt = Long.MAX_VALUE;
  private int nextChannel = FIRST_CHANNEL;
  private long dropped;
  private long sentIndications;
  private long sentChannelData;

  /**
   * @param server the TURN server's UDP address, resolved
   * @param username the long-term credential username
   * @param password the long-term credential password (used only to derive the key)
   * @param random source of transaction ids
   * @throws IllegalArgumentException if the server address is unresolved
   */
  public TurnClient(InetSocketAddress server, String username, String password, RandomGenerator random) {
    this(server, username, password, random, DEFAULT_RTO_NANOS);
  }

  /**
   * As above with another initial RTO: the total before TIMEOUT is 79 RTOs (RFC 8489 §6.2.1), so
   * an owner with a connect budget scales it (the peer transport does; tests use short ones).
   *
   * @param initialRtoNanos the first retransmission timeout, ns; positive
   */
  public TurnClient(InetSocketAddress server, String username, String password, RandomGenerator random,
      long initialRtoNanos) {
    if (server.isUnresolved()) {
      throw new IllegalArgumentException("TURN server address is unresolved: " + server.getHostString());
    }
    if (initialRtoNanos <= 0) {
      throw new IllegalArgumentException("initial RTO must be positive, got " + initialRtoNanos + " ns");
    }
    this.server = server;
    this.username = Objects.requireNonNull(username, "username");
    this.password = Objects.requireNonNull(password, "password").getBytes(StandardCharsets.UTF_8);
    this.random = Objects.requireNonNull(random, "random");
    this.initialRto = initialRtoNanos;
  }

  /**
   * Sends the first Allocate request (without credentials, RFC 8656 §7.1).
   *
   * @throws IllegalStateException if already started
   */
  public void start(long nowNanos, Output out) {
    if (state != State.IDLE) {
      throw new IllegalStateException("TURN client already started (" + state + ")");
    }
    state = State.ALLOCATING;
    begin(new Transaction(Kind.ALLOCATE, null, -1), nowNanos, out);
  }

  /** @return true if a datagram from {@code from} belongs to this client (it came from the server) */
  public boolean isFromServer(InetSocketAddress from) {
    return server.equals(from);
  }

  /**
   * Handles one datagram from the server: a STUN response or indication, or a ChannelData message
   * (RFC 8656 §12.4). Never throws for bad input: such datagrams are counted and dropped.
   *
   * @param data the datagram; read only during the call
   */
  public void onDatagram(byte[] data, int offset, int length, long nowNanos, Output out) {
    if (offset < 0 || length < 0 || offset > data.length - length || length < 4) {
      dropped++;
      return;
    }
    if (state == State.FAILED || state == State.CLOSED || state == State.IDLE) {
      dropped++;
      return;
    }
    int first = data[offset] & 0xFF;
    if ((first & 0xC0) == 0x40) {
      onChannelData(data, offset, length, out);
      return;
    }
    StunMessage message;
    try {
      message = StunMessage.parse(data, offset, length);
    } catch (StunParseException e) {
      dropped++;
      return;
    }
    try {
      if (message.type() == DATA_INDICATION) {
        onDataIndication(message, out);
      } else {
        onResponse(message, nowNanos, out);
      }
    } catch (StunParseException e) {
      dropped++;
    }
  }

  /**
   * Sends one datagram to {@code peer} through the relay, or queues it (see the class comment).
   * Datagrams given before {@link #start} or while allocating are queued too; after a failure or
   * {@link #close} they are counted in {@link #droppedDatagrams} and dropped.
   *
   * @param peer the peer's address, resolved
   * @param data copied when queued; read only during the call
   * @throws IllegalArgumentException if the peer is unresolved or the datagram is over 65,535 - 36 bytes
   */
  public void send(InetSocketAddress peer, byte[] data, int offset, int length, long nowNanos, Output out) {
    if (peer.isUnresolved()) {
      throw new IllegalArgumentException("peer address is unresolved: " + peer.getHostString());
    }
    Objects.checkFromIndexSize(offset, length, data.length);
    if (length > 0xFFFF - 36) {
      throw new IllegalArgumentException("datagram of " + length + " bytes does not fit a Send indication");
    }
    if (state == State.FAILED || state == State.CLOSED) {
      dropped++;
      return;
    }
    Peer p = peers.get(peer);
    if (p == null) {
      if (nextChannel > LAST_CHANNEL) {
        dropped++;
        return;
      }
      p = new Peer(peer, nextChannel++);
      peers.put(peer, p);
      channels.put(p.channel, p);
      if (state == State.ALLOCATED) {
        installPeer(p, nowNanos, out);
      }
    }
    if (state == State.ALLOCATED && (p.permitted || p.bound)) {
      relay(p, data, offset, length, out);
      return;
    }
    if (p.queue.size() >= MAX_QUEUED_PER_PEER) {
      p.queue.poll();
      dropped++;
    }
    p.queue.add(Arrays.copyOfRange(data, offset, offset + length));
  }

  /**
   * Retransmits requests that are due (RFC 8489 §6.2.1), reports TIMEOUT after the last wait, and
   * refreshes the allocation, permissions and channels when due.
   *
   * @return the next deadline in nanos (same clock as {@code nowNanos}), or Long.MAX_VALUE if none
   */
  public long onTimer(long nowNanos, Output out) {
    if (state == State.ALLOCATING || state == State.ALLOCATED) {
      for (Transaction t : new ArrayList<>(transactions.values())) {
        if (state == State.FAILED) {
          break;
        }
        if (nowNanos - t.deadline < 0) {
          continue;
        }
        if (t.transmissions >= MAX_TRANSMISSIONS) {
          transactions.remove(HexFormat.of().formatHex(t.transactionId));
          fail(Reason.TIMEOUT, "no response from TURN server " + server + " to " + t.kind + " after "
              + MAX_TRANSMISSIONS + " transmissions", out);
          break;
        }
        transmit(t, nowNanos, out);
      }
    }
    if (state == State.ALLOCATED) {
      if (nowNanos - refreshAt >= 0) {
        refreshAt = Long.MAX_VALUE;
        begin(new Transaction(Kind.REFRESH, null, -1), nowNanos, out);
      }
      for (Peer p : peers.values()) {
        if (!p.permissionPending && nowNanos - p.permissionRefreshAt >= 0) {
          p.permissionRefreshAt = Long.MAX_VALUE;
          p.permissionPending = true;
          begin(new Transaction(Kind.PERMISSION, p, -1), nowNanos, out);
        }
        if (!p.channelPending && nowNanos - p.channelRefreshAt >= 0) {
          p.channelRefreshAt = Long.MAX_VALUE;
          p.channelPending = true;
          begin(new Transaction(Kind.CHANNEL, p, -1), nowNanos, out);
        }
      }
    }
    return nextDeadline();
  }

  /** Deallocates (Refresh with LIFETIME 0, sent once) if allocated; the client is inert afterwards. */
  public void close(long nowNanos, Output out) {
    if (state == State.ALLOCATED) {
      Transaction t = new Transaction(Kind.REFRESH, null, 0);
      t.transactionId = newTransactionId();
      t.request = build(t);
      out.sendToServer(t.request, 0, t.request.length);
    }
    state = State.CLOSED;
    clear();
  }

  /** @return the relayed transport address, or null until allocated */
  public InetSocketAddress relayedAddress() {
    return state == State.ALLOCATED ? relayed : null;
  }

  /** @return datagrams dropped: malformed, unexpected, unauthenticated, or overflowing a queue */
  public long droppedDatagrams() {
    return dropped;
  }

  /** @return true if the channel to {@code peer} is bound (for tests) */
  boolean channelBound(InetSocketAddress peer) {
    Peer p = peers.get(peer);
    return p != null && p.bound;
  }

  /** @return Send indications sent (for tests and stats) */
  long sentIndications() {
    return sentIndications;
  }

  /** @return ChannelData messages sent (for tests and stats) */
  long sentChannelData() {
    return sentChannelData;
  }

  @Override
  public String toString() {
    return "TurnClient[server=" + server + ", state=" + state + ", relayed=" + relayed + "]";
  }

  // ---- inbound ----

  private void onChannelData(byte[] data, int offset, int length, Output out) {
    int channel = ((data[offset] & 0xFF) << 8) | (data[offset + 1] & 0xFF);
    int dataLength = ((data[offset + 2] & 0xFF) << 8) | (data[offset + 3] & 0xFF);
    Peer p = channels.get(channel);
    // Over UDP the message may carry up to 3 bytes of padding (RFC 8656 §12.5). The server may use
    // the channel as soon as it has processed our ChannelBind, before its response reaches us.
    if (state != State.ALLOCATED || p == null || !(p.bound || p.channelPending) || dataLength > length - 4
        || length - 4 - dataLength > 3) {
      dropped++;
      return;
    }
    out.onRelayed(p.address, data, offset + 4, dataLength);
  }

  private void onDataIndication(StunMessage message, Output out) throws StunParseException {
    InetSocketAddress peer = message.xorAddress(StunAttribute.XOR_PEER_ADDRESS);
    byte[] payload = message.attribute(StunAttribute.DATA);
    if (state != State.ALLOCATED || peer == null || payload == null) {
      dropped++;
      return;
    }
    out.onRelayed(peer, payload, 0, payload.length);
  }

  private void onResponse(StunMessage message, long nowNanos, Output out) throws StunParseException {
    int type = message.type();
    int cls = type & 0x0110;
    if (cls != SUCCESS && cls != ERROR) {
      dropped++;
      return;
    }
    String id = HexFormat.of().formatHex(message.transactionId());
    Transaction t = transactions.get(id);
    if (t == null || (type & ~0x0110) != method(t.kind)) {
      dropped++;
      return;
    }
    if (cls == SUCCESS) {
      if (key == null || !message.verifyMessageIntegrity(key)) {
        dropped++;
        return;
      }
      transactions.remove(id);
      onSuccess(t, message, nowNanos, out);
    } else {
      StunErrorCode error = message.errorCode();
      if (error == null) {
        dropped++;
        return;
      }
      if (message.hasMessageIntegrity() && key != null && !message.verifyMessageIntegrity(key)) {
        dropped++;
        return;
      }
      transactions.remove(id);
      onError(t, error, message, nowNanos, out);
    }
  }

  private void onSuccess(Transaction t, StunMessage message, long nowNanos, Output out)
      throws StunParseException {
    switch (t.kind) {
      case ALLOCATE -> {
        InetSocketAddress relay = message.xorAddress(StunAttribute.XOR_RELAYED_ADDRESS);
        if (relay == null) {
          fail(Reason.SERVER_ERROR, "Allocate success from " + server + " without XOR-RELAYED-ADDRESS", out);
          return;
        }
        InetSocketAddress mapped = message.xorMappedAddress();
        relayed = relay;
        state = State.ALLOCATED;
        scheduleRefresh(message, nowNanos);
        out.onAllocated(relay, mapped);
        for (Peer p : new ArrayList<>(peers.values())) {
          if (state == State.ALLOCATED) {
            installPeer(p, nowNanos, out);
          }
        }
      }
      case REFRESH -> scheduleRefresh(message, nowNanos);
      case PERMISSION -> {
        Peer p = t.peer;
        p.permissionPending = false;
        p.permitted = true;
        p.permissionRefreshAt = nowNanos + PERMISSION_REFRESH_NANOS;
        flush(p, out);
      }
      case CHANNEL -> {
        Peer p = t.peer;
        p.channelPending = false;
        p.bound = true;
        p.channelRefreshAt = nowNanos + CHANNEL_REFRESH_NANOS;
        flush(p, out);
      }
    }
  }

  private void onError(Transaction t, StunErrorCode error, StunMessage message, long nowNanos, Output out)
      throws StunParseException {
    int code = error.code();
    if (code == StunErrorCode.UNAUTHORIZED && t.kind == Kind.ALLOCATE && !authRetried) {
      String newRealm = text(message, StunAttribute.REALM, "REALM");
      String newNonce = text(message, StunAttribute.NONCE, "NONCE");
      if (newRealm == null || newNonce == null) {
        fail(Reason.SERVER_ERROR, "401 from " + server + " without REALM and NONCE", out);
        return;
      }
      authRetried = true;
      realm = newRealm;
      nonce = newNonce;
      key = longTermKey(username, realm, password);
      Arrays.fill(password, (byte) 0);
      password = new byte[0];
      begin(new Transaction(Kind.ALLOCATE, null, -1), nowNanos, out);
      return;
    }
    if (code == StunErrorCode.STALE_NONCE && key != null) {
      String newNonce = text(message, StunAttribute.NONCE, "NONCE");
      if (newNonce == null || t.staleNonceRetries >= MAX_STALE_NONCE_RETRIES) {
        fail(Reason.STALE_NONCE, "438 Stale Nonce from " + server + " for " + t.kind + " "
            + (newNonce == null ? "without a NONCE" : "after " + t.staleNonceRetries + " fresh nonces"), out);
        return;
      }
      nonce = newNonce;
      Transaction retry = new Transaction(t.kind, t.peer, t.lifetime);
      retry.staleNonceRetries = t.staleNonceRetries + 1;
      begin(retry, nowNanos, out);
      return;
    }
    // The server's reason phrase stays out: it is outside text that could echo anything back.
    String what = "error " + code + " from " + server + " for " + t.kind;
    switch (t.kind) {
      case ALLOCATE -> {
        Reason reason = switch (code) {
          case StunErrorCode.UNAUTHORIZED -> Reason.UNAUTHORIZED;
          case StunErrorCode.ALLOCATION_QUOTA_REACHED -> Reason.ALLOCATION_QUOTA;
          case 420, 440, 442 -> Reason.UNSUPPORTED;
          default -> Reason.SERVER_ERROR;
        };
        fail(reason, what, out);
      }
      case REFRESH -> fail(code == StunErrorCode.UNAUTHORIZED ? Reason.UNAUTHORIZED : Reason.SERVER_ERROR,
          what + "; allocation lost", out);
      case PERMISSION, CHANNEL -> {
        // The allocation stays; this peer is refused (e.g. 403 Forbidden): forget it, drop its queue.
        Peer p = t.peer;
        if (peers.remove(p.address) != null) {
          channels.remove(p.channel);
          dropped += p.queue.size();
          p.queue.clear();
        }
      }
    }
  }

  // ---- outbound ----

  private void installPeer(Peer p, long nowNanos, Output out) {
    p.permissionPending = true;
    begin(new Transaction(Kind.PERMISSION, p, -1), nowNanos, out);
    if (state == State.ALLOCATED) {
      p.channelPending = true;
      begin(new Transaction(Kind.CHANNEL, p, -1), nowNanos, out);
    }
  }

  private void flush(Peer p, Output out) {
    while (!p.queue.isEmpty() && state == State.ALLOCATED) {
      byte[] d = p.queue.poll();
      relay(p, d, 0, d.length, out);
    }
  }

  private void relay(Peer p, byte[] data, int offset, int length, Output out) {
    if (p.bound) {
      byte[] m = new byte[4 + length];
      m[0] = (byte) (p.channel >>> 8);
      m[1] = (byte) p.channel;
      m[2] = (byte) (length >>> 8);
      m[3] = (byte) length;
      System.arraycopy(data, offset, m, 4, length);
      sentChannelData++;
      out.sendToServer(m, 0, m.length);
    } else {
      byte[] m = new StunMessageBuilder(SEND_INDICATION, newTransactionId())
          .addXorAddress(StunAttribute.XOR_PEER_ADDRESS, p.address)
          .add(StunAttribute.DATA, Arrays.copyOfRange(data, offset, offset + length))
          .build(null, false);
      sentIndications++;
      out.sendToServer(m, 0, m.length);
    }
  }

  private void begin(Transaction t, long nowNanos, Output out) {
    t.transactionId = newTransactionId();
    t.request = build(t);
    t.transmissions = 0;
    t.rto = initialRto;
    transactions.put(HexFormat.of().formatHex(t.transactionId), t);
    transmit(t, nowNanos, out);
  }

  private void transmit(Transaction t, long nowNanos, Output out) {
    t.transmissions++;
    // RFC 8489 §6.2.1: RTO doubles after each transmission; after the last one wait Rm x RTO.
    t.deadline = nowNanos + (t.transmissions >= MAX_TRANSMISSIONS ? LAST_WAIT_RTOS * initialRto : t.rto);
    t.rto *= 2;
    out.sendToServer(t.request, 0, t.request.length);
  }

  private byte[] build(Transaction t) {
    StunMessageBuilder b = new StunMessageBuilder(method(t.kind), t.transactionId);
    switch (t.kind) {
      case ALLOCATE -> b.add(StunAttribute.REQUESTED_TRANSPORT, UDP_TRANSPORT);
      case REFRESH -> {
        if (t.lifetime >= 0) {
          b.add(StunAttribute.LIFETIME, u32(t.lifetime));
        }
      }
      case PERMISSION -> b.addXorAddress(StunAttribute.XOR_PEER_ADDRESS, t.peer.address);
      case CHANNEL -> b.add(StunAttribute.CHANNEL_NUMBER, new byte[] {(byte) (t.peer.channel >>> 8),
          (byte) t.peer.channel, 0, 0})
          .addXorAddress(StunAttribute.XOR_PEER_ADDRESS, t.peer.address);
    }
    if (key == null) {
      return b.build(null, false);
    }
    b.addUsername(username)
        .add(StunAttribute.REALM, realm.getBytes(StandardCharsets.UTF_8))
        .add(StunAttribute.NONCE, nonce.getBytes(StandardCharsets.UTF_8));
    return b.build(key, false);
  }

  private void scheduleRefresh(StunMessage message, long nowNanos) throws StunParseException {
    byte[] v = message.attribute(StunAttribute.LIFETIME);
    long lifetime = 600; // RFC 8656 §3.4 default
    if (v != null) {
      if (v.length != 4) {
        throw new StunParseException("LIFETIME length " + v.length + ", expected 4");
      }
      lifetime = ((v[0] & 0xFFL) << 24) | ((v[1] & 0xFF) << 16) | ((v[2] & 0xFF) << 8) | (v[3] & 0xFF);
    }
    long seconds = lifetime >= 120 ? lifetime - 60 : Math.max(1, lifetime / 2);
    refreshAt = nowNanos + seconds * 1_000_000_000L;
  }

  private void fail(Reason reason, String message, Output out) {
    if (state == State.FAILED || state == State.CLOSED) {
      return;
    }
    state = State.FAILED;
    clear();
    out.onFailure(new TurnException(reason, message));
  }

  private void clear() {
    transactions.clear();
    for (Peer p : peers.values()) {
      dropped += p.queue.size();
    }
    peers.clear();
    channels.clear();
    refreshAt = Long.MAX_VALUE;
    if (key != null) {
      Arrays.fill(key, (byte) 0);
    }
    Arrays.fill(password, (byte) 0);
  }

  private long nextDeadline() {
    long next = Long.MAX_VALUE;
    if (state != State.ALLOCATING && state != State.ALLOCATED) {
      return next;
    }
    for (Transaction t : transactions.values()) {
      next = Math.min(next, t.deadline);
    }
    if (state == State.ALLOCATED) {
      next = Math.min(next, refreshAt);
      for (Peer p : peers.values()) {
        next = Math.min(next, Math.min(p.permissionRefreshAt, p.channelRefreshAt));
      }
    }
    return next;
  }

  private byte[] newTransactionId() {
    byte[] id = new byte[12];
    random.nextBytes(id);
    return id;
  }

  private static int method(Kind kind) {
    return switch (kind) {
      case ALLOCATE -> ALLOCATE;
      case REFRESH -> REFRESH;
      case PERMISSION -> CREATE_PERMISSION;
      case CHANNEL -> CHANNEL_BIND;
    };
  }

  private static String text(StunMessage message, int type, String name) throws StunParseException {
    byte[] v = message.attribute(type);
    if (v == null) {
      return null;
    }
    if (v.length > MAX_REALM_OR_NONCE_BYTES) {
      throw new StunParseException(name + " of " + v.length + " bytes, at most 763");
    }
    return new String(v, StandardCharsets.UTF_8);
  }

  private static byte[] u32(int v) {
    return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
  }

  /**
   * The long-term credential key of RFC 8489 §9.2.2: MD5(username ":" realm ":" password), each
   * part as UTF-8 (the strings are taken as already processed by OpaqueString/SASLprep).
   */
  static byte[] longTermKey(String username, String realm, byte[] password) {
    try {
      MessageDigest md5 = MessageDigest.getInstance("MD5");
      md5.update(username.getBytes(StandardCharsets.UTF_8));
      md5.update((byte) ':');
      md5.update(realm.getBytes(StandardCharsets.UTF_8));
      md5.update((byte) ':');
      md5.update(password);
      return md5.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is required on every Java platform", e);
    }
  }
}
