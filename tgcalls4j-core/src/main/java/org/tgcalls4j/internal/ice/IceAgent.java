package org.tgcalls4j.internal.ice;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
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
 * A sans-I/O full ICE agent for one component over one local UDP socket, starting in the controlled
 * role as Telegram's SFU expects (RFC 8445; group-call.md §4.1). It signals no candidates: it checks
 * every remote candidate, lets the peer learn it peer-reflexively, answers the peer's checks and
 * selects the pair the peer nominates with USE-CANDIDATE. Once connected it keeps consent fresh
 * (RFC 7675).
 *
 * <p>Not thread-safe: one owner thread calls every method, and every {@link Output} callback runs
 * synchronously on that thread. Time comes only from the {@code nowNanos} arguments (any monotonic
 * nanosecond clock, e.g. {@link System#nanoTime()}).
 */
public final class IceAgent {
  /**
   * Receives what the agent wants done; called synchronously on the owner thread. Implementations
   * must not call back into the agent from these methods.
   */
  public interface Output {
    /**
     * Sends one datagram from the agent's socket.
     *
     * @param to the destination
     * @param data the datagram bytes; the callee must not modify them and must copy them if it keeps
     *     them after returning
     * @param offset where the datagram starts in {@code data}
     * @param length the datagram length in bytes
     */
    void sendDatagram(InetSocketAddress to, byte[] data, int offset, int length);

    /** Reports a state change; {@link IceState#CLOSED} is not reported (the owner caused it). */
    void onStateChange(IceState state);

    /** Reports the selected remote address, just before the change to {@link IceState#CONNECTED}. */
    void onSelectedPair(InetSocketAddress remote);
  }

  private enum Role { CONTROLLING, CONTROLLED }

  private enum PairState { WAITING, IN_PROGRESS, SUCCEEDED }

  /** RFC 8445 §14.2: Ta, the pace of new checks. */
  private static final long TA_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  /** First retransmission timeout of a check; doubles per retransmission (RFC 8489 §6.2.1). */
  private static final long RTO_INITIAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final long RTO_MAX_NANOS = TimeUnit.MILLISECONDS.toNanos(1_600);
  /** Transmissions of one check before the transaction times out (RFC 8489 §6.2.1 Rc). */
  private static final int MAX_TRANSMISSIONS = 7;
  /** Wait before re-checking a pair after an error response or timeout; doubles per failure. */
  private static final long RETRY_INITIAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final long RETRY_MAX_NANOS = TimeUnit.MILLISECONDS.toNanos(2_000);
  /** RFC 8445 §5.1.2.1: type preference 110 for peer-reflexive, our only local candidate, component 1. */
  private static final long PRFLX_PRIORITY = (110L << 24) | (65_535L << 8) | (256 - 1);

  private static final class Pair {
    final InetSocketAddress remote;
    final long remotePriority;
    PairState state = PairState.WAITING;
    long eligibleAtNanos;
    boolean triggered;
    int failures;
    boolean nominatedByPeer;

    Pair(InetSocketAddress remote, long remotePriority) {
      this.remote = remote;
      this.remotePriority = remotePriority;
    }
  }

  private static final class Transaction {
    final byte[] id;
    final Pair pair;
    final byte[] request;
    final Role roleWhenSent;
    final boolean useCandidate;
    final boolean consent;
    /** Next retransmission, or for consent checks the time after which a response is ignored. */
    long deadlineNanos;
    long rtoNanos = RTO_INITIAL_NANOS;
    int transmissions = 1;

    Transaction(byte[] id, Pair pair, byte[] request, Role roleWhenSent, boolean useCandidate, boolean consent) {
      this.id = id;
      this.pair = pair;
      this.request = request;
      this.roleWhenSent = roleWhenSent;
      this.useCandidate = useCandidate;
      this.consent = consent;
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
  /** Highest remote priority first (our single local candidate makes that the pair order). */
  private final List<Pair> pairs = new ArrayList<>();
  private final List<Transaction> transactions = new ArrayList<>();

  private IceState state = IceState.NEW;
  private Role role = Role.CONTROLLED;
  private Pair selected;
  private boolean nominationInFlight;
  private long connectDeadlineNanos;
  private long nextCheckNanos;
  private long lastConsentNanos;
  private long nextConsentNanos;
  private long droppedMessages;

  /**
   * @param config timing and address-family settings
   * @param local our credentials; the peer's checks must use our ufrag and pwd
   * @param remote the peer's credentials from the signalling answer
   * @param remoteCandidates the peer's candidates; only UDP ones of component 1 are used, IPv6 only
   *     if {@link IceConfig#includeIpv6()}; copied
   * @param tieBreaker our 64-bit role-conflict tie-breaker (RFC 8445 §16.1), random per session
   * @param output where datagrams and events go
   * @throws NullPointerException if an argument is null
   */
  public IceAgent(IceConfig config, IceCredentials local, IceCredentials remote,
      List<IceCandidate> remoteCandidates, long tieBreaker, Output output) {
    this.config = Objects.requireNonNull(config, "config");
    this.local = Objects.requireNonNull(local, "local");
    this.remote = Objects.requireNonNull(remote, "remote");
    this.output = Objects.requireNonNull(output, "output");
    this.localKey = local.pwd().getBytes(StandardCharsets.UTF_8);
    this.remoteKey = remote.pwd().getBytes(StandardCharsets.UTF_8);
    this.tieBreaker = tieBreaker;
    for (IceCandidate c : remoteCandidates) {
      boolean usable = c.component() == 1 && c.protocol().equalsIgnoreCase("udp")
          && (config.includeIpv6() || !(c.address().getAddress() instanceof Inet6Address));
      if (usable && findPair(c.address()) == null) {
        addPair(new Pair(c.address(), c.priority()));
      }
    }
  }

  /**
   * Starts connectivity checks: state {@link IceState#CHECKING}, first check now, then one new check
   * per Ta (RFC 8445 §6.1.4.2). The connect timeout runs from here.
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
   * Handles one received STUN datagram: answers authenticated Binding requests, matches responses to
   * our checks. Malformed, unauthenticated and unmatched messages are counted in
   * {@link #droppedMessages()} and otherwise ignored; nothing is thrown for bad input.
   *
   * @param data the datagram; read only and not kept, so the caller may reuse it after return
   * @param offset where the datagram starts
   * @param length the datagram length in bytes
   * @param from the sender
   * @param nowNanos the current time
   */
  public void handleStun(byte[] data, int offset, int length, InetSocketAddress from, long nowNanos) {
    if (state == IceState.FAILED || state == IceState.CLOSED) {
      return;
    }
    try {
      StunMessage message = StunMessage.parse(data, offset, length);
      boolean handled = switch (message.type()) {
        case StunMessage.BINDING_REQUEST -> handleRequest(message, from, nowNanos);
        case StunMessage.BINDING_SUCCESS_RESPONSE, StunMessage.BINDING_ERROR_RESPONSE ->
            handleResponse(message, from, nowNanos);
        case StunMessage.BINDING_INDICATION -> true; // keep-alive, RFC 8445 §11
        default -> false;
      };
      if (!handled) {
        droppedMessages++;
      }
    } catch (StunParseException e) {
      droppedMessages++;
    }
  }

  /**
   * Runs whatever is due: new and retransmitted checks, consent checks, connect and consent timeouts.
   * Harmless to call early.
   *
   * @param nowNanos the current time
   */
  public void handleTimeout(long nowNanos) {
    if (state == IceState.CHECKING && nowNanos >= connectDeadlineNanos) {
      fail();
      return;
    }
    if (state == IceState.CONNECTED
        && nowNanos - lastConsentNanos >= TimeUnit.MILLISECONDS.toNanos(config.consentTimeoutMillis())) {
      fail(); // RFC 7675 §5.1: consent expired
      return;
    }
    if (state != IceState.CHECKING && state != IceState.CONNECTED) {
      return;
    }
    for (Iterator<Transaction> it = transactions.iterator(); it.hasNext(); ) {
      Transaction t = it.next();
      if (nowNanos < t.deadlineNanos) {
        continue;
      }
      if (!t.consent && t.transmissions < MAX_TRANSMISSIONS) {
        t.transmissions++;
        t.rtoNanos = Math.min(t.rtoNanos * 2, RTO_MAX_NANOS);
        t.deadlineNanos = nowNanos + t.rtoNanos;
        output.sendDatagram(t.pair.remote, t.request, 0, t.request.length);
      } else {
        it.remove();
        if (!t.consent) {
          checkFailed(t, nowNanos);
        }
      }
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
    if (state != IceState.CHECKING && state != IceState.CONNECTED) {
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
    } else {
      next = Math.min(next, nextConsentNanos);
      next = Math.min(next, lastConsentNanos + TimeUnit.MILLISECONDS.toNanos(config.consentTimeoutMillis()));
    }
    return next;
  }

  /** @return the current state */
  public IceState state() {
    return state;
  }

  /** @return the selected remote address, or null before {@link IceState#CONNECTED} */
  public InetSocketAddress selectedRemote() {
    return selected == null ? null : selected.remote;
  }

  /** Stops the agent: state {@link IceState#CLOSED}, no further output. Idempotent. */
  public void close() {
    state = IceState.CLOSED;
    transactions.clear();
  }

  /**
   * @return how many STUN datagrams were discarded: malformed, failing MESSAGE-INTEGRITY or USERNAME
   *     checks, or answering no outstanding transaction
   */
  public long droppedMessages() {
    return droppedMessages;
  }

  // RFC 8445 §7.3: answer the peer's check, learn its address, react to USE-CANDIDATE.
  private boolean handleRequest(StunMessage request, InetSocketAddress from, long nowNanos)
      throws StunParseException {
    String username = request.username();
    if (username == null || !username.startsWith(local.ufrag() + ":")
        || !request.verifyMessageIntegrity(localKey)) {
      return false;
    }
    Long peerControlling = request.iceControlling();
    Long peerControlled = request.iceControlled();
    long peerPriority = request.priority();
    // RFC 8445 §7.3.1.1: role conflict.
    if (role == Role.CONTROLLED && peerControlled != null) {
      if (Long.compareUnsigned(tieBreaker, peerControlled) >= 0) {
        switchRole(Role.CONTROLLING, nowNanos);
      } else {
        sendRoleConflict(request, from);
        return true;
      }
    } else if (role == Role.CONTROLLING && peerControlling != null) {
      if (Long.compareUnsigned(tieBreaker, peerControlling) >= 0) {
        sendRoleConflict(request, from);
        return true;
      }
      switchRole(Role.CONTROLLED, nowNanos);
    }
    byte[] response = new StunMessageBuilder(StunMessage.BINDING_SUCCESS_RESPONSE, request.transactionId())
        .addXorMappedAddress(from)
        .build(localKey, true);
    output.sendDatagram(from, response, 0, response.length);
    if (state != IceState.NEW && state != IceState.CHECKING) {
      return true; // connected: the peer's checks are answered, nothing else changes
    }
    Pair pair = findPair(from);
    if (pair == null) {
      // RFC 8445 §7.3.1.3: peer-reflexive remote candidate.
      pair = new Pair(from, Math.max(peerPriority, 0));
      addPair(pair);
    }
    if (role == Role.CONTROLLED && request.useCandidate()) {
      pair.nominatedByPeer = true; // RFC 8445 §7.3.1.5
    }
    // RFC 8445 §7.3.1.4: triggered check.
    if (pair.state == PairState.SUCCEEDED) {
      if (pair.nominatedByPeer && role == Role.CONTROLLED) {
        select(pair, nowNanos);
      }
    } else if (pair.state == PairState.WAITING && state == IceState.CHECKING) {
      pair.triggered = true;
      pair.eligibleAtNanos = nowNanos;
      handleTimeout(nowNanos);
    }
    return true;
  }

  private void sendRoleConflict(StunMessage request, InetSocketAddress from) {
    byte[] response = new StunMessageBuilder(StunMessage.BINDING_ERROR_RESPONSE, request.transactionId())
        .addErrorCode(new StunErrorCode(StunErrorCode.ROLE_CONFLICT, "Role Conflict"))
        .build(localKey, true);
    output.sendDatagram(from, response, 0, response.length);
  }

  // RFC 8445 §7.2.5: process the peer's answer to one of our checks.
  private boolean handleResponse(StunMessage response, InetSocketAddress from, long nowNanos)
      throws StunParseException {
    Transaction t = null;
    for (Transaction candidate : transactions) {
      if (response.hasTransactionId(candidate.id)) {
        t = candidate;
        break;
      }
    }
    if (t == null) {
      return false;
    }
    boolean success = response.type() == StunMessage.BINDING_SUCCESS_RESPONSE;
    // Success needs MESSAGE-INTEGRITY; early 400/401 errors come without it (RFC 8489 §9.1.3).
    if ((success || response.hasMessageIntegrity()) && !response.verifyMessageIntegrity(remoteKey)) {
      return false;
    }
    transactions.remove(t);
    if (t.consent) {
      if (success && from.equals(t.pair.remote) && t.pair == selected) {
        lastConsentNanos = nowNanos; // RFC 7675 §5.1
      }
      return true;
    }
    if (!from.equals(t.pair.remote)) {
      checkFailed(t, nowNanos); // RFC 8445 §7.2.5.2.1: non-symmetric addresses
      return true;
    }
    if (!success) {
      StunErrorCode error = response.errorCode();
      if (error != null && error.code() == StunErrorCode.ROLE_CONFLICT) {
        // RFC 8445 §7.2.5.1: switch to the opposite of the role the request was sent in, retry.
        if (t.roleWhenSent == role) {
          switchRole(role == Role.CONTROLLED ? Role.CONTROLLING : Role.CONTROLLED, nowNanos);
        }
        if (t.useCandidate) {
          nominationInFlight = false;
        }
        t.pair.state = PairState.WAITING;
        t.pair.triggered = true;
        t.pair.eligibleAtNanos = nowNanos;
      } else {
        checkFailed(t, nowNanos); // e.g. 401 while the SFU registers our credentials
      }
      return true;
    }
    Pair pair = t.pair;
    pair.state = PairState.SUCCEEDED;
    pair.failures = 0;
    if (role == Role.CONTROLLED && pair.nominatedByPeer) {
      select(pair, nowNanos); // RFC 8445 §7.3.1.5
    } else if (role == Role.CONTROLLING) {
      if (t.useCandidate) {
        select(pair, nowNanos); // RFC 8445 §8.1.1 regular nomination done
      } else if (!nominationInFlight) {
        sendCheck(pair, true, nowNanos);
      }
    }
    return true;
  }

  private void switchRole(Role newRole, long nowNanos) {
    role = newRole;
    nominationInFlight = false;
    if (newRole == Role.CONTROLLING && selected == null) {
      for (Pair p : pairs) {
        if (p.state == PairState.SUCCEEDED) {
          sendCheck(p, true, nowNanos);
          return;
        }
      }
    }
  }

  private void checkFailed(Transaction t, long nowNanos) {
    if (t.useCandidate) {
      nominationInFlight = false;
    }
    Pair pair = t.pair;
    pair.state = PairState.WAITING;
    pair.triggered = false;
    pair.failures++;
    long backoff = RETRY_INITIAL_NANOS << Math.min(pair.failures - 1, 20);
    pair.eligibleAtNanos = nowNanos + Math.min(backoff, RETRY_MAX_NANOS);
  }

  private Pair nextPairToCheck(long nowNanos) {
    Pair best = null;
    for (Pair p : pairs) {
      if (p.state == PairState.WAITING && p.eligibleAtNanos <= nowNanos
          && (best == null || (p.triggered && !best.triggered))) {
        best = p;
      }
    }
    return best;
  }

  // RFC 8445 §7.2.2: USERNAME remote:local, PRIORITY as prflx, role attribute, integrity with remote pwd.
  private void sendCheck(Pair pair, boolean useCandidate, long nowNanos) {
    StunMessageBuilder b = newRequest();
    if (useCandidate) {
      b.addUseCandidate();
      nominationInFlight = true;
    }
    pair.state = PairState.IN_PROGRESS;
    pair.triggered = false;
    send(b, pair, useCandidate, false, nowNanos + RTO_INITIAL_NANOS);
  }

  // RFC 7675 §5.1: a fresh transaction each time, no retransmission.
  private void sendConsentCheck(long nowNanos) {
    scheduleNextConsent(nowNanos);
    send(newRequest(), selected, false, true,
        nowNanos + TimeUnit.MILLISECONDS.toNanos(config.consentTimeoutMillis()));
  }

  /** RFC 7675 §5.1: randomised to 0.8..1.2 of the interval. */
  private void scheduleNextConsent(long nowNanos) {
    long intervalNanos = TimeUnit.MILLISECONDS.toNanos(config.consentIntervalMillis());
    nextConsentNanos = nowNanos + (long) (intervalNanos * (0.8 + 0.4 * random.nextDouble()));
  }

  private StunMessageBuilder newRequest() {
    byte[] id = new byte[12];
    random.nextBytes(id);
    StunMessageBuilder b = new StunMessageBuilder(StunMessage.BINDING_REQUEST, id)
        .addUsername(remote.ufrag() + ":" + local.ufrag())
        .addPriority(PRFLX_PRIORITY);
    return role == Role.CONTROLLING ? b.addIceControlling(tieBreaker) : b.addIceControlled(tieBreaker);
  }

  private void send(StunMessageBuilder b, Pair pair, boolean useCandidate, boolean consent, long deadlineNanos) {
    byte[] request = b.build(remoteKey, true);
    byte[] id = new byte[12];
    System.arraycopy(request, 8, id, 0, 12);
    Transaction t = new Transaction(id, pair, request, role, useCandidate, consent);
    t.deadlineNanos = deadlineNanos;
    transactions.add(t);
    output.sendDatagram(pair.remote, request, 0, request.length);
  }

  private void select(Pair pair, long nowNanos) {
    if (selected != null) {
      return;
    }
    selected = pair;
    transactions.clear();
    lastConsentNanos = nowNanos;
    scheduleNextConsent(nowNanos);
    output.onSelectedPair(pair.remote);
    setState(IceState.CONNECTED);
  }

  private void fail() {
    transactions.clear();
    setState(IceState.FAILED);
  }

  private void setState(IceState newState) {
    state = newState;
    output.onStateChange(newState);
  }

  private Pair findPair(InetSocketAddress address) {
    for (Pair p : pairs) {
      if (p.remote.equals(address)) {
        return p;
      }
    }
    return null;
  }

  private void addPair(Pair pair) {
    int i = 0;
    while (i < pairs.size() && pairs.get(i).remotePriority >= pair.remotePriority) {
      i++;
    }
    pairs.add(i, pair);
  }
}
