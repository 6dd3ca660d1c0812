package org.tgcalls4j.internal.ice;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.tgcalls4j.internal.stun.StunAttribute;
import org.tgcalls4j.internal.stun.StunErrorCode;
import org.tgcalls4j.internal.stun.StunMessage;
import org.tgcalls4j.internal.stun.StunMessageBuilder;

/** Drives {@link IceAgent} with a fake clock against a scripted controlling peer built from the STUN codec. */
class IceAgentTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final InetSocketAddress SFU = new InetSocketAddress("10.0.0.1", 32000);
  private static final InetSocketAddress CLIENT = new InetSocketAddress("192.0.2.10", 5000);
  private static final InetSocketAddress WILDCARD = new InetSocketAddress("0.0.0.0", 5000);
  private static final long OUR_TIE_BREAKER = 0x5000_0000_0000_0000L;

  private final IceCredentials ours = IceCredentials.generate(new Random(1));
  private final IceCredentials sfu = new IceCredentials("bvr6j1fkri6020", "1k7vls8kb2tr4eu093jkalphcq");
  private final Recorder out = new Recorder();
  private long now = 1_000 * MS; // arbitrary non-zero origin
  private long lastAnswerNanos;

  /** What the scripted peer answers to the agent's checks. */
  private enum Answer { SUCCESS, UNAUTHORIZED, ROLE_CONFLICT, SILENT }

  private record Datagram(int portId, InetSocketAddress to, byte[] data) {
    StunMessage parse() throws Exception {
      return StunMessage.parse(data, 0, data.length);
    }
  }

  private static final class Recorder implements IceAgent.Output {
    final Deque<Datagram> sent = new ArrayDeque<>();
    final List<IceState> states = new ArrayList<>();
    final List<InetSocketAddress> selected = new ArrayList<>();
    final List<Integer> selectedPorts = new ArrayList<>();
    final List<LocalCandidate> gathered = new ArrayList<>();

    @Override
    public void sendDatagram(int portId, InetSocketAddress to, byte[] data, int offset, int length) {
      sent.add(new Datagram(portId, to, Arrays.copyOfRange(data, offset, offset + length)));
    }

    @Override
    public void onLocalCandidate(LocalCandidate candidate) {
      gathered.add(candidate);
    }

    @Override
    public void onStateChange(IceState state) {
      states.add(state);
    }

    @Override
    public void onSelectedPair(int portId, InetSocketAddress remote) {
      selected.add(remote);
      selectedPorts.add(portId);
    }
  }

  private IceAgent newAgent(IceConfig config) {
    List<IceCandidate> candidates = List.of(
        new IceCandidate("1", 1, "udp", 2130706431L, SFU, "host"),
        new IceCandidate("2", 1, "tcp", 2130706431L, new InetSocketAddress("10.0.0.1", 443), "host"),
        new IceCandidate("3", 1, "udp", 2130706431L, new InetSocketAddress("2001:db8::1", 32000), "host"));
    IceAgent agent = new IceAgent(config, IceRole.CONTROLLED, ours, sfu, OUR_TIE_BREAKER, out);
    // As GroupCallSession does: one socket bound to the wildcard address, port id 0.
    agent.addLocalCandidate(new LocalCandidate(0, HostCandidates.host(WILDCARD, 65_535)));
    for (IceCandidate c : candidates) {
      agent.addRemoteCandidate(c, now);
    }
    return agent;
  }

  private IceAgent newAgent() {
    return newAgent(IceConfig.defaults());
  }

  /** The peer's reply to one of the agent's requests, checked the way the SFU checks it. */
  private byte[] peerAnswer(Datagram request, Answer answer) throws Exception {
    StunMessage m = request.parse();
    assertThat(m.type()).isEqualTo(StunMessage.BINDING_REQUEST);
    assertThat(m.username()).isEqualTo(sfu.ufrag() + ":" + ours.ufrag());
    assertThat(m.verifyMessageIntegrity(sfu.pwd().getBytes(StandardCharsets.UTF_8))).isTrue();
    assertThat(m.hasFingerprint()).isTrue();
    assertThat(m.priority() >>> 24).isEqualTo(110L); // RFC 8445 §7.1.1: a prflx priority
    return switch (answer) {
      case SUCCESS -> new StunMessageBuilder(StunMessage.BINDING_SUCCESS_RESPONSE, m.transactionId())
          .addXorMappedAddress(CLIENT).build(sfuKey(), true);
      case UNAUTHORIZED -> new StunMessageBuilder(StunMessage.BINDING_ERROR_RESPONSE, m.transactionId())
          .addErrorCode(new StunErrorCode(401, "Unauthorized")).build(null, true);
      case ROLE_CONFLICT -> new StunMessageBuilder(StunMessage.BINDING_ERROR_RESPONSE, m.transactionId())
          .addErrorCode(new StunErrorCode(487, "Role Conflict")).build(sfuKey(), true);
      case SILENT -> null;
    };
  }

  /** A check from the controlling peer, as the SFU sends it. */
  private byte[] peerCheck(boolean useCandidate) {
    StunMessageBuilder b = new StunMessageBuilder(StunMessage.BINDING_REQUEST, newTransactionId())
        .addUsername(ours.ufrag() + ":" + sfu.ufrag())
        .addPriority(2130706431L)
        .addIceControlling(0x7000_0000_0000_0000L);
    if (useCandidate) {
      b.addUseCandidate();
    }
    return b.build(ourKey(), true);
  }

  private byte[] sfuKey() {
    return sfu.pwd().getBytes(StandardCharsets.UTF_8);
  }

  private byte[] ourKey() {
    return ours.pwd().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] newTransactionId() {
    byte[] id = new byte[12];
    new SecureRandom().nextBytes(id);
    return id;
  }

  private void deliver(IceAgent agent, byte[] datagram, InetSocketAddress from) {
    deliver(agent, 0, datagram, from);
  }

  private void deliver(IceAgent agent, int portId, byte[] datagram, InetSocketAddress from) {
    agent.handleStun(portId, datagram, 0, datagram.length, from, now);
  }

  /** Runs the agent's timers up to {@code untilNanos}; the peer answers every request as told. */
  private int runUntil(IceAgent agent, long untilNanos, Answer answer) throws Exception {
    int requests = 0;
    while (true) {
      while (!out.sent.isEmpty()) {
        Datagram d = out.sent.poll();
        if (d.parse().type() == StunMessage.BINDING_REQUEST) {
          requests++;
          byte[] reply = peerAnswer(d, answer);
          if (reply != null) {
            lastAnswerNanos = now;
            deliver(agent, d.portId(), reply, d.to());
          }
        }
      }
      long next = agent.nextTimeoutNanos();
      if (next > untilNanos) {
        now = untilNanos;
        return requests;
      }
      now = Math.max(now, next);
      agent.handleTimeout(now);
    }
  }

  /** Runs the agent's timers up to {@code untilNanos}, keeping what it sends in {@code out.sent}. */
  private void tick(IceAgent agent, long untilNanos) {
    while (agent.nextTimeoutNanos() <= untilNanos) {
      now = Math.max(now, agent.nextTimeoutNanos());
      agent.handleTimeout(now);
    }
    now = untilNanos;
  }

  private Datagram firstSentTo(InetSocketAddress to) {
    return out.sent.stream().filter(d -> d.to().equals(to)).findFirst().orElseThrow();
  }

  @Test
  void sendsFirstCheckOnlyToUdpIpv4CandidateWithIceControlled() throws Exception {
    IceAgent agent = newAgent();

    agent.start(now);

    assertThat(out.states).containsExactly(IceState.CHECKING);
    assertThat(out.sent).hasSize(1);
    Datagram check = out.sent.peek();
    assertThat(check.to()).isEqualTo(SFU);
    StunMessage m = check.parse();
    assertThat(m.iceControlled()).isEqualTo(OUR_TIE_BREAKER);
    assertThat(m.iceControlling()).isNull();
    assertThat(m.useCandidate()).isFalse();
    assertThat(m.priority()).isEqualTo(0x6EFFFFFFL); // prflx, local preference 65535, component 1
    assertThat(check.portId()).isZero();
    runUntil(agent, now + 20_000 * MS, Answer.SILENT);
    assertThat(out.sent).isEmpty();
  }

  @Test
  void retransmitsAnUnansweredCheckWithDoublingTimeouts() {
    IceAgent agent = newAgent();
    long start = now;
    agent.start(now);
    List<Long> sendMillis = new ArrayList<>();
    sendMillis.add(0L);
    byte[] first = out.sent.poll().data();

    while (agent.nextTimeoutNanos() <= start + 3_200 * MS) {
      now = agent.nextTimeoutNanos();
      agent.handleTimeout(now);
      if (!out.sent.isEmpty()) {
        assertThat(out.sent.poll().data()).isEqualTo(first); // same transaction
        sendMillis.add((now - start) / MS);
      }
    }

    // RFC 8489 §6.2.1: RTO 100 ms doubling, capped at 1.6 s.
    assertThat(sendMillis).containsExactly(0L, 100L, 300L, 700L, 1_500L, 3_100L);
  }

  @Test
  void checksIpv6CandidatesOnlyWhenEnabled() throws Exception {
    IceAgent agent = newAgent(new IceConfig(10_000, 2_500, 30_000, true));

    agent.start(now);
    tick(agent, now + 60 * MS);

    assertThat(out.sent).extracting(Datagram::to).containsExactly(SFU, new InetSocketAddress("2001:db8::1", 32000));
  }

  @Test
  void connectsAfterPeersUseCandidateCheck() throws Exception {
    IceAgent agent = newAgent();
    agent.start(now);
    runUntil(agent, now + 10 * MS, Answer.SUCCESS);
    assertThat(agent.state()).isEqualTo(IceState.CHECKING);

    deliver(agent, peerCheck(true), SFU);

    Datagram response = out.sent.poll();
    assertThat(response.to()).isEqualTo(SFU);
    StunMessage m = response.parse();
    assertThat(m.type()).isEqualTo(StunMessage.BINDING_SUCCESS_RESPONSE);
    assertThat(m.verifyMessageIntegrity(ourKey())).isTrue();
    assertThat(m.hasFingerprint()).isTrue();
    assertThat(m.xorMappedAddress()).isEqualTo(SFU);
    assertThat(agent.state()).isEqualTo(IceState.CONNECTED);
    assertThat(agent.selectedRemote()).isEqualTo(SFU);
    assertThat(out.selected).containsExactly(SFU);
    assertThat(out.states).containsExactly(IceState.CHECKING, IceState.CONNECTED);
    assertThat(agent.droppedMessages()).isZero();
  }

  @Test
  void checksASucceededPairAgainWhenThePeerChecksItBeforeNominating() throws Exception {
    IceAgent agent = newAgent();
    agent.start(now);
    runUntil(agent, now + 10 * MS, Answer.SUCCESS); // our check succeeded: the pair is valid

    deliver(agent, peerCheck(false), SFU); // the peer's own check, no USE-CANDIDATE yet

    assertThat(out.sent.poll().parse().type()).isEqualTo(StunMessage.BINDING_SUCCESS_RESPONSE);
    Datagram recheck = out.sent.poll();
    assertThat(recheck).isNotNull();
    assertThat(recheck.to()).isEqualTo(SFU);
    StunMessage m = recheck.parse();
    assertThat(m.type()).isEqualTo(StunMessage.BINDING_REQUEST);
    assertThat(m.iceControlled()).isEqualTo(OUR_TIE_BREAKER);
    assertThat(m.useCandidate()).isFalse();
    assertThat(out.sent).isEmpty();

    deliver(agent, peerCheck(false), SFU); // while the recheck is unanswered: only the answer
    assertThat(out.sent.poll().parse().type()).isEqualTo(StunMessage.BINDING_SUCCESS_RESPONSE);
    assertThat(out.sent).isEmpty();

    deliver(agent, peerAnswer(recheck, Answer.SUCCESS), SFU);
    assertThat(agent.state()).isEqualTo(IceState.CHECKING); // still waiting for the nomination
    deliver(agent, peerCheck(true), SFU);
    assertThat(out.sent.poll().parse().type()).isEqualTo(StunMessage.BINDING_SUCCESS_RESPONSE);
    assertThat(out.sent).isEmpty();
    assertThat(agent.state()).isEqualTo(IceState.CONNECTED);
    assertThat(out.selected).containsExactly(SFU);

    deliver(agent, peerCheck(false), SFU); // connected: answered, nothing more
    assertThat(out.sent.poll().parse().type()).isEqualTo(StunMessage.BINDING_SUCCESS_RESPONSE);
    assertThat(out.sent).isEmpty();
    assertThat(agent.droppedMessages()).isZero();
  }

  @Test
  void aRecheckThatTimesOutDoesNotFailTheValidPair() throws Exception {
    IceAgent agent = newAgent();
    agent.start(now);
    runUntil(agent, now + 10 * MS, Answer.SUCCESS);
    deliver(agent, peerCheck(false), SFU);
    out.sent.clear();

    runUntil(agent, now + 7_000 * MS, Answer.SILENT); // every retransmission of the recheck is lost
    deliver(agent, peerCheck(true), SFU);

    assertThat(agent.state()).isEqualTo(IceState.CONNECTED); // the pair stayed valid
    assertThat(out.selected).containsExactly(SFU);
  }

  @Test
  void learnsPeerReflexiveRemoteAndSelectsItAfterTriggeredCheck() throws Exception {
    IceAgent agent = newAgent();
    agent.start(now);
    out.sent.clear(); // the first check is lost
    InetSocketAddress prflx = new InetSocketAddress("10.0.0.2", 40000);

    deliver(agent, peerCheck(true), prflx);

    assertThat(out.sent.poll().parse().type()).isEqualTo(StunMessage.BINDING_SUCCESS_RESPONSE);
    assertThat(agent.state()).isEqualTo(IceState.CHECKING); // not valid until our own check succeeds
    now += 50 * MS;
    agent.handleTimeout(now);
    Datagram triggered = out.sent.stream().filter(d -> d.to().equals(prflx)).findFirst().orElseThrow();
    deliver(agent, peerAnswer(triggered, Answer.SUCCESS), prflx);
    assertThat(agent.state()).isEqualTo(IceState.CONNECTED);
    assertThat(agent.selectedRemote()).isEqualTo(prflx);
  }

  @Test
  void retriesThrough200MillisecondsOfUnauthorizedResponsesWithoutFailing() throws Exception {
    IceAgent agent = newAgent();
    long start = now;
    agent.start(now);

    int rejected = runUntil(agent, start + 200 * MS, Answer.UNAUTHORIZED);
    assertThat(agent.state()).isEqualTo(IceState.CHECKING);
    assertThat(rejected).isBetween(2, 4); // backoff, not a storm
    runUntil(agent, start + 3_000 * MS, Answer.SUCCESS);
    assertThat(agent.state()).isEqualTo(IceState.CHECKING);
    deliver(agent, peerCheck(true), SFU);

    assertThat(agent.state()).isEqualTo(IceState.CONNECTED);
    assertThat(out.states).containsExactly(IceState.CHECKING, IceState.CONNECTED);
    assertThat(agent.droppedMessages()).isZero();
  }

  @Test
  void retriesARejectedPairEvery100MillisecondsFourTimesThenBacksOff() throws Exception {
    IceAgent agent = newAgent();
    long start = now;
    agent.start(now);
    List<Long> requestMillis = new ArrayList<>();
    while (now <= start + 2_000 * MS) {
      while (!out.sent.isEmpty()) {
        Datagram d = out.sent.poll();
        requestMillis.add((now - start) / MS);
        deliver(agent, d.portId(), peerAnswer(d, Answer.UNAUTHORIZED), d.to());
      }
      now = agent.nextTimeoutNanos();
      agent.handleTimeout(now);
    }

    // ready at 200 ms (Telegram's SFU, group-call.md §4.1) is found at 200 ms, not 300 ms
    assertThat(requestMillis).containsExactly(0L, 100L, 200L, 300L, 400L, 600L, 1_000L, 1_800L);
    assertThat(agent.state()).isEqualTo(IceState.CHECKING);
  }

  @Test
  void failsWhenNothingConnectsWithinTheConnectTimeout() throws Exception {
    IceAgent agent = newAgent(new IceConfig(10_000, 2_500, 30_000, false));
    long start = now;
    agent.start(now);

    runUntil(agent, start + 9_999 * MS, Answer.SILENT);
    assertThat(agent.state()).isEqualTo(IceState.CHECKING);
    runUntil(agent, start + 10_000 * MS, Answer.SILENT);

    assertThat(agent.state()).isEqualTo(IceState.FAILED);
    assertThat(out.states).containsExactly(IceState.CHECKING, IceState.FAILED);
    assertThat(agent.nextTimeoutNanos()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void keepsConsentWhileThePeerAnswersAndFailsThirtySecondsAfterTheLastAnswer() throws Exception {
    IceAgent agent = newAgent();
    agent.start(now);
    runUntil(agent, now + 10 * MS, Answer.SUCCESS);
    deliver(agent, peerCheck(true), SFU);
    out.sent.clear();
    long connectedAt = now;

    int consentChecks = runUntil(agent, connectedAt + 60_000 * MS, Answer.SUCCESS);
    assertThat(agent.state()).isEqualTo(IceState.CONNECTED);
    assertThat(consentChecks).isBetween(60_000 / 3_000, 60_000 / 2_000); // one per 2..3 s

    long lastAnswer = lastAnswerNanos;
    assertThat(lastAnswer).isGreaterThan(connectedAt + 57_000 * MS);
    runUntil(agent, lastAnswer + 29_999 * MS, Answer.SILENT);
    assertThat(agent.state()).isEqualTo(IceState.CONNECTED);
    runUntil(agent, lastAnswer + 30_000 * MS, Answer.SILENT);

    assertThat(agent.state()).isEqualTo(IceState.FAILED);
    assertThat(out.states).containsExactly(IceState.CHECKING, IceState.CONNECTED, IceState.FAILED);
  }

  @Test
  void switchesToControllingOnRoleConflictResponseAndNominates() throws Exception {
    IceAgent agent = newAgent();
    agent.start(now);

    Datagram first = out.sent.poll();
    deliver(agent, peerAnswer(first, Answer.ROLE_CONFLICT), SFU);
    tick(agent, now + 100 * MS);
    List<StunMessage> retries = new ArrayList<>();
    for (Datagram d : out.sent) {
      retries.add(d.parse());
    }
    out.sent.clear();

    // RFC 8445 §7.2.5.1: retried at once in the opposite role.
    assertThat(retries).isNotEmpty();
    assertThat(agent.role()).isEqualTo(IceRole.CONTROLLING);
    assertThat(retries.get(0).iceControlling()).isEqualTo(OUR_TIE_BREAKER);
    assertThat(retries.get(0).iceControlled()).isNull();
    assertThat(retries.get(0).useCandidate()).isFalse();
    deliver(agent, successFor(retries.get(0)), SFU);
    Datagram nomination = out.sent.poll();
    assertThat(nomination).isNotNull();
    assertThat(nomination.parse().useCandidate()).isTrue();
    assertThat(nomination.parse().iceControlling()).isEqualTo(OUR_TIE_BREAKER);
    assertThat(agent.state()).isEqualTo(IceState.CHECKING);
    deliver(agent, peerAnswer(nomination, Answer.SUCCESS), SFU);

    assertThat(agent.state()).isEqualTo(IceState.CONNECTED);
    assertThat(agent.selectedRemote()).isEqualTo(SFU);
  }

  @Test
  void answersRoleConflictWhenBothAreControlledAndThePeerHasTheLargerTieBreaker() throws Exception {
    IceAgent agent = newAgent();
    agent.start(now);
    out.sent.clear();
    byte[] check = new StunMessageBuilder(StunMessage.BINDING_REQUEST, newTransactionId())
        .addUsername(ours.ufrag() + ":" + sfu.ufrag())
        .addPriority(1)
        .addIceControlled(OUR_TIE_BREAKER + 1)
        .build(ourKey(), true);

    deliver(agent, check, SFU);

    StunMessage response = out.sent.poll().parse();
    assertThat(response.type()).isEqualTo(StunMessage.BINDING_ERROR_RESPONSE);
    assertThat(response.errorCode().code()).isEqualTo(487);
    assertThat(response.verifyMessageIntegrity(ourKey())).isTrue();
    InetSocketAddress other = new InetSocketAddress("10.0.0.2", 40000);
    deliver(agent, peerCheck(false), other);
    tick(agent, now + 200 * MS);
    assertThat(firstSentTo(other).parse().type()).isEqualTo(StunMessage.BINDING_SUCCESS_RESPONSE);
    StunMessage triggered = out.sent.stream().filter(d -> d.to().equals(other)).skip(1).findFirst()
        .orElseThrow().parse();
    assertThat(triggered.iceControlled()).isEqualTo(OUR_TIE_BREAKER); // stays controlled
  }

  @Test
  void switchesToControllingWhenBothAreControlledAndOurTieBreakerIsLarger() throws Exception {
    IceAgent agent = newAgent();
    agent.start(now);
    out.sent.clear();
    byte[] check = new StunMessageBuilder(StunMessage.BINDING_REQUEST, newTransactionId())
        .addUsername(ours.ufrag() + ":" + sfu.ufrag())
        .addPriority(1)
        .addIceControlled(OUR_TIE_BREAKER - 1)
        .build(ourKey(), true);

    InetSocketAddress other = new InetSocketAddress("10.0.0.2", 40000);
    deliver(agent, check, other);

    assertThat(out.sent.poll().parse().type()).isEqualTo(StunMessage.BINDING_SUCCESS_RESPONSE);
    tick(agent, now + 200 * MS);
    StunMessage triggered = firstSentTo(other).parse();
    assertThat(triggered.iceControlling()).isEqualTo(OUR_TIE_BREAKER);
    assertThat(triggered.iceControlled()).isNull();
  }

  @Test
  void dropsAndCountsUnauthenticatedMalformedAndUnmatchedMessages() throws Exception {
    IceAgent agent = newAgent();
    agent.start(now);
    out.sent.clear();
    byte[] wrongKey = new StunMessageBuilder(StunMessage.BINDING_REQUEST, newTransactionId())
        .addUsername(ours.ufrag() + ":" + sfu.ufrag())
        .addIceControlling(1)
        .build(sfuKey(), true);
    byte[] wrongUfrag = new StunMessageBuilder(StunMessage.BINDING_REQUEST, newTransactionId())
        .addUsername("zzzz:" + sfu.ufrag())
        .addIceControlling(1)
        .build(ourKey(), true);
    byte[] unmatched = new StunMessageBuilder(StunMessage.BINDING_SUCCESS_RESPONSE, newTransactionId())
        .addXorMappedAddress(CLIENT).build(sfuKey(), true);
    byte[] truncated = Arrays.copyOf(wrongKey, 10);

    deliver(agent, wrongKey, SFU);
    deliver(agent, wrongUfrag, SFU);
    deliver(agent, unmatched, SFU);
    deliver(agent, truncated, SFU);
    agent.handleStun(0, wrongKey, wrongKey.length - 4, 100, SFU, now); // range past the end

    assertThat(agent.droppedMessages()).isEqualTo(5);
    assertThat(out.sent).isEmpty();
    assertThat(agent.state()).isEqualTo(IceState.CHECKING);
  }

  @Test
  void rejectsSuccessResponseWithWrongIntegrity() throws Exception {
    IceAgent agent = newAgent();
    agent.start(now);
    StunMessage check = out.sent.poll().parse();
    byte[] forged = new StunMessageBuilder(StunMessage.BINDING_SUCCESS_RESPONSE, check.transactionId())
        .addXorMappedAddress(CLIENT).build(ourKey(), true);

    deliver(agent, forged, SFU);
    deliver(agent, peerCheck(true), SFU);

    assertThat(agent.droppedMessages()).isEqualTo(1);
    assertThat(agent.state()).isEqualTo(IceState.CHECKING);
  }

  @Test
  void closeStopsAllOutput() throws Exception {
    IceAgent agent = newAgent();
    agent.start(now);
    out.sent.clear();

    agent.close();
    deliver(agent, peerCheck(true), SFU);
    agent.handleTimeout(now + 20_000 * MS);

    assertThat(agent.state()).isEqualTo(IceState.CLOSED);
    assertThat(agent.nextTimeoutNanos()).isEqualTo(Long.MAX_VALUE);
    assertThat(out.sent).isEmpty();
    assertThat(out.states).containsExactly(IceState.CHECKING);
  }

  @Test
  void generatesCredentialsFromIceChars() {
    IceCredentials c = IceCredentials.generate(new SecureRandom());

    assertThat(c.ufrag()).hasSize(4).matches("[A-Za-z0-9+/]+");
    assertThat(c.pwd()).hasSize(24).matches("[A-Za-z0-9+/]+");
  }

  // ---- pairs and their priority (RFC 8445 §6.1.2) ----

  private static final InetSocketAddress HOST_A = new InetSocketAddress("10.0.0.5", 5000);
  private static final InetSocketAddress HOST_B = new InetSocketAddress("10.0.0.6", 5002);
  private static final InetSocketAddress RELAY = new InetSocketAddress("198.51.100.9", 7000);
  private static final InetSocketAddress REMOTE_A = new InetSocketAddress("10.1.0.1", 6000);
  private static final InetSocketAddress REMOTE_B = new InetSocketAddress("10.1.0.2", 6002);
  private static final InetSocketAddress STUN_SERVER = new InetSocketAddress("192.0.2.200", 3478);
  private static final long P1 = HostCandidates.priority(126, 65_535, 1);
  private static final long P2 = HostCandidates.priority(126, 65_534, 1);

  private IceAgent bareAgent(IceRole role, IceConfig config) {
    return new IceAgent(config, role, ours, sfu, OUR_TIE_BREAKER, out);
  }

  private static LocalCandidate host(int portId, InetSocketAddress address, int localPreference) {
    return new LocalCandidate(portId, HostCandidates.host(address, localPreference));
  }

  private static IceCandidate remoteHost(InetSocketAddress address, long priority) {
    return new IceCandidate("r" + address.getPort(), 1, "udp", priority, address, "host");
  }

  /** Two hosts (P1, P2) against two remotes (P2, P1): pairs whose order depends on the role. */
  private IceAgent crossedAgent(IceRole role) {
    IceAgent agent = bareAgent(role, IceConfig.defaults());
    agent.addLocalCandidate(host(0, HOST_A, 65_535)); // P1
    agent.addLocalCandidate(host(1, HOST_B, 65_534)); // P2
    agent.addRemoteCandidate(remoteHost(REMOTE_A, P2), now);
    agent.addRemoteCandidate(remoteHost(REMOTE_B, P1), now);
    return agent;
  }

  @Test
  void reflectorCandidatesPairOnlyWithReflectorCandidatesOfTheSameReflectorAndPort() throws Exception {
    // tgcalls ReflectorPort::CreateConnection: only reflector-<our id>-*.reflector with our port
    IceAgent agent = bareAgent(IceRole.CONTROLLED, IceConfig.defaults()); // IPv6 off
    InetSocketAddress ours2 = ReflectorAddress.of(2, 11, 599);
    InetSocketAddress ours3 = ReflectorAddress.of(3, 12, 599);
    agent.addLocalCandidate(host(0, HOST_A, 65_535));
    agent.addLocalCandidate(new LocalCandidate(1, new IceCandidate("rf2", 1, "udp", 1000, ours2, "relay")));
    agent.addLocalCandidate(new LocalCandidate(2, new IceCandidate("rf3", 1, "udp", 999, ours3, "relay")));
    InetSocketAddress peer2 = ReflectorAddress.of(2, 21, 599);
    InetSocketAddress peer2OtherPort = ReflectorAddress.of(2, 22, 600);
    InetSocketAddress peer3 = ReflectorAddress.of(3, 23, 599);
    for (InetSocketAddress r : List.of(peer2, peer2OtherPort, peer3, REMOTE_A)) {
      agent.addRemoteCandidate(new IceCandidate("x" + r.getPort(), 1, "udp", 500, r, "relay"), now);
    }
    assertThat(agent.pairsForTest()).containsExactlyInAnyOrder(
        "0 " + HOST_A + " " + REMOTE_A, "1 " + ours2 + " " + peer2, "2 " + ours3 + " " + peer3);

    // a check that arrives through reflector 2 from an unknown tag is a peer-reflexive candidate
    // of that reflector's port, answered through it; through the host socket it pairs with nothing
    InetSocketAddress learned = ReflectorAddress.of(2, 99, 599);
    agent.start(now);
    out.sent.clear();
    deliver(agent, 1, peerCheck(false), learned);
    assertThat(out.sent.peekLast().portId()).isEqualTo(1);
    assertThat(out.sent.peekLast().to()).isEqualTo(learned);
    assertThat(agent.pairsForTest()).contains("1 " + ours2 + " " + learned);
    deliver(agent, 0, peerCheck(false), ReflectorAddress.of(2, 98, 599));
    assertThat(agent.pairsForTest()).hasSize(4);
  }

  @Test
  void pairPriorityFollowsRfc8445FormulaWithTheControllingSidesPriorityAsG() {
    long g = 0x7EFFFFFFL;
    long d = 0x64FFFFFFL;

    assertThat(IceAgent.pairPriority(g, d)).isEqualTo((d << 32) + 2 * g + 1);
    assertThat(IceAgent.pairPriority(d, g)).isEqualTo((d << 32) + 2 * g);
    assertThat(IceAgent.pairPriority(g, g)).isEqualTo((g << 32) + 2 * g);
    // the smaller priority dominates: a host-relay pair ranks below any host-srflx pair
    assertThat(Long.compareUnsigned(IceAgent.pairPriority(0x7EFFFFFFL, 0x00FFFFFFL),
        IceAgent.pairPriority(0x64FFFFFFL, 0x64FFFFFFL))).isNegative();
  }

  @Test
  void ordersPairsByPriorityAndTheRoleBreaksTies() {
    // (A,remB)=P1/P1 first, (B,remA)=P2/P2 last; the crossed pairs tie except for the G>D bit.
    assertThat(crossedAgent(IceRole.CONTROLLING).pairsForTest()).containsExactly(
        "0 " + HOST_A + " " + REMOTE_B, "0 " + HOST_A + " " + REMOTE_A,
        "1 " + HOST_B + " " + REMOTE_B, "1 " + HOST_B + " " + REMOTE_A);
    assertThat(crossedAgent(IceRole.CONTROLLED).pairsForTest()).containsExactly(
        "0 " + HOST_A + " " + REMOTE_B, "1 " + HOST_B + " " + REMOTE_B,
        "0 " + HOST_A + " " + REMOTE_A, "1 " + HOST_B + " " + REMOTE_A);
  }

  @Test
  void sendsChecksInPairOrderFromEachLocalCandidatesPortWithItsPeerReflexivePriority() throws Exception {
    IceAgent agent = crossedAgent(IceRole.CONTROLLING);
    agent.addLocalCandidate(new LocalCandidate(2, new IceCandidate("relay1", 1, "udp",
        HostCandidates.priority(HostCandidates.TYPE_PREFERENCE_RELAY, 65_535, 1), RELAY, "relay")));

    agent.start(now);
    tick(agent, now + 5 * 50 * MS + 1); // Ta = 50 ms: six checks

    List<Datagram> checks = new ArrayList<>();
    List<String> seen = new ArrayList<>();
    for (Datagram d : out.sent) { // first transmissions only
      if (!seen.contains(Arrays.toString(d.data()))) {
        seen.add(Arrays.toString(d.data()));
        checks.add(d);
      }
    }
    assertThat(checks).extracting(d -> d.portId() + " " + d.to()).containsExactly(
        "0 " + REMOTE_B, "0 " + REMOTE_A, "1 " + REMOTE_B, "1 " + REMOTE_A, "2 " + REMOTE_B, "2 " + REMOTE_A);
    // RFC 8445 §7.1.1: type preference 110 with the local candidate's local preference.
    assertThat(checks.get(0).parse().priority()).isEqualTo((110L << 24) | (65_535L << 8) | 255);
    assertThat(checks.get(2).parse().priority()).isEqualTo((110L << 24) | (65_534L << 8) | 255);
    assertThat(checks.get(4).parse().priority()).isEqualTo((110L << 24) | (65_535L << 8) | 255);
    for (Datagram d : checks) {
      assertThat(d.parse().iceControlling()).isEqualTo(OUR_TIE_BREAKER);
      assertThat(d.parse().useCandidate()).isFalse();
    }
  }

  // ---- nomination (RFC 8445 §8.1.1, §7.3.1.5) ----

  @Test
  void controllingNominatesTheSucceededPairAndSelectsItWhenTheNominationSucceeds() throws Exception {
    IceAgent agent = bareAgent(IceRole.CONTROLLING, IceConfig.defaults());
    agent.addLocalCandidate(host(0, HOST_A, 65_535));
    agent.addRemoteCandidate(remoteHost(REMOTE_A, P1), now);
    agent.addRemoteCandidate(remoteHost(REMOTE_B, P2), now);
    agent.start(now);
    Datagram best = out.sent.poll(); // to REMOTE_A: lost for now
    tick(agent, now + 50 * MS);
    Datagram second = out.sent.poll();
    assertThat(second.to()).isEqualTo(REMOTE_B);

    deliver(agent, peerAnswer(second, Answer.SUCCESS), REMOTE_B);

    Datagram nomination = out.sent.poll();
    assertThat(nomination.to()).isEqualTo(REMOTE_B);
    assertThat(nomination.parse().useCandidate()).isTrue();
    assertThat(nomination.parse().iceControlling()).isEqualTo(OUR_TIE_BREAKER);
    assertThat(agent.state()).isEqualTo(IceState.CHECKING);
    // The better pair succeeds meanwhile; one nomination at a time, so nothing new is sent.
    deliver(agent, peerAnswer(best, Answer.SUCCESS), REMOTE_A);
    assertThat(out.sent).noneMatch(d -> parseQuietly(d).useCandidate());
    // The nomination fails: the best valid pair is nominated next.
    deliver(agent, peerAnswer(nomination, Answer.UNAUTHORIZED), REMOTE_B);
    Datagram renomination = out.sent.poll();
    assertThat(renomination.to()).isEqualTo(REMOTE_A);
    assertThat(renomination.parse().useCandidate()).isTrue();
    deliver(agent, peerAnswer(renomination, Answer.SUCCESS), REMOTE_A);

    assertThat(agent.state()).isEqualTo(IceState.CONNECTED);
    assertThat(out.selected).containsExactly(REMOTE_A);
    assertThat(out.selectedPorts).containsExactly(0);
    assertThat(agent.selectedPortId()).isZero();
    assertThat(agent.droppedMessages()).isZero();
  }

  @Test
  void controllingIgnoresUseCandidateFromThePeer() throws Exception {
    IceAgent agent = bareAgent(IceRole.CONTROLLING, IceConfig.defaults());
    agent.addLocalCandidate(host(0, HOST_A, 65_535));
    agent.addRemoteCandidate(remoteHost(SFU, P1), now);
    agent.start(now);
    Datagram check = out.sent.poll();
    byte[] controlledCheck = new StunMessageBuilder(StunMessage.BINDING_REQUEST, newTransactionId())
        .addUsername(ours.ufrag() + ":" + sfu.ufrag()).addPriority(P1)
        .addIceControlled(1).addUseCandidate().build(ourKey(), true);

    deliver(agent, controlledCheck, SFU);
    out.sent.clear();
    deliver(agent, peerAnswer(check, Answer.SUCCESS), SFU);

    assertThat(agent.state()).isEqualTo(IceState.CHECKING); // only our own nomination selects
    assertThat(out.sent.poll().parse().useCandidate()).isTrue();
  }

  // ---- trickle ----

  @Test
  void trickledCandidatesBeforeStartAreFilteredDeduplicatedAndCheckedAtStart() throws Exception {
    IceAgent agent = bareAgent(IceRole.CONTROLLED, IceConfig.defaults());
    agent.addLocalCandidate(host(0, HOST_A, 65_535));
    agent.addRemoteCandidate(remoteHost(REMOTE_A, P1), now);
    agent.addRemoteCandidate(remoteHost(REMOTE_A, P2), now); // duplicate address
    agent.addRemoteCandidate(new IceCandidate("t", 1, "tcp", P1, REMOTE_B, "host"), now);
    agent.addRemoteCandidate(new IceCandidate("c", 2, "udp", P1, REMOTE_B, "host"), now);
    agent.addRemoteCandidate(remoteHost(new InetSocketAddress("2001:db8::1", 6000), P1), now);

    assertThat(out.sent).isEmpty(); // nothing before start
    assertThat(agent.remoteCandidates()).extracting(IceCandidate::address).containsExactly(REMOTE_A);
    agent.start(now);

    assertThat(out.sent).extracting(Datagram::to).containsExactly(REMOTE_A);
  }

  @Test
  void trickledCandidatesAfterStartArePairedAndCheckedOnTheNextTick() throws Exception {
    IceAgent agent = bareAgent(IceRole.CONTROLLED, IceConfig.defaults());
    agent.addLocalCandidate(host(0, HOST_A, 65_535));
    long start = now;
    agent.start(now);
    assertThat(out.sent).isEmpty();
    assertThat(agent.nextTimeoutNanos()).isEqualTo(start + 10_000 * MS); // only the connect timeout

    now += 200 * MS;
    agent.addRemoteCandidate(remoteHost(REMOTE_A, P1), now);
    assertThat(agent.nextTimeoutNanos()).isEqualTo(now);
    agent.handleTimeout(now);
    assertThat(out.sent.poll()).satisfies(d -> {
      assertThat(d.to()).isEqualTo(REMOTE_A);
      assertThat(d.portId()).isZero();
    });
    // a local candidate added later pairs with the known remote and is checked from its port
    agent.addLocalCandidate(host(1, HOST_B, 65_534));
    tick(agent, now + 50 * MS);
    assertThat(out.sent).extracting(d -> d.portId() + " " + d.to()).contains("1 " + REMOTE_A);

    runUntil(agent, now + 100 * MS, Answer.SUCCESS);
    deliver(agent, 1, peerCheck(true), REMOTE_A);
    assertThat(agent.state()).isEqualTo(IceState.CONNECTED);
    assertThat(agent.selectedPortId()).isEqualTo(1);
  }

  // ---- RFC 8445 §7.3.1.4: a request for a pair whose check is in flight ----

  @Test
  void requestForAPairInFlightSendsANewCheckAtOnceAndStopsRetransmittingTheOld() throws Exception {
    IceAgent agent = newAgent();
    agent.start(now);
    Datagram first = out.sent.poll();
    now += 10 * MS;

    deliver(agent, peerCheck(false), SFU);

    assertThat(out.sent.poll().parse().type()).isEqualTo(StunMessage.BINDING_SUCCESS_RESPONSE);
    Datagram triggered = out.sent.poll();
    assertThat(triggered).isNotNull(); // right away, not at the next Ta tick or retransmission
    assertThat(triggered.to()).isEqualTo(SFU);
    assertThat(triggered.parse().transactionId()).isNotEqualTo(first.parse().transactionId());
    tick(agent, now + 1_000 * MS);
    assertThat(out.sent).allSatisfy(d -> assertThat(d.data()).isEqualTo(triggered.data()));
    // the cancelled transaction's response still counts
    deliver(agent, peerAnswer(first, Answer.SUCCESS), SFU);
    deliver(agent, peerCheck(true), SFU);
    assertThat(agent.state()).isEqualTo(IceState.CONNECTED);
    assertThat(agent.droppedMessages()).isZero();
  }

  @Test
  void useCandidateForAPairInFlightSelectsItWhenTheNewCheckSucceeds() throws Exception {
    IceAgent agent = newAgent();
    agent.start(now);
    out.sent.poll();

    deliver(agent, peerCheck(true), SFU);
    out.sent.poll(); // our response
    Datagram triggered = out.sent.poll();
    assertThat(agent.state()).isEqualTo(IceState.CHECKING);
    deliver(agent, peerAnswer(triggered, Answer.SUCCESS), SFU);

    assertThat(agent.state()).isEqualTo(IceState.CONNECTED);
    assertThat(out.selected).containsExactly(SFU);
  }

  @Test
  void useCandidateForAPairInFlightSelectsItWhenTheCancelledCheckSucceeds() throws Exception {
    IceAgent agent = newAgent();
    agent.start(now);
    Datagram first = out.sent.poll();

    deliver(agent, peerCheck(true), SFU);
    Datagram late = out.sent.stream().skip(1).findFirst().orElseThrow();
    assertThat(late.parse().transactionId()).isNotEqualTo(first.parse().transactionId());
    now += 30 * MS;
    deliver(agent, peerAnswer(first, Answer.SUCCESS), SFU);

    assertThat(agent.state()).isEqualTo(IceState.CONNECTED);
    deliver(agent, peerAnswer(late, Answer.SUCCESS), SFU); // a late answer: ignored, not dropped
    assertThat(agent.droppedMessages()).isZero();
  }

  // ---- role conflicts (RFC 8445 §7.2.5.1, §7.3.1.1) ----

  @Test
  void unauthenticatedRoleConflictResponsesAreDroppedAndIgnored() throws Exception {
    IceAgent agent = newAgent();
    agent.start(now);
    StunMessage check = out.sent.poll().parse();
    byte[] noIntegrity = new StunMessageBuilder(StunMessage.BINDING_ERROR_RESPONSE, check.transactionId())
        .addErrorCode(new StunErrorCode(487, "Role Conflict")).build(null, true);
    byte[] wrongKey = new StunMessageBuilder(StunMessage.BINDING_ERROR_RESPONSE, check.transactionId())
        .addErrorCode(new StunErrorCode(487, "Role Conflict")).build(ourKey(), true);

    deliver(agent, noIntegrity, SFU);
    deliver(agent, wrongKey, SFU);
    tick(agent, now + 100 * MS);

    assertThat(agent.droppedMessages()).isEqualTo(2);
    assertThat(agent.role()).isEqualTo(IceRole.CONTROLLED);
    StunMessage retransmission = out.sent.poll().parse(); // the transaction goes on
    assertThat(retransmission.transactionId()).isEqualTo(check.transactionId());
    assertThat(retransmission.iceControlled()).isEqualTo(OUR_TIE_BREAKER);
  }

  @Test
  void authenticatedRoleConflictResponseSwitchesControllingToControlled() throws Exception {
    IceAgent agent = bareAgent(IceRole.CONTROLLING, IceConfig.defaults());
    agent.addLocalCandidate(host(0, HOST_A, 65_535));
    agent.addRemoteCandidate(remoteHost(SFU, P1), now);
    agent.start(now);

    deliver(agent, peerAnswer(out.sent.poll(), Answer.ROLE_CONFLICT), SFU);
    tick(agent, now + 50 * MS);

    assertThat(agent.role()).isEqualTo(IceRole.CONTROLLED);
    StunMessage retry = out.sent.poll().parse();
    assertThat(retry.iceControlled()).isEqualTo(OUR_TIE_BREAKER);
    assertThat(retry.iceControlling()).isNull();
    assertThat(agent.droppedMessages()).isZero();
  }

  @Test
  void controllingAgentResolvesAConflictWithAControllingPeerByTieBreaker() throws Exception {
    IceAgent agent = bareAgent(IceRole.CONTROLLING, IceConfig.defaults());
    agent.addLocalCandidate(host(0, HOST_A, 65_535));
    agent.start(now);
    byte[] smaller = new StunMessageBuilder(StunMessage.BINDING_REQUEST, newTransactionId())
        .addUsername(ours.ufrag() + ":" + sfu.ufrag()).addPriority(P1)
        .addIceControlling(OUR_TIE_BREAKER - 1).build(ourKey(), true);
    byte[] larger = new StunMessageBuilder(StunMessage.BINDING_REQUEST, newTransactionId())
        .addUsername(ours.ufrag() + ":" + sfu.ufrag()).addPriority(P1)
        .addIceControlling(OUR_TIE_BREAKER + 1).build(ourKey(), true);

    deliver(agent, smaller, SFU);
    StunMessage conflict = out.sent.poll().parse();
    assertThat(conflict.type()).isEqualTo(StunMessage.BINDING_ERROR_RESPONSE);
    assertThat(conflict.errorCode().code()).isEqualTo(487);
    assertThat(agent.role()).isEqualTo(IceRole.CONTROLLING);

    deliver(agent, larger, SFU);
    assertThat(out.sent.poll().parse().type()).isEqualTo(StunMessage.BINDING_SUCCESS_RESPONSE);
    assertThat(agent.role()).isEqualTo(IceRole.CONTROLLED);
  }

  // ---- candidates learned and gathered ----

  @Test
  void recordsAPeerReflexiveLocalCandidateFromTheMappedAddress() throws Exception {
    IceAgent agent = bareAgent(IceRole.CONTROLLED, IceConfig.defaults());
    agent.addLocalCandidate(host(0, HOST_A, 65_535));
    agent.addRemoteCandidate(remoteHost(SFU, P1), now);
    agent.start(now);

    deliver(agent, peerAnswer(out.sent.poll(), Answer.SUCCESS), SFU); // maps us to CLIENT

    assertThat(agent.localCandidates()).hasSize(2);
    LocalCandidate prflx = agent.localCandidates().get(1);
    assertThat(prflx.portId()).isZero();
    assertThat(prflx.type()).isEqualTo("prflx");
    assertThat(prflx.address()).isEqualTo(CLIENT);
    assertThat(prflx.candidate().priority()).isEqualTo(0x6EFFFFFFL); // the PRIORITY we sent
    assertThat(out.gathered).isEmpty(); // peer-reflexive candidates are not signalled
    assertThat(agent.pairsForTest()).hasSize(1); // and not paired
  }

  @Test
  void gathersAServerReflexiveCandidateFromAStunServerWithRetransmissions() throws Exception {
    IceAgent agent = bareAgent(IceRole.CONTROLLED, IceConfig.defaults());
    agent.addLocalCandidate(host(0, HOST_A, 65_000));
    agent.addRemoteCandidate(remoteHost(REMOTE_A, P1), now);
    long start = now;

    agent.gatherServerReflexive(0, STUN_SERVER, now); // before start: fine
    List<Long> sendMillis = new ArrayList<>();
    byte[] request = null;
    while (agent.nextTimeoutNanos() <= start + 4_000 * MS) {
      Datagram d = out.sent.poll();
      if (d != null) {
        assertThat(d.portId()).isZero();
        assertThat(d.to()).isEqualTo(STUN_SERVER);
        request = request == null ? d.data() : request;
        assertThat(d.data()).isEqualTo(request); // one transaction
        sendMillis.add((now - start) / MS);
      }
      now = agent.nextTimeoutNanos();
      agent.handleTimeout(now);
    }
    sendMillis.add((now - start) / MS);
    out.sent.clear();
    StunMessage m = StunMessage.parse(request, 0, request.length);
    assertThat(m.type()).isEqualTo(StunMessage.BINDING_REQUEST);
    assertThat(m.username()).isNull(); // a plain STUN request (RFC 8489), no ICE credentials
    assertThat(m.hasMessageIntegrity()).isFalse();
    // RFC 8489 §6.2.1 with RFC 8445 §14.3 RTO 500 ms: 0, 0.5, 1.5, 3.5 s
    assertThat(sendMillis).containsExactly(0L, 500L, 1_500L, 3_500L);

    InetSocketAddress mapped = new InetSocketAddress("203.0.113.7", 61000);
    byte[] answer = new StunMessageBuilder(StunMessage.BINDING_SUCCESS_RESPONSE, m.transactionId())
        .addXorMappedAddress(mapped).build(null, true);
    deliver(agent, 0, answer, new InetSocketAddress("192.0.2.201", 3478)); // wrong server: dropped
    assertThat(agent.droppedMessages()).isEqualTo(1);
    deliver(agent, 0, answer, STUN_SERVER);

    LocalCandidate srflx = new LocalCandidate(0, new IceCandidate(
        HostCandidates.foundation("srflx", HOST_A.getAddress(), STUN_SERVER.getAddress()), 1, "udp",
        (100L << 24) | (65_000L << 8) | 255, mapped, "srflx"));
    assertThat(out.gathered).containsExactly(srflx);
    assertThat(agent.localCandidates()).contains(srflx);
    assertThat(agent.pairsForTest()).hasSize(1); // RFC 8445 §6.1.2.4: not paired, its base is
    assertThat(agent.nextTimeoutNanos()).isEqualTo(Long.MAX_VALUE); // transaction done, not started

    // a second server reporting the same address, and a server seeing no NAT: redundant (§5.1.3)
    agent.gatherServerReflexive(0, STUN_SERVER, now);
    StunMessage again = out.sent.poll().parse();
    deliver(agent, 0, new StunMessageBuilder(StunMessage.BINDING_SUCCESS_RESPONSE, again.transactionId())
        .addXorMappedAddress(mapped).build(null, true), STUN_SERVER);
    agent.gatherServerReflexive(0, STUN_SERVER, now);
    StunMessage noNat = out.sent.poll().parse();
    deliver(agent, 0, new StunMessageBuilder(StunMessage.BINDING_SUCCESS_RESPONSE, noNat.transactionId())
        .addXorMappedAddress(HOST_A).build(null, true), STUN_SERVER);
    assertThat(out.gathered).hasSize(1);
  }

  @Test
  void gatheringTimesOutSilentlyAfterSevenRequests() {
    IceAgent agent = bareAgent(IceRole.CONTROLLED, IceConfig.defaults());
    agent.addLocalCandidate(host(0, HOST_A, 65_535));
    long start = now;
    agent.gatherServerReflexive(0, STUN_SERVER, now);

    int sent = 0;
    while (agent.nextTimeoutNanos() != Long.MAX_VALUE && now < start + 60_000 * MS) {
      sent += out.sent.size();
      out.sent.clear();
      now = agent.nextTimeoutNanos();
      agent.handleTimeout(now);
    }

    assertThat(sent + out.sent.size()).isEqualTo(7);
    assertThat((now - start) / MS).isEqualTo(39_500L); // RFC 8489 §6.2.1: Rm * RTO after the last
    assertThat(out.gathered).isEmpty();
    assertThat(agent.state()).isEqualTo(IceState.NEW);
  }

  // ---- IPv6 ----

  @Test
  void pairsOnlyCandidatesOfTheSameAddressFamily() throws Exception {
    InetSocketAddress hostV6 = new InetSocketAddress("2001:db8::5", 5004);
    InetSocketAddress remoteV6 = new InetSocketAddress("2001:db8::9", 6004);
    IceAgent agent = bareAgent(IceRole.CONTROLLING, new IceConfig(10_000, 2_500, 30_000, true));
    agent.addLocalCandidate(host(0, HOST_A, 65_534));
    agent.addLocalCandidate(host(1, hostV6, 65_535));
    agent.addRemoteCandidate(remoteHost(REMOTE_A, P2), now);
    agent.addRemoteCandidate(remoteHost(remoteV6, P1), now);

    assertThat(agent.pairsForTest()).containsExactly("1 " + hostV6 + " " + remoteV6, "0 " + HOST_A + " " + REMOTE_A);
    agent.start(now);
    Datagram check = out.sent.poll();
    assertThat(check.portId()).isEqualTo(1);
    assertThat(check.to()).isEqualTo(remoteV6);
    deliver(agent, 1, peerAnswer(check, Answer.SUCCESS), remoteV6);
    Datagram nomination = out.sent.poll();
    deliver(agent, 1, peerAnswer(nomination, Answer.SUCCESS), remoteV6);

    assertThat(agent.state()).isEqualTo(IceState.CONNECTED);
    assertThat(out.selectedPorts).containsExactly(1);
    assertThat(out.selected).containsExactly(remoteV6);
    out.sent.clear();
    tick(agent, now + 3_100 * MS); // RFC 7675: consent goes over the selected pair only
    assertThat(out.sent).isNotEmpty().allSatisfy(d -> {
      assertThat(d.portId()).isEqualTo(1);
      assertThat(d.to()).isEqualTo(remoteV6);
    });
  }

  @Test
  void limitsTheCheckListToOneHundredPairs() throws Exception {
    IceAgent agent = bareAgent(IceRole.CONTROLLED, IceConfig.defaults());
    agent.addLocalCandidate(host(0, HOST_A, 65_535));
    for (int i = 0; i < 120; i++) {
      agent.addRemoteCandidate(remoteHost(new InetSocketAddress("10.2.0." + (i + 1), 6000), P1), now);
    }
    agent.start(now);
    for (int i = 0; i < 5; i++) { // peer-reflexive senders do not grow it either (RFC 8445 §6.1.2.5)
      deliver(agent, peerCheck(false), new InetSocketAddress("10.3.0." + (i + 1), 6000));
    }

    assertThat(agent.pairsForTest()).hasSize(IceAgent.MAX_PAIRS);
    assertThat(agent.remoteCandidates()).noneMatch(c -> c.type().equals("prflx"));
    assertThat(agent.droppedMessages()).isZero();
  }

  @Test
  void malformedInputNeverThrows() {
    IceAgent agent = newAgent();
    agent.start(now);
    out.sent.clear();

    agent.handleStun(0, new byte[0], 0, 0, SFU, now);
    agent.handleStun(0, new byte[30], -5, 20, SFU, now);
    agent.handleStun(0, null, 0, 20, SFU, now);
    agent.handleStun(0, new byte[20], 0, 20, null, now);

    assertThat(agent.droppedMessages()).isEqualTo(4);
    assertThat(out.sent).isEmpty();
  }

  @Test
  void aSuccessResponseWithAMalformedMappedAddressIsDroppedAndTheCheckGoesOn() throws Exception {
    IceAgent agent = newAgent();
    agent.start(now);
    Datagram check = out.sent.poll();
    byte[] malformed = new StunMessageBuilder(StunMessage.BINDING_SUCCESS_RESPONSE, check.parse().transactionId())
        .add(StunAttribute.XOR_MAPPED_ADDRESS, new byte[] {0, 9, 0, 0, 1, 2, 3, 4}) // family 9
        .build(sfuKey(), true);

    deliver(agent, malformed, SFU);
    assertThat(agent.droppedMessages()).isEqualTo(1);
    deliver(agent, peerAnswer(check, Answer.SUCCESS), SFU); // the transaction is still open
    deliver(agent, peerCheck(true), SFU);

    assertThat(agent.state()).isEqualTo(IceState.CONNECTED);
    assertThat(agent.droppedMessages()).isEqualTo(1);
  }

  @Test
  void answersButDoesNotLearnIpv6PeersWhenIpv6IsOff() throws Exception {
    IceAgent agent = newAgent(); // IPv4 only, wildcard socket
    agent.start(now);
    out.sent.clear();
    InetSocketAddress v6 = new InetSocketAddress("2001:db8::7", 40000);

    deliver(agent, peerCheck(true), v6);

    assertThat(out.sent.poll().parse().type()).isEqualTo(StunMessage.BINDING_SUCCESS_RESPONSE);
    tick(agent, now + 200 * MS);
    assertThat(out.sent).noneMatch(d -> d.to().equals(v6));
    assertThat(agent.remoteCandidates()).extracting(IceCandidate::address).doesNotContain(v6);
  }

  private static StunMessage parseQuietly(Datagram d) {
    try {
      return d.parse();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private byte[] successFor(StunMessage request) {
    return new StunMessageBuilder(StunMessage.BINDING_SUCCESS_RESPONSE, request.transactionId())
        .addXorMappedAddress(CLIENT).build(sfuKey(), true);
  }
}
