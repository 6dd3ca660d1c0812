package org.tgcalls4j.internal.ice;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.tgcalls4j.internal.stun.StunErrorCode;
import org.tgcalls4j.internal.stun.StunMessage;
import org.tgcalls4j.internal.stun.StunMessageBuilder;
import org.tgcalls4j.internal.stun.StunParseException;

/**
 * A sans-I/O full ICE agent (RFC 8445) for one component, in either role, over any number of local
 * candidates, with trickled remote candidates and consent freshness (RFC 7675) once connected.
 *
 * <p>The owner adds local candidates ({@link #addLocalCandidate}: host sockets and relay
 * allocations, each named by an owner-chosen {@code portId}), may gather server-reflexive candidates
 * ({@link #gatherServerReflexive}), adds remote candidates before or after {@link #start}
 * ({@link #addRemoteCandidate}, trickle) and feeds every received STUN datagram to
 * {@link #handleStun}. The agent forms candidate pairs (RFC 8445 §6.1.2), checks them in pair
 * priority order paced by Ta (§6.1.4.2), answers the peer's checks (§7.3), learns peer-reflexive
 * candidates (§7.3.1.3, §7.2.5.3.1) and resolves role conflicts (§7.3.1.1, §7.2.5.1). Controlled,
 * it selects the pair the peer nominates (§7.3.1.5, regular or aggressive), and until then answers
 * the peer's check of an already valid pair with one more check of its own, so a controlling agent
 * that nominates on such a request need not wait for its own timer; controlling, it
 * nominates the best succeeded pair with USE-CANDIDATE (regular nomination, §8.1.1). The selected
 * pair is reported through {@link Output#onSelectedPair}; the owner sends media from its
 * {@code portId} to its remote address.
 *
 * <p>Group calls use it controlled with one host candidate and no signalled candidates of ours
 * (Telegram's SFU learns us peer-reflexively, group-call.md §4.1).
 *
 * <p>Not thread-safe: one owner thread calls every method, and every {@link Output} callback runs
 * synchronously on that thread. Time comes only from the {@code nowNanos} arguments (any monotonic
 * nanosecond clock, e.g. {@link System#nanoTime()}); the agent has no thread, socket or clock.
 */
public final class IceAgent {
  /**
   * Receives what the agent wants done; called synchronously on the owner thread. Implementations
   * must not call back into the agent from these methods.
   */
  public interface Output {
    /**
     * Sends one datagram through a port.
     *
     * @param portId the {@link LocalCandidate#portId()} of the socket or relay to send through
     * @param to the destination
     * @param data the datagram bytes; the callee must not modify them and must copy them if it keeps
     *     them after returning
     * @param offset where the datagram starts in {@code data}
     * @param length the datagram length in bytes
     */
    void sendDatagram(int portId, InetSocketAddress to, byte[] data, int offset, int length);

    /** Reports a state change; {@link IceState#CLOSED} is not reported (the owner caused it). */
    void onStateChange(IceState state);

    /**
     * Reports the selected pair, just before the change to {@link IceState#CONNECTED}; it does not
     * change afterwards.
     *
     * @param portId the port of the pair's local candidate: media goes out through it
     * @param remote the pair's remote address: media goes to it, and only it may send media
     */
    void onSelectedPair(int portId, InetSocketAddress remote);

    /**
     * Reports a newly gathered server-reflexive candidate (RFC 8445 §5.1.1.2) so the owner can
     * trickle it to the peer. Not called for redundant candidates (§5.1.3) or peer-reflexive ones.
     *
     * @param candidate the candidate; its port is the host socket the STUN request went out of
     */
    default void onLocalCandidate(LocalCandidate candidate) {}
  }

  private enum PairState { WAITING, IN_PROGRESS, SUCCEEDED }

  private enum Kind {
    /** An ordinary or triggered connectivity check (RFC 8445 §7.2.4). */
    CHECK,
    /** A check with USE-CANDIDATE sent by us as controlling agent (RFC 8445 §8.1.1). */
    NOMINATION,
    /** A consent freshness check on the selected pair (RFC 7675 §5.1). */
    CONSENT,
    /** A plain Binding request to a STUN server (RFC 8445 §5.1.1.2). */
    GATHER
  }

  /** RFC 8445 §14.2: Ta, the pace of new checks. */
  private static final long TA_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  /** First retransmission timeout of a check; doubles per retransmission (RFC 8489 §6.2.1). */
  private static final long RTO_INITIAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final long RTO_MAX_NANOS = TimeUnit.MILLISECONDS.toNanos(1_600);
  /** Transmissions of one request before the transaction times out (RFC 8489 §6.2.1 Rc). */
  private static final int MAX_TRANSMISSIONS = 7;
  /** When a check transaction started at 0 times out: sends at 0, .1, .3, .7, 1.5, 3.1, 4.7 s. */
  private static final long CHECK_TRANSACTION_TIMEOUT_NANOS = TimeUnit.MILLISECONDS.toNanos(6_300);
  /** RFC 8445 §14.3: RTO of gathering requests, MAX(500 ms, Ta * candidates). */
  private static final long GATHER_RTO_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  /** RFC 8489 §6.2.1 Rm: the last gathering request waits Rm * RTO for a response. */
  private static final int GATHER_RM = 16;
  /**
   * Wait before re-checking a pair after an error response or timeout: this long for the first
   * {@link #RETRY_STEADY_FAILURES} failures, then doubling per failure up to {@link #RETRY_MAX_NANOS}.
   * Telegram's SFU answers 401 for its first 150-200 ms (group-call.md §4.1): steady retries find
   * it ready at 200 ms, where doubling from the start waited until 300 ms.
   */
  private static final long RETRY_INITIAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final int RETRY_STEADY_FAILURES = 4;
  private static final long RETRY_MAX_NANOS = TimeUnit.MILLISECONDS.toNanos(2_000);
  /** How many ended transaction ids are remembered to recognise late responses. */
  private static final int RETIRED_IDS = 32;
  /** RFC 8445 §6.1.2.5: the limit on candidate pairs (its recommended default). */
  static final int MAX_PAIRS = 100;

  /** A candidate pair (RFC 8445 §6.1.2.2). */
  private static final class Pair {
    final LocalCandidate local;
    final IceCandidate remote;
    /** RFC 8445 §6.1.2.3; depends on the role, so recomputed when the role changes. */
    long priority;
    PairState state = PairState.WAITING;
    long eligibleAtNanos;
    /** Position in the triggered-check queue (RFC 8445 §6.1.4.1), 0 when not queued. */
    long triggeredSeq;
    int failures;
    boolean nominatedByPeer;

    Pair(LocalCandidate local, IceCandidate remote) {
      this.local = local;
      this.remote = remote;
    }

    int portId() {
      return local.portId();
    }

    InetSocketAddress remoteAddress() {
      return remote.address();
    }
  }

  /** One STUN client transaction (RFC 8489 §6.2). */
  private static final class Transaction {
    final byte[] id;
    final Kind kind;
    /** Null for {@link Kind#GATHER}. */
    final Pair pair;
    final int portId;
    final InetSocketAddress to;
    final byte[] request;
    final IceRole roleWhenSent;
    final long startNanos;
    /** A check sent at once for RFC 8445 §7.3.1.4; such a check is not cancelled again. */
    final boolean triggeredByRequest;
    /** Next retransmission or, for consent and cancelled checks, when the transaction ends. */
    long deadlineNanos;
    long rtoNanos;
    int transmissions = 1;
    /** RFC 8445 §7.3.1.4: not retransmitted and not failing the pair, but its response counts. */
    boolean cancelled;

    Transaction(byte[] id, Kind kind, Pair pair, int portId, InetSocketAddress to, byte[] request,
        IceRole roleWhenSent, long startNanos, boolean triggeredByRequest) {
      this.id = id;
      this.kind = kind;
      this.pair = pair;
      this.portId = portId;
      this.to = to;
      this.request = request;
      this.roleWhenSent = roleWhenSent;
      this.startNanos = startNanos;
      this.triggeredByRequest = triggeredByRequest;
    }
  }

  private final IceConfig config;
  private final IceCredentials local;
  private final IceCredentials remote;
  private final byte[] localKey;
  private final byte[] remoteKey;
  private final long tieBreaker;
  private final Output output;
  private final SecureRandom random = new SecureRandom();
  /** Every local candidate: added host/relay, gathered srflx, learned prflx. */
  private final List<LocalCandidate> localCandidates = new ArrayList<>();
  /** Every usable remote candidate: signalled or peer-reflexive (RFC 8445 §7.3.1.3). */
  private final List<IceCandidate> remoteCandidates = new ArrayList<>();
  /** The check list, highest pair priority first (RFC 8445 §6.1.2.3). */
  private final List<Pair> pairs = new ArrayList<>();
  private final List<Transaction> transactions = new ArrayList<>();
  /** Ids of transactions we ended ourselves; their late responses are ignored, not counted. */
  private final ArrayDeque<byte[]> retiredIds = new ArrayDeque<>();

  private IceState state = IceState.NEW;
  private IceRole role;
  private Pair selected;
  private boolean nominationInFlight;
  private long triggeredCounter;
  private int peerReflexiveCounter;
  private long connectDeadlineNanos;
  private long nextCheckNanos;
  private long lastConsentNanos;
  private long nextConsentNanos;
  private long droppedMessages;

  /**
   * Creates an agent in state {@link IceState#NEW} with no candidates.
   *
   * @param config timing and address-family settings
   * @param role the starting role; it may change on a role conflict (RFC 8445 §7.3.1.1)
   * @param local our credentials; the peer's checks must use our ufrag and pwd
   * @param remote the peer's credentials from signalling
   * @param tieBreaker our 64-bit role-conflict tie-breaker (RFC 8445 §16.1), random per session
   * @param output where datagrams and events go
   * @throws NullPointerException if an argument is null
   */
  public IceAgent(IceConfig config, IceRole role, IceCredentials local, IceCredentials remote,
      long tieBreaker, Output output) {
    this.config = Objects.requireNonNull(config, "config");
    this.role = Objects.requireNonNull(role, "role");
    this.local = Objects.requireNonNull(local, "local");
    this.remote = Objects.requireNonNull(remote, "remote");
    this.output = Objects.requireNonNull(output, "output");
    this.localKey = local.pwd().getBytes(StandardCharsets.UTF_8);
    this.remoteKey = remote.pwd().getBytes(StandardCharsets.UTF_8);
    this.tieBreaker = tieBreaker;
  }

  /**
   * Adds a local candidate, before or after {@link #start}. Host and relayed candidates are paired
   * with every known remote candidate of the same address family (RFC 8445 §6.1.2.2; a wildcard
   * host address pairs with both families); server-reflexive and peer-reflexive ones are recorded
   * but not paired, as their base is a host candidate (§6.1.2.4). A candidate whose port and address
   * equal an existing one is ignored. Candidates do not change once the agent is
   * {@link IceState#CONNECTED}, {@link IceState#FAILED} or {@link IceState#CLOSED}; then this does
   * nothing.
   *
   * <p>Each port should carry at most one host candidate per address family; for a socket bound to
   * a wildcard address add one candidate for it rather than one per interface address.
   *
   * @param candidate the candidate; its priority should come from {@link HostCandidates#priority}
   * @throws NullPointerException if candidate is null
   */
  public void addLocalCandidate(LocalCandidate candidate) {
    Objects.requireNonNull(candidate, "candidate");
    if (!acceptsCandidates() || findLocal(candidate.portId(), candidate.address()) != null) {
      return;
    }
    localCandidates.add(candidate);
    if (isPairable(candidate)) {
      for (IceCandidate r : remoteCandidates) {
        addPair(candidate, r, pairsEligibleAt());
      }
    }
  }

  /**
   * Adds a remote candidate (trickle), before or after {@link #start}, and pairs it with every
   * pairable local candidate of its address family (RFC 8445 §6.1.2.2); its pairs are checked from
   * the next Ta tick on (the owner should ask {@link #nextTimeoutNanos()} again). Ignored: non-UDP candidates, components other than 1, IPv6 candidates unless
   * {@link IceConfig#includeIpv6()}, addresses already known (signalled or peer-reflexive), and any
   * candidate once the agent is connected, failed or closed.
   *
   * @param candidate the peer's candidate
   * @param nowNanos the current time
   * @throws NullPointerException if candidate is null
   */
  public void addRemoteCandidate(IceCandidate candidate, long nowNanos) {
    Objects.requireNonNull(candidate, "candidate");
    boolean usable = candidate.component() == 1 && candidate.protocol().equalsIgnoreCase("udp")
        && usableFamily(candidate.address());
    if (!usable || !acceptsCandidates() || findRemote(candidate.address()) != null) {
      return;
    }
    remoteCandidates.add(candidate);
    long eligibleAt = state == IceState.NEW ? 0 : nowNanos;
    for (LocalCandidate l : localCandidates) {
      if (isPairable(l)) {
        addPair(l, candidate, eligibleAt);
      }
    }
  }

  /**
   * Asks a STUN server for our server-reflexive address on a host port (RFC 8445 §5.1.1.2): sends a
   * Binding request from {@code portId} to {@code stunServer}, retransmitted per RFC 8489 §6.2.1
   * (RTO 500 ms per RFC 8445 §14.3, doubling, 7 transmissions, then 8 s for the last response). The
   * XOR-MAPPED-ADDRESS of the response becomes a srflx {@link LocalCandidate} on that port, reported
   * through {@link Output#onLocalCandidate} unless redundant (§5.1.3). It is not paired (its base is
   * the host port, §6.1.2.4). Errors and timeouts end the gathering silently. Works in any state
   * but {@link IceState#FAILED} and {@link IceState#CLOSED}.
   *
   * @param portId the host socket to send from
   * @param stunServer the STUN server's resolved address
   * @param nowNanos the current time
   * @throws NullPointerException if stunServer is null
   */
  public void gatherServerReflexive(int portId, InetSocketAddress stunServer, long nowNanos) {
    Objects.requireNonNull(stunServer, "stunServer");
    if (state == IceState.FAILED || state == IceState.CLOSED) {
      return;
    }
    byte[] id = newTransactionId();
    byte[] request = new StunMessageBuilder(StunMessage.BINDING_REQUEST, id).build(null, true);
    Transaction t = new Transaction(id, Kind.GATHER, null, portId, stunServer, request, role, nowNanos, false);
    t.rtoNanos = GATHER_RTO_NANOS;
    t.deadlineNanos = nowNanos + GATHER_RTO_NANOS;
    transactions.add(t);
    output.sendDatagram(portId, stunServer, request, 0, request.length);
  }

  /**
   * Starts connectivity checks: state {@link IceState#CHECKING}, first check now (if there is a
   * pair), then one check per Ta (RFC 8445 §6.1.4.2). The connect timeout runs from here; having no
   * pair yet is fine (trickle), the timeout still applies.
   *
   * @param nowNanos the current time
   * @throws IllegalStateException if not {@link IceState#NEW}
   */
  public void start(long nowNanos) {
    if (state != IceState.NEW) {
      throw new IllegalStateException("start() needs state NEW, state is " + state);
    }
    connectDeadlineNanos = nowNanos + TimeUnit.MILLISECONDS.toNanos(config.connectTimeoutMillis());
    nextCheckNanos = nowNanos;
    for (Pair p : pairs) {
      p.eligibleAtNanos = nowNanos;
    }
    setState(IceState.CHECKING);
    handleTimeout(nowNanos);
  }

  /**
   * Handles one received STUN datagram: answers authenticated Binding requests (RFC 8445 §7.3),
   * matches responses to our checks, consent checks and gathering requests (§7.2.5). Malformed,
   * unauthenticated and unmatched messages are counted in {@link #droppedMessages()} and otherwise
   * ignored; nothing is thrown for bad input.
   *
   * @param portId the port it arrived on (a {@link LocalCandidate#portId()})
   * @param data the datagram; read only and not kept, so the caller may reuse it after return
   * @param offset where the datagram starts
   * @param length the datagram length in bytes
   * @param from the sender
   * @param nowNanos the current time
   */
  public void handleStun(int portId, byte[] data, int offset, int length, InetSocketAddress from,
      long nowNanos) {
    if (state == IceState.FAILED || state == IceState.CLOSED) {
      return;
    }
    if (from == null || from.isUnresolved()) {
      droppedMessages++;
      return;
    }
    try {
      StunMessage message = StunMessage.parse(data, offset, length);
      boolean handled = switch (message.type()) {
        case StunMessage.BINDING_REQUEST -> handleRequest(portId, message, from, nowNanos);
        case StunMessage.BINDING_SUCCESS_RESPONSE, StunMessage.BINDING_ERROR_RESPONSE ->
            handleResponse(portId, message, from, nowNanos);
        case StunMessage.BINDING_INDICATION -> true; // keep-alive, RFC 8445 §11
        default -> false;
      };
      if (!handled) {
        droppedMessages++;
      }
    } catch (StunParseException | RuntimeException e) {
      droppedMessages++; // e.g. a bad range or a malformed attribute
    }
  }

  /**
   * Runs whatever is due: new, triggered and retransmitted checks, gathering retransmissions,
   * consent checks, connect and consent timeouts. Harmless to call early.
   *
   * @param nowNanos the current time
   */
  public void handleTimeout(long nowNanos) {
    if (state == IceState.FAILED || state == IceState.CLOSED) {
      return;
    }
    if (state == IceState.CHECKING && nowNanos >= connectDeadlineNanos) {
      fail();
      return;
    }
    if (state == IceState.CONNECTED
        && nowNanos - lastConsentNanos >= TimeUnit.MILLISECONDS.toNanos(config.consentTimeoutMillis())) {
      fail(); // RFC 7675 §5.1: consent expired
      return;
    }
    List<Transaction> failed = new ArrayList<>();
    for (Iterator<Transaction> it = transactions.iterator(); it.hasNext(); ) {
      Transaction t = it.next();
      if (nowNanos < t.deadlineNanos) {
        continue;
      }
      if (t.kind != Kind.CONSENT && !t.cancelled && t.transmissions < MAX_TRANSMISSIONS) {
        retransmit(t, nowNanos);
      } else {
        it.remove();
        retire(t);
        if (t.kind == Kind.CHECK || t.kind == Kind.NOMINATION) {
          failed.add(t);
        }
      }
    }
    for (Transaction t : failed) {
      checkFailed(t, nowNanos);
    }
    if (state == IceState.CHECKING && nowNanos >= nextCheckNanos) {
      Pair next = nextPairToCheck(nowNanos);
      if (next != null) {
        sendCheck(next, false, nowNanos);
        nextCheckNanos = nowNanos + TA_NANOS;
      }
    }
    if (state == IceState.CONNECTED && nowNanos >= nextConsentNanos) {
      sendConsentCheck(nowNanos);
    }
  }

  /** @return the absolute time of the next {@link #handleTimeout(long)} need, or {@link Long#MAX_VALUE} */
  public long nextTimeoutNanos() {
    if (state == IceState.FAILED || state == IceState.CLOSED) {
      return Long.MAX_VALUE;
    }
    long next = Long.MAX_VALUE;
    for (Transaction t : transactions) {
      next = Math.min(next, t.deadlineNanos);
    }
    if (state == IceState.CHECKING) {
      next = Math.min(next, connectDeadlineNanos);
      for (Pair p : pairs) {
        if (p.state == PairState.WAITING) {
          next = Math.min(next, Math.max(p.eligibleAtNanos, nextCheckNanos));
        }
      }
    } else if (state == IceState.CONNECTED) {
      next = Math.min(next, nextConsentNanos);
      next = Math.min(next, lastConsentNanos + TimeUnit.MILLISECONDS.toNanos(config.consentTimeoutMillis()));
    }
    return next;
  }

  /** @return the current state */
  public IceState state() {
    return state;
  }

  /** @return the current role; it changes on a role conflict (RFC 8445 §7.3.1.1, §7.2.5.1) */
  public IceRole role() {
    return role;
  }

  /** @return the selected pair's remote address, or null before {@link IceState#CONNECTED} */
  public InetSocketAddress selectedRemote() {
    return selected == null ? null : selected.remoteAddress();
  }

  /** @return the selected pair's local port id, or -1 before {@link IceState#CONNECTED} */
  public int selectedPortId() {
    return selected == null ? -1 : selected.portId();
  }

  /**
   * @return a copy of every local candidate: added host and relay candidates, gathered srflx ones
   *     and peer-reflexive ones learned from check responses (RFC 8445 §7.2.5.3.1), in that order of
   *     arrival
   */
  public List<LocalCandidate> localCandidates() {
    return List.copyOf(localCandidates);
  }

  /** @return a copy of every remote candidate: added ones and peer-reflexive ones (§7.3.1.3) */
  public List<IceCandidate> remoteCandidates() {
    return List.copyOf(remoteCandidates);
  }

  /** Stops the agent: state {@link IceState#CLOSED}, no further output. Idempotent. */
  public void close() {
    state = IceState.CLOSED;
    transactions.clear();
  }

  /**
   * @return how many STUN datagrams were discarded: malformed, failing MESSAGE-INTEGRITY or USERNAME
   *     checks, unauthenticated role conflicts, or answering no outstanding transaction
   */
  public long droppedMessages() {
    return droppedMessages;
  }

  /**
   * RFC 8445 §6.1.2.3: {@code 2^32*MIN(G,D) + 2*MAX(G,D) + (G>D?1:0)}, G the controlling agent's
   * candidate priority, D the controlled agent's.
   *
   * @return the pair priority, to be compared unsigned
   */
  static long pairPriority(long controllingPriority, long controlledPriority) {
    long g = controllingPriority;
    long d = controlledPriority;
    return (Math.min(g, d) << 32) + 2 * Math.max(g, d) + (g > d ? 1 : 0);
  }

  /** For tests: the pairs in check order as "portId local-address remote-address" strings. */
  List<String> pairsForTest() {
    List<String> result = new ArrayList<>();
    for (Pair p : pairs) {
      result.add(p.portId() + " " + p.local.address() + " " + p.remoteAddress());
    }
    return result;
  }

  // RFC 8445 §7.3: answer the peer's check, learn its address, react to USE-CANDIDATE.
  private boolean handleRequest(int portId, StunMessage request, InetSocketAddress from, long nowNanos)
      throws StunParseException {
    String username = request.username();
    if (username == null || !username.startsWith(local.ufrag() + ":")
        || !request.verifyMessageIntegrity(localKey)) {
      return false; // RFC 8445 §7.3 / RFC 8489 §9.1.3: no answer to unauthenticated requests
    }
    Long peerControlling = request.iceControlling();
    Long peerControlled = request.iceControlled();
    long peerPriority = request.priority();
    // RFC 8445 §7.3.1.1: role conflict.
    if (role == IceRole.CONTROLLED && peerControlled != null) {
      if (Long.compareUnsigned(tieBreaker, peerControlled) >= 0) {
        switchRole(IceRole.CONTROLLING, nowNanos);
      } else {
        sendRoleConflict(portId, request, from);
        return true;
      }
    } else if (role == IceRole.CONTROLLING && peerControlling != null) {
      if (Long.compareUnsigned(tieBreaker, peerControlling) >= 0) {
        sendRoleConflict(portId, request, from);
        return true;
      }
      switchRole(IceRole.CONTROLLED, nowNanos);
    }
    byte[] response = new StunMessageBuilder(StunMessage.BINDING_SUCCESS_RESPONSE, request.transactionId())
        .addXorMappedAddress(from)
        .build(localKey, true);
    output.sendDatagram(portId, from, response, 0, response.length);
    if (state != IceState.NEW && state != IceState.CHECKING) {
      return true; // connected: the peer's checks are answered, nothing else changes
    }
    if (!usableFamily(from)) {
      return true; // answered, but IPv6 candidates are not used (IceConfig#includeIpv6)
    }
    LocalCandidate base = localFor(portId, from);
    if (base == null) {
      return true; // answered, but no local candidate of ours on that port pairs with the sender
    }
    Pair pair = findPair(base, from);
    if (pair == null) {
      // RFC 8445 §7.3.1.3: a peer-reflexive remote candidate, priority from the PRIORITY attribute.
      IceCandidate known = findRemote(from);
      boolean learned = known == null;
      if (learned) {
        known = new IceCandidate("prflx" + (peerReflexiveCounter + 1), 1, "udp",
            Math.max(peerPriority, 0), from, "prflx");
      }
      pair = addPair(base, known, state == IceState.NEW ? 0 : nowNanos);
      if (pair == null) {
        return true; // the check list is full (RFC 8445 §6.1.2.5): answered, not learned
      }
      if (learned) {
        peerReflexiveCounter++;
        remoteCandidates.add(known);
      }
    }
    if (role == IceRole.CONTROLLED && request.useCandidate()) {
      pair.nominatedByPeer = true; // RFC 8445 §7.3.1.5
    }
    // RFC 8445 §7.3.1.4: triggered checks.
    switch (pair.state) {
      case SUCCEEDED -> {
        if (role == IceRole.CONTROLLED && pair.nominatedByPeer) {
          select(pair, nowNanos);
        } else if (role == IceRole.CONTROLLED && state == IceState.CHECKING
            && liveCheck(pair) == null) {
          // The pair is valid both ways now but not nominated: check it once more, at once, so a
          // controlling agent that nominates on a request over a succeeded pair (pion) need not
          // wait for its own check timer (200 ms in pion); libwebrtc's controlled side keeps
          // pinging such pairs too. One such check per peer check at most (none while one is live).
          sendRecheck(pair, nowNanos);
        }
      }
      case IN_PROGRESS -> {
        // Cancel the check in flight (no more retransmissions, its response still counts) and
        // send a new check now, so the pair does not wait for the old one's retransmissions.
        Transaction live = liveCheck(pair);
        if (live != null && !live.triggeredByRequest) {
          live.cancelled = true;
          live.deadlineNanos = live.startNanos + CHECK_TRANSACTION_TIMEOUT_NANOS;
          sendCheck(pair, true, nowNanos);
        }
      }
      case WAITING -> {
        if (pair.triggeredSeq == 0) {
          pair.triggeredSeq = ++triggeredCounter;
        }
        pair.eligibleAtNanos = Math.min(pair.eligibleAtNanos, nowNanos);
        if (state == IceState.CHECKING) {
          handleTimeout(nowNanos);
        }
      }
    }
    return true;
  }

  private void sendRoleConflict(int portId, StunMessage request, InetSocketAddress from) {
    byte[] response = new StunMessageBuilder(StunMessage.BINDING_ERROR_RESPONSE, request.transactionId())
        .addErrorCode(new StunErrorCode(StunErrorCode.ROLE_CONFLICT, "Role Conflict"))
        .build(localKey, true);
    output.sendDatagram(portId, from, response, 0, response.length);
  }

  // RFC 8445 §7.2.5: process the answer to one of our requests.
  private boolean handleResponse(int portId, StunMessage response, InetSocketAddress from, long nowNanos)
      throws StunParseException {
    Transaction t = null;
    for (Transaction candidate : transactions) {
      if (response.hasTransactionId(candidate.id)) {
        t = candidate;
        break;
      }
    }
    if (t == null) {
      for (byte[] id : retiredIds) {
        if (response.hasTransactionId(id)) {
          return true; // a late answer to a check that succeeded otherwise or timed out: ignored
        }
      }
      return false;
    }
    if (t.kind == Kind.GATHER) {
      return handleGatherResponse(t, portId, response, from);
    }
    boolean success = response.type() == StunMessage.BINDING_SUCCESS_RESPONSE;
    boolean authentic = response.hasMessageIntegrity() && response.verifyMessageIntegrity(remoteKey);
    StunErrorCode error = success ? null : response.errorCode();
    boolean roleConflict = error != null && error.code() == StunErrorCode.ROLE_CONFLICT;
    // Success and 487 must be authenticated; early 400/401 errors may come without integrity
    // (RFC 8489 §9.1.3); integrity that is present must verify.
    if ((success || roleConflict || response.hasMessageIntegrity()) && !authentic) {
      return false;
    }
    InetSocketAddress mapped = success ? response.xorMappedAddress() : null; // may throw: then dropped
    transactions.remove(t);
    retire(t);
    if (t.kind == Kind.CONSENT) {
      if (success && from.equals(t.to) && portId == t.portId && t.pair == selected) {
        lastConsentNanos = nowNanos; // RFC 7675 §5.1
      }
      return true;
    }
    if (!from.equals(t.to) || portId != t.portId) {
      checkFailed(t, nowNanos); // RFC 8445 §7.2.5.2.1: non-symmetric addresses
      return true;
    }
    Pair pair = t.pair;
    if (!success) {
      if (roleConflict) {
        // RFC 8445 §7.2.5.1: switch to the opposite of the role the request was sent in, retry.
        if (t.roleWhenSent == role) {
          switchRole(role.opposite(), nowNanos);
        }
        if (t.kind == Kind.NOMINATION) {
          nominationInFlight = false;
        }
        if (pair.state != PairState.SUCCEEDED && liveCheck(pair) == null) {
          pair.state = PairState.WAITING;
          pair.triggeredSeq = ++triggeredCounter;
          pair.eligibleAtNanos = nowNanos;
        }
      } else {
        checkFailed(t, nowNanos); // e.g. 401 while the SFU registers our credentials
      }
      return true;
    }
    learnPeerReflexiveLocal(t, mapped);
    if (pair.state != PairState.SUCCEEDED) {
      pair.state = PairState.SUCCEEDED;
      pair.failures = 0;
      pair.triggeredSeq = 0;
      removeTransactions(other -> other.pair == pair && other.kind == Kind.CHECK);
    }
    if (state != IceState.CHECKING) {
      return true;
    }
    if (role == IceRole.CONTROLLED) {
      if (pair.nominatedByPeer) {
        select(pair, nowNanos); // RFC 8445 §7.3.1.5
      }
    } else if (t.kind == Kind.NOMINATION) {
      select(pair, nowNanos); // RFC 8445 §8.1.1: the nominated pair succeeded
    } else {
      nominate(nowNanos);
    }
    return true;
  }

  // RFC 8445 §5.1.1.2: a server-reflexive candidate from a STUN server's answer.
  private boolean handleGatherResponse(Transaction t, int portId, StunMessage response,
      InetSocketAddress from) throws StunParseException {
    if (!from.equals(t.to) || portId != t.portId) {
      return false;
    }
    boolean success = response.type() == StunMessage.BINDING_SUCCESS_RESPONSE;
    InetSocketAddress mapped = success ? response.xorMappedAddress() : null; // may throw: then dropped
    transactions.remove(t);
    retire(t);
    if (!success) {
      return true; // the server refused; gathering from it ends
    }
    if (mapped == null) {
      return true;
    }
    if (findLocalAddress(mapped) != null) {
      return true; // RFC 8445 §5.1.3: redundant (e.g. no NAT: equal to the host candidate)
    }
    LocalCandidate base = basePort(portId, mapped);
    int localPreference = base == null ? HostCandidates.MAX_LOCAL_PREFERENCE
        : HostCandidates.localPreference(base.candidate().priority());
    IceCandidate c = new IceCandidate(
        HostCandidates.foundation("srflx", base == null ? mapped.getAddress() : base.address().getAddress(),
            t.to.getAddress()),
        1, "udp", HostCandidates.priority(HostCandidates.TYPE_PREFERENCE_SRFLX, localPreference, 1),
        mapped, "srflx");
    LocalCandidate srflx = new LocalCandidate(portId, c);
    localCandidates.add(srflx);
    output.onLocalCandidate(srflx);
    return true;
  }

  // RFC 8445 §7.2.5.3.1: a mapped address matching no local candidate is a peer-reflexive local one.
  private void learnPeerReflexiveLocal(Transaction t, InetSocketAddress mapped) {
    if (mapped == null || findLocalAddress(mapped) != null) {
      return;
    }
    long priority = HostCandidates.peerReflexivePriority(t.pair.local.candidate().priority());
    IceCandidate c = new IceCandidate(HostCandidates.foundation("prflx", t.pair.local.address().getAddress(), null),
        1, "udp", priority, mapped, "prflx");
    localCandidates.add(new LocalCandidate(t.portId, c));
  }

  private void switchRole(IceRole newRole, long nowNanos) {
    role = newRole;
    nominationInFlight = false;
    for (Pair p : pairs) {
      p.priority = computePriority(p);
    }
    pairs.sort((a, b) -> Long.compareUnsigned(b.priority, a.priority));
    if (newRole == IceRole.CONTROLLING) {
      nominate(nowNanos);
    }
  }

  /** RFC 8445 §8.1.1: regular nomination of the best succeeded pair, one at a time. */
  private void nominate(long nowNanos) {
    if (role != IceRole.CONTROLLING || selected != null || nominationInFlight
        || state != IceState.CHECKING) {
      return;
    }
    for (Pair p : pairs) { // highest priority first
      if (p.state == PairState.SUCCEEDED) {
        sendNomination(p, nowNanos);
        return;
      }
    }
  }

  private void checkFailed(Transaction t, long nowNanos) {
    if (t.kind == Kind.NOMINATION) {
      nominationInFlight = false;
    }
    Pair pair = t.pair;
    if (t.cancelled || (t.kind == Kind.CHECK && pair.state == PairState.SUCCEEDED)
        || liveCheck(pair) != null) {
      return; // RFC 8445 §7.3.1.4: a cancelled or superseded check does not fail the pair
    }
    pair.state = PairState.WAITING;
    pair.triggeredSeq = 0;
    pair.failures++;
    long backoff = RETRY_INITIAL_NANOS
        << Math.min(Math.max(0, pair.failures - RETRY_STEADY_FAILURES), 20);
    pair.eligibleAtNanos = nowNanos + Math.min(backoff, RETRY_MAX_NANOS);
    if (t.kind == Kind.NOMINATION) {
      nominate(nowNanos); // RFC 8445 §8.1.1: try the best pair that is still valid
    }
  }

  /** RFC 8445 §6.1.4.2: the oldest triggered pair, else the highest-priority waiting pair. */
  private Pair nextPairToCheck(long nowNanos) {
    Pair best = null;
    for (Pair p : pairs) {
      if (p.state != PairState.WAITING || p.eligibleAtNanos > nowNanos) {
        continue;
      }
      if (best == null) {
        best = p;
      } else if (p.triggeredSeq != 0 && (best.triggeredSeq == 0 || p.triggeredSeq < best.triggeredSeq)) {
        best = p;
      }
    }
    return best;
  }

  /** @return the pair's check transaction that is neither cancelled nor a nomination, or null */
  private Transaction liveCheck(Pair pair) {
    for (Transaction t : transactions) {
      if (t.pair == pair && t.kind == Kind.CHECK && !t.cancelled) {
        return t;
      }
    }
    return null;
  }

  // RFC 8445 §7.2.2: a check from the pair's local candidate's port.
  private void sendCheck(Pair pair, boolean triggeredByRequest, long nowNanos) {
    pair.state = PairState.IN_PROGRESS;
    pair.triggeredSeq = 0;
    send(Kind.CHECK, newRequest(pair), pair, triggeredByRequest, nowNanos, nowNanos + RTO_INITIAL_NANOS);
  }

  /**
   * A check on a pair that already succeeded, by the controlled agent while it waits for the
   * nomination: the pair stays succeeded, a failure or timeout does not fail it ({@link #checkFailed}),
   * and selection ends it like any check.
   */
  private void sendRecheck(Pair pair, long nowNanos) {
    send(Kind.CHECK, newRequest(pair), pair, true, nowNanos, nowNanos + RTO_INITIAL_NANOS);
  }

  // RFC 8445 §8.1.1: repeat the check of a valid pair with USE-CANDIDATE; the pair stays succeeded.
  private void sendNomination(Pair pair, long nowNanos) {
    nominationInFlight = true;
    send(Kind.NOMINATION, newRequest(pair).addUseCandidate(), pair, false, nowNanos,
        nowNanos + RTO_INITIAL_NANOS);
  }

  // RFC 7675 §5.1: a fresh transaction each time, no retransmission.
  private void sendConsentCheck(long nowNanos) {
    scheduleNextConsent(nowNanos);
    send(Kind.CONSENT, newRequest(selected), selected, false, nowNanos,
        nowNanos + TimeUnit.MILLISECONDS.toNanos(config.consentTimeoutMillis()));
  }

  /** RFC 7675 §5.1: randomised to 0.8..1.2 of the interval. */
  private void scheduleNextConsent(long nowNanos) {
    long intervalNanos = TimeUnit.MILLISECONDS.toNanos(config.consentIntervalMillis());
    nextConsentNanos = nowNanos + (long) (intervalNanos * (0.8 + 0.4 * random.nextDouble()));
  }

  /** RFC 8445 §7.2.2: USERNAME remote:local, PRIORITY (§7.1.1), role attribute (§7.1.3). */
  private StunMessageBuilder newRequest(Pair pair) {
    StunMessageBuilder b = new StunMessageBuilder(StunMessage.BINDING_REQUEST, newTransactionId())
        .addUsername(remote.ufrag() + ":" + local.ufrag())
        .addPriority(HostCandidates.peerReflexivePriority(pair.local.candidate().priority()));
    return role == IceRole.CONTROLLING ? b.addIceControlling(tieBreaker) : b.addIceControlled(tieBreaker);
  }

  private void send(Kind kind, StunMessageBuilder b, Pair pair, boolean triggeredByRequest,
      long nowNanos, long deadlineNanos) {
    byte[] request = b.build(remoteKey, true);
    byte[] id = new byte[12];
    System.arraycopy(request, 8, id, 0, 12);
    Transaction t = new Transaction(id, kind, pair, pair.portId(), pair.remoteAddress(), request, role,
        nowNanos, triggeredByRequest);
    t.rtoNanos = RTO_INITIAL_NANOS;
    t.deadlineNanos = deadlineNanos;
    transactions.add(t);
    output.sendDatagram(t.portId, t.to, request, 0, request.length);
  }

  /** RFC 8489 §6.2.1: checks double their RTO up to 1.6 s; gathering doubles, the last waits Rm*RTO. */
  private void retransmit(Transaction t, long nowNanos) {
    t.transmissions++;
    long wait;
    if (t.kind == Kind.GATHER) {
      wait = t.transmissions < MAX_TRANSMISSIONS ? GATHER_RTO_NANOS << (t.transmissions - 1)
          : GATHER_RM * GATHER_RTO_NANOS;
    } else {
      t.rtoNanos = Math.min(t.rtoNanos * 2, RTO_MAX_NANOS);
      wait = t.rtoNanos;
    }
    t.deadlineNanos = nowNanos + wait;
    output.sendDatagram(t.portId, t.to, t.request, 0, t.request.length);
  }

  private byte[] newTransactionId() {
    byte[] id = new byte[12];
    random.nextBytes(id);
    return id;
  }

  private void select(Pair pair, long nowNanos) {
    if (selected != null) {
      return;
    }
    selected = pair;
    removeTransactions(t -> t.kind == Kind.CHECK || t.kind == Kind.NOMINATION);
    lastConsentNanos = nowNanos;
    scheduleNextConsent(nowNanos);
    output.onSelectedPair(pair.portId(), pair.remoteAddress());
    setState(IceState.CONNECTED);
  }

  private void removeTransactions(java.util.function.Predicate<Transaction> which) {
    for (Iterator<Transaction> it = transactions.iterator(); it.hasNext(); ) {
      Transaction t = it.next();
      if (which.test(t)) {
        it.remove();
        retire(t);
      }
    }
  }

  private void retire(Transaction t) {
    if (retiredIds.size() == RETIRED_IDS) {
      retiredIds.removeFirst();
    }
    retiredIds.addLast(t.id);
  }

  private void fail() {
    transactions.clear();
    setState(IceState.FAILED);
  }

  private void setState(IceState newState) {
    state = newState;
    output.onStateChange(newState);
  }

  private boolean acceptsCandidates() {
    return state == IceState.NEW || state == IceState.CHECKING;
  }

  private long pairsEligibleAt() {
    return state == IceState.NEW ? 0 : nextCheckNanos;
  }

  private long computePriority(Pair p) {
    long l = p.local.candidate().priority();
    long r = p.remote.priority();
    return role == IceRole.CONTROLLING ? pairPriority(l, r) : pairPriority(r, l);
  }

  /** Adds a pair in priority order (RFC 8445 §6.1.2.3); null if the pair limit is reached. */
  private Pair addPair(LocalCandidate l, IceCandidate r, long eligibleAtNanos) {
    if (!canPair(l, r.address()) || findPair(l, r.address()) != null || pairs.size() >= MAX_PAIRS) {
      return null;
    }
    Pair pair = new Pair(l, r);
    pair.priority = computePriority(pair);
    pair.eligibleAtNanos = eligibleAtNanos;
    int i = 0;
    while (i < pairs.size() && Long.compareUnsigned(pairs.get(i).priority, pair.priority) >= 0) {
      i++;
    }
    pairs.add(i, pair);
    return pair;
  }

  /** Host and relayed candidates are paired; srflx and prflx ones have a host base (§6.1.2.4). */
  private static boolean isPairable(LocalCandidate c) {
    return c.type().equals("host") || c.type().equals("relay");
  }

  /**
   * Whether a remote address may be used at all: IPv6 only if configured; a reflector candidate
   * (synthetic, {@link ReflectorAddress}) always, as it is never sent to directly.
   */
  private boolean usableFamily(InetSocketAddress remoteAddress) {
    return config.includeIpv6() || !(remoteAddress.getAddress() instanceof Inet6Address)
        || ReflectorAddress.isReflector(remoteAddress);
  }

  /**
   * Whether {@code l} may check {@code remoteAddress} (RFC 8445 §6.1.2.2): the same address family;
   * a Telegram reflector candidate only with a reflector candidate of the same reflector (id and
   * port), as only that reflector can carry the datagrams (tgcalls {@code ReflectorPort}
   * CreateConnection).
   */
  private static boolean canPair(LocalCandidate l, InetSocketAddress remoteAddress) {
    boolean localReflector = ReflectorAddress.isReflector(l.address());
    if (localReflector || ReflectorAddress.isReflector(remoteAddress)) {
      return localReflector && ReflectorAddress.isReflector(remoteAddress)
          && ReflectorAddress.reflectorId(l.address()) == ReflectorAddress.reflectorId(remoteAddress)
          && l.address().getPort() == remoteAddress.getPort();
    }
    return sameFamily(l, remoteAddress);
  }

  private static boolean sameFamily(LocalCandidate l, InetSocketAddress remoteAddress) {
    if (l.address().getAddress().isAnyLocalAddress()) {
      return true;
    }
    return (l.address().getAddress() instanceof Inet6Address)
        == (remoteAddress.getAddress() instanceof Inet6Address);
  }

  /** The pairable local candidate that receives through {@code portId} from {@code from}. */
  private LocalCandidate localFor(int portId, InetSocketAddress from) {
    LocalCandidate wildcard = null;
    for (LocalCandidate l : localCandidates) {
      if (l.portId() != portId || !isPairable(l) || !canPair(l, from)) {
        continue;
      }
      if (!l.address().getAddress().isAnyLocalAddress()) {
        return l;
      }
      if (wildcard == null) {
        wildcard = l;
      }
    }
    return wildcard;
  }

  /** The host candidate that is the base of a server-reflexive address found through a port. */
  private LocalCandidate basePort(int portId, InetSocketAddress mapped) {
    for (LocalCandidate l : localCandidates) {
      if (l.portId() == portId && l.type().equals("host") && sameFamily(l, mapped)) {
        return l;
      }
    }
    return null;
  }

  private LocalCandidate findLocal(int portId, InetSocketAddress address) {
    for (LocalCandidate l : localCandidates) {
      if (l.portId() == portId && l.address().equals(address)) {
        return l;
      }
    }
    return null;
  }

  private LocalCandidate findLocalAddress(InetSocketAddress address) {
    for (LocalCandidate l : localCandidates) {
      if (l.address().equals(address)) {
        return l;
      }
    }
    return null;
  }

  private IceCandidate findRemote(InetSocketAddress address) {
    for (IceCandidate r : remoteCandidates) {
      if (r.address().equals(address)) {
        return r;
      }
    }
    return null;
  }

  private Pair findPair(LocalCandidate l, InetSocketAddress remoteAddress) {
    for (Pair p : pairs) {
      if (p.local == l && p.remoteAddress().equals(remoteAddress)) {
        return p;
      }
    }
    return null;
  }
}
