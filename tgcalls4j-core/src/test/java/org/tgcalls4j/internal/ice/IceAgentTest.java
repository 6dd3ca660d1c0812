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
    assertThat(m.priority()).isEqualTo(0x6EFFFFFFL);
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

  private byte[] successFor(StunMessage request) {
    return new StunMessageBuilder(StunMessage.BINDING_SUCCESS_RESPONSE, request.transactionId())
        .addXorMappedAddress(CLIENT).build(sfuKey(), true);
  }
}
