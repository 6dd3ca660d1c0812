package org.tgcalls4j.internal.p2p;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;
import org.tgcalls4j.internal.ice.IceCandidate;
import org.tgcalls4j.internal.p2p.P2pSignalingSession.Event;
import org.tgcalls4j.internal.p2p.P2pSignalingSession.IncomingAudio;
import org.tgcalls4j.internal.p2p.P2pSignalingSession.LocalSetup;
import org.tgcalls4j.internal.p2p.P2pSignalingSession.OutgoingAudioAccepted;
import org.tgcalls4j.internal.p2p.P2pSignalingSession.Output;
import org.tgcalls4j.internal.p2p.P2pSignalingSession.RemoteCandidate;
import org.tgcalls4j.internal.p2p.P2pSignalingSession.RemoteSetup;

/** The private-call offer/answer state machine, caller and callee driven in memory in many orders. */
class P2pSignalingSessionTest {
  private static final String ABS = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
  private static final String TCC = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
  private static final LocalSetup CALLER = new LocalSetup("CaUf", "CallerPassword0123456789", "AA:BB:CC");
  private static final LocalSetup CALLEE = new LocalSetup("CeUf", "CalleePassword0123456789", "DD:EE:FF");
  private static final int CALLER_SSRC = 0x9000_0001; // above 2^31: exercises unsigned handling
  private static final int CALLEE_SSRC = 12345;
  private static final Map<String, Integer> OUR_EXTENSIONS = Map.of(ABS, 2, TCC, 3);

  /** An in-flight message. */
  private record Msg(boolean toCallee, String json) {}

  /** A caller and a callee connected by a message pool the test delivers from in any order. */
  private static final class Pair {
    final P2pSignalingSession caller = new P2pSignalingSession(true, CALLER, CALLER_SSRC, new Random(1));
    final P2pSignalingSession callee = new P2pSignalingSession(false, CALLEE, CALLEE_SSRC, new Random(2));
    final List<Event> callerEvents = new ArrayList<>();
    final List<Event> calleeEvents = new ArrayList<>();
    final List<Msg> pool = new ArrayList<>();
    final IceCandidate callerCandidate = candidate("1", new byte[] {(byte) 192, (byte) 168, 1, 10}, 5000);
    final IceCandidate calleeCandidate = candidate("2", new byte[] {10, 0, 0, 2}, 6000);
    final IceCandidate calleeCandidate6 = candidate("3",
        new byte[] {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9}, 6001);

    /** Caller: a candidate before start (queued), start; callee: start, two candidates. */
    Pair startBoth() {
      send(true, caller.onLocalCandidate(callerCandidate));
      send(true, caller.start());
      send(false, callee.start());
      send(false, callee.onLocalCandidate(calleeCandidate));
      send(false, callee.onLocalCandidate(calleeCandidate6));
      return this;
    }

    void send(boolean toCallee, List<String> messages) {
      for (String m : messages) {
        pool.add(new Msg(toCallee, m));
      }
    }

    void deliver(Msg m) {
      Output o = (m.toCallee ? callee : caller).onMessage(m.json);
      (m.toCallee ? calleeEvents : callerEvents).addAll(o.events());
      send(!m.toCallee, o.toSend());
    }

    Msg take(int index) {
      return pool.remove(index);
    }

    /** Delivers until the pool is empty, choosing by policy; at most 500 deliveries. */
    void drain(ToIntFunction<List<Msg>> policy) {
      for (int i = 0; i < 500 && !pool.isEmpty(); i++) {
        deliver(take(policy.applyAsInt(pool)));
      }
      assertThat(pool).as("messages still in flight").isEmpty();
    }

    int indexOf(boolean toCallee, String type) {
      for (int i = 0; i < pool.size(); i++) {
        if (pool.get(i).toCallee == toCallee && pool.get(i).json.startsWith("{\"@type\":\"" + type + "\"")) {
          return i;
        }
      }
      throw new AssertionError("no " + type + " in flight " + (toCallee ? "to the callee" : "to the caller"));
    }

    void assertConverged() {
      assertSide(callerEvents, "passive", CALLEE, Integer.toUnsignedLong(CALLEE_SSRC),
          List.of(calleeCandidate, calleeCandidate6));
      assertSide(calleeEvents, "actpass", CALLER, Integer.toUnsignedLong(CALLER_SSRC), List.of(callerCandidate));
      assertThat(caller.droppedMessages()).isZero();
      assertThat(callee.droppedMessages()).isZero();
    }

    private static void assertSide(List<Event> events, String setup, LocalSetup peer, long peerSsrc,
        List<IceCandidate> peerCandidates) {
      List<RemoteSetup> setups = of(events, RemoteSetup.class);
      assertThat(setups).as("RemoteSetup in %s", events)
          .containsExactly(new RemoteSetup(peer.ufrag(), peer.pwd(), "sha-256", peer.fingerprintSha256(), setup));
      int setupAt = events.indexOf(setups.get(0));
      List<IceCandidate> candidates = new ArrayList<>();
      for (int i = 0; i < events.size(); i++) {
        if (events.get(i) instanceof RemoteCandidate rc) {
          assertThat(i).as("candidate event after RemoteSetup").isGreaterThan(setupAt);
          candidates.add(rc.candidate());
        }
      }
      assertThat(candidates).containsExactlyInAnyOrderElementsOf(peerCandidates);
      assertThat(of(events, OutgoingAudioAccepted.class)).as("OutgoingAudioAccepted in %s", events)
          .containsExactly(new OutgoingAudioAccepted(111, OUR_EXTENSIONS));
      assertThat(of(events, IncomingAudio.class)).as("IncomingAudio in %s", events)
          .containsExactly(new IncomingAudio(peerSsrc, 111, 2, OUR_EXTENSIONS));
    }
  }

  private static <T> List<T> of(List<Event> events, Class<T> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }

  private static IceCandidate candidate(String foundation, byte[] ip, int port) {
    try {
      return new IceCandidate(foundation, 1, "udp", 2122260223L,
          new InetSocketAddress(InetAddress.getByAddress(ip), port), "host");
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  // ------------------------------------------------------------------ what each side sends when

  @Test
  void callerSendsInitialSetupAndOfferAtStartCalleeOnlyCandidates() throws Exception {
    P2pSignalingSession caller = new P2pSignalingSession(true, CALLER, CALLER_SSRC, new Random(7));
    List<String> start = caller.start();
    assertThat(start).hasSize(2);
    assertThat(start.get(0)).isEqualTo("{\"@type\":\"InitialSetup\",\"fingerprints\":[{\"fingerprint\":\"AA:BB:CC\","
        + "\"hash\":\"sha-256\",\"setup\":\"actpass\"}],\"pwd\":\"CallerPassword0123456789\",\"renomination\":false,"
        + "\"ufrag\":\"CaUf\"}");
    long exchangeId = ((NegotiateChannels) SignalingMessages.decode(start.get(1))).exchangeId();
    assertThat(start.get(1)).isEqualTo("{\"@type\":\"NegotiateChannels\",\"contents\":[{\"payloadTypes\":[{\"channels\":2,"
        + "\"clockrate\":48000,\"feedbackTypes\":[{\"subtype\":\"\",\"type\":\"transport-cc\"}],\"id\":111,\"name\":\"opus\","
        + "\"parameters\":{\"minptime\":\"10\",\"useinbandfec\":\"1\"}}],\"rtpExtensions\":[{\"id\":2,\"uri\":\"" + ABS
        + "\"},{\"id\":3,\"uri\":\"" + TCC + "\"}],\"ssrc\":\"2415919105\",\"type\":\"audio\"}],\"exchangeId\":\""
        + exchangeId + "\"}");

    P2pSignalingSession callee = new P2pSignalingSession(false, CALLEE, CALLEE_SSRC, new Random(8));
    IceCandidate c = candidate("9", new byte[] {1, 2, 3, 4}, 9);
    assertThat(callee.onLocalCandidate(c)).isEmpty();
    assertThat(callee.start()).containsExactly("{\"@type\":\"Candidates\",\"candidates\":[{\"sdpString\":"
        + "\"candidate:9 1 udp 2122260223 1.2.3.4 9 typ host generation 0 ufrag CeUf network-id 1\"}]}");
    assertThat(callee.onLocalCandidate(c)).hasSize(1);
    // the callee answers InitialSetup with its own ("passive") and never offers on it
    Output o = callee.onMessage(start.get(0));
    assertThat(o.toSend()).hasSize(1);
    assertThat(o.toSend().get(0)).contains("\"setup\":\"passive\"").startsWith("{\"@type\":\"InitialSetup\"");
    // a later InitialSetup (ICE restart) is applied and answered again
    Output restart = callee.onMessage(start.get(0).replace("CaUf", "CaU2"));
    assertThat(restart.toSend()).hasSize(1);
    assertThat(of(restart.events(), RemoteSetup.class)).extracting(RemoteSetup::ufrag).containsExactly("CaU2");
  }

  @Test
  void answerKeepsTheOfferersIdsAndLeavesVideoOut() throws Exception {
    P2pSignalingSession callee = new P2pSignalingSession(false, CALLEE, CALLEE_SSRC, new Random(3));
    String offer = "{\"@type\":\"NegotiateChannels\",\"exchangeId\":\"77\",\"contents\":["
        + "{\"type\":\"audio\",\"ssrc\":\"4000000000\",\"ssrcGroups\":[{\"semantics\":\"X\",\"ssrcs\":[\"4000000000\"]}],"
        + "\"payloadTypes\":[{\"id\":0,\"name\":\"PCMU\",\"clockrate\":8000,\"channels\":1},"
        + "{\"id\":109,\"name\":\"OPUS\",\"clockrate\":48000,\"channels\":2,\"feedbackTypes\":[{\"type\":\"nack\",\"subtype\":\"\"},"
        + "{\"type\":\"transport-cc\",\"subtype\":\"\"}],\"parameters\":{\"stereo\":\"1\"}}],"
        + "\"rtpExtensions\":[{\"id\":1,\"uri\":\"urn:ietf:params:rtp-hdrext:ssrc-audio-level\"},{\"id\":4,\"uri\":\"" + ABS + "\"}]},"
        + "{\"type\":\"video\",\"ssrc\":\"5\",\"ssrcGroups\":[{\"semantics\":\"FID\",\"ssrcs\":[\"5\",\"6\"]}],"
        + "\"payloadTypes\":[{\"id\":96,\"name\":\"VP8\",\"clockrate\":90000}]}]}";
    Output o = callee.onMessage(offer);
    assertThat(o.toSend()).hasSize(2);
    assertThat(o.toSend().get(0)).isEqualTo("{\"@type\":\"NegotiateChannels\",\"contents\":[{\"payloadTypes\":[{"
        + "\"channels\":2,\"clockrate\":48000,\"feedbackTypes\":[{\"subtype\":\"\",\"type\":\"transport-cc\"}],\"id\":109,"
        + "\"name\":\"opus\",\"parameters\":{\"minptime\":\"10\",\"useinbandfec\":\"1\"}}],\"rtpExtensions\":[{\"id\":4,"
        + "\"uri\":\"" + ABS + "\"}],\"ssrc\":\"4000000000\",\"ssrcGroups\":[{\"semantics\":\"X\",\"ssrcs\":[\"4000000000\"]}],"
        + "\"type\":\"audio\"}],\"exchangeId\":\"77\"}");
    // right after answering, the callee offers its own audio
    NegotiateChannels own = (NegotiateChannels) SignalingMessages.decode(o.toSend().get(1));
    assertThat(own.exchangeId()).isNotEqualTo(77);
    assertThat(own.contents()).extracting(MediaContent::ssrc).containsExactly((long) CALLEE_SSRC);
    assertThat(o.events()).containsExactly(new IncomingAudio(4_000_000_000L, 109, 2, Map.of(ABS, 4)));
    // the same offer again: the same answer, no repeated event, no second offer while one is pending
    Output again = callee.onMessage(offer);
    assertThat(again.toSend()).containsExactly(o.toSend().get(0));
    assertThat(again.events()).isEmpty();
  }

  @Test
  void malformedMessagesAreCountedAndDropped() {
    P2pSignalingSession s = new P2pSignalingSession(false, CALLEE, CALLEE_SSRC, new Random(3));
    assertThat(s.onMessage("{not json")).isEqualTo(new Output(List.of(), List.of()));
    // a non-string parameter value rejects the whole offer: no answer
    assertThat(s.onMessage("{\"@type\":\"NegotiateChannels\",\"exchangeId\":\"1\",\"contents\":[{\"type\":\"audio\","
        + "\"ssrc\":\"1\",\"payloadTypes\":[{\"id\":111,\"name\":\"opus\",\"clockrate\":48000,\"parameters\":{\"minptime\":10}}]}]}")
        .toSend()).isEmpty();
    assertThat(s.onMessage("{\"@type\":\"InitialSetup\",\"ufrag\":\"a\",\"pwd\":\"b\",\"fingerprints\":[]}").toSend()).isEmpty();
    assertThat(s.onMessage("{\"@type\":\"Bye\"}").toSend()).isEmpty();
    assertThat(s.droppedMessages()).isEqualTo(4);
    // an unusable candidate is dropped alone; the usable one in the same message is kept
    s.onMessage(SignalingMessages.encode(new Candidates(List.of(
        "candidate:1 1 udp 41885439 reflector-0-3735928559.reflector 599 typ relay generation 0 ufrag a network-id 1",
        "candidate:2 1 udp 2122260223 1.2.3.4 5 typ host generation 0 ufrag a network-id 1"))));
    assertThat(s.droppedCandidates()).isEqualTo(1);
    Output setup = s.onMessage("{\"@type\":\"InitialSetup\",\"ufrag\":\"a\",\"pwd\":\"b\",\"fingerprints\":["
        + "{\"hash\":\"sha-1\",\"setup\":\"actpass\",\"fingerprint\":\"01\"},{\"hash\":\"sha-256\",\"setup\":\"actpass\",\"fingerprint\":\"02\"}]}");
    assertThat(setup.events()).hasSize(2);
    assertThat(setup.events().get(0)).isEqualTo(new RemoteSetup("a", "b", "sha-256", "02", "actpass"));
    assertThat(((RemoteCandidate) setup.events().get(1)).candidate().address().getPort()).isEqualTo(5);
    assertThat(setup.events().get(0).toString()).doesNotContain("pwd=b");
    assertThat(s.droppedMessages()).isEqualTo(4);
  }

  @Test
  void mutatedMessagesNeverThrow() {
    Pair p = new Pair().startBoth();
    List<String> samples = p.pool.stream().map(Msg::json).toList();
    Random r = new Random(11);
    String alphabet = "{}[]\":,0123456789-.eE truefalsnul@typeNegotiateChannels\\u00e9";
    for (int i = 0; i < 3000; i++) {
      StringBuilder b = new StringBuilder(samples.get(r.nextInt(samples.size())));
      for (int k = 1 + r.nextInt(4); k > 0 && b.length() > 0; k--) {
        int at = r.nextInt(b.length());
        switch (r.nextInt(3)) {
          case 0 -> b.setCharAt(at, alphabet.charAt(r.nextInt(alphabet.length())));
          case 1 -> b.deleteCharAt(at);
          default -> b.insert(at, alphabet.charAt(r.nextInt(alphabet.length())));
        }
      }
      p.caller.onMessage(b.toString());
      p.callee.onMessage(b.toString());
    }
    assertThat(p.caller.droppedMessages()).isPositive();
  }

  @Test
  void rejectedAudioIsNotOfferedAgain() throws Exception {
    P2pSignalingSession caller = new P2pSignalingSession(true, CALLER, CALLER_SSRC, new Random(5));
    long id = ((NegotiateChannels) SignalingMessages.decode(caller.start().get(1))).exchangeId();
    Output o = caller.onMessage("{\"@type\":\"NegotiateChannels\",\"exchangeId\":\"" + id + "\",\"contents\":[]}");
    assertThat(o.toSend()).isEmpty();
    assertThat(o.events()).isEmpty();
  }

  // ------------------------------------------------------------------ glare, hand-made offers

  @Test
  void calleeWithAPendingOfferDropsItAnswersAndOffersAgain() throws Exception {
    P2pSignalingSession callee = new P2pSignalingSession(false, CALLEE, CALLEE_SSRC, new Random(9));
    String first = audioOffer(100, 111);
    long pending = ((NegotiateChannels) SignalingMessages.decode(callee.onMessage(first).toSend().get(1))).exchangeId();
    Output o = callee.onMessage(audioOffer(200, 111));
    assertThat(o.toSend()).hasSize(2);
    assertThat(((NegotiateChannels) SignalingMessages.decode(o.toSend().get(0))).exchangeId()).isEqualTo(200);
    long reoffer = ((NegotiateChannels) SignalingMessages.decode(o.toSend().get(1))).exchangeId();
    assertThat(reoffer).isNotEqualTo(pending).isNotEqualTo(200);
    // a late answer to the dropped offer still counts; the answer to the new one adds nothing
    Output late = callee.onMessage(answer(pending, CALLEE_SSRC));
    assertThat(late.events()).containsExactly(new OutgoingAudioAccepted(111, OUR_EXTENSIONS));
    assertThat(late.toSend()).isEmpty();
    assertThat(callee.onMessage(answer(reoffer, CALLEE_SSRC))).isEqualTo(new Output(List.of(), List.of()));
  }

  @Test
  void callerSetsTheCalleesOfferAsideUntilItsOwnIsAnswered() throws Exception {
    P2pSignalingSession caller = new P2pSignalingSession(true, CALLER, CALLER_SSRC, new Random(10));
    long id = ((NegotiateChannels) SignalingMessages.decode(caller.start().get(1))).exchangeId();
    assertThat(caller.onMessage(audioOffer(300, 111))).isEqualTo(new Output(List.of(), List.of()));
    Output o = caller.onMessage(answer(id, CALLER_SSRC));
    assertThat(o.events()).containsExactly(new OutgoingAudioAccepted(111, OUR_EXTENSIONS),
        new IncomingAudio(77, 111, 2, OUR_EXTENSIONS));
    assertThat(o.toSend()).hasSize(1);
    assertThat(((NegotiateChannels) SignalingMessages.decode(o.toSend().get(0))).exchangeId()).isEqualTo(300);
  }

  private static String audioOffer(long exchangeId, int pt) {
    return "{\"@type\":\"NegotiateChannels\",\"exchangeId\":\"" + exchangeId + "\",\"contents\":[{\"type\":\"audio\","
        + "\"ssrc\":\"77\",\"payloadTypes\":[{\"id\":" + pt + ",\"name\":\"opus\",\"clockrate\":48000,\"channels\":2,"
        + "\"feedbackTypes\":[{\"type\":\"transport-cc\",\"subtype\":\"\"}],\"parameters\":{\"minptime\":\"10\"}}],"
        + "\"rtpExtensions\":[{\"id\":2,\"uri\":\"" + ABS + "\"},{\"id\":3,\"uri\":\"" + TCC + "\"}]}]}";
  }

  private static String answer(long exchangeId, int ssrc) {
    return audioOffer(exchangeId, 111).replace("\"ssrc\":\"77\"", "\"ssrc\":\"" + Integer.toUnsignedLong(ssrc) + "\"");
  }

  // ------------------------------------------------------------------ both sessions, every order

  @Test
  void globalFifo() {
    Pair p = new Pair().startBoth();
    p.drain(pool -> 0);
    p.assertConverged();
  }

  @Test
  void callerMessagesFirstOrCalleeMessagesFirst() {
    for (boolean toCallee : new boolean[] {true, false}) {
      Pair p = new Pair().startBoth();
      p.drain(pool -> {
        for (int i = 0; i < pool.size(); i++) {
          if (pool.get(i).toCallee == toCallee) {
            return i;
          }
        }
        return 0;
      });
      p.assertConverged();
    }
  }

  @Test
  void offerAndCandidatesBeforeInitialSetup() {
    Pair p = new Pair().startBoth();
    // callee's candidates reach the caller before the callee's InitialSetup exists
    p.deliver(p.take(p.indexOf(false, "Candidates")));
    p.deliver(p.take(p.indexOf(false, "Candidates")));
    p.deliver(p.take(p.indexOf(true, "Candidates")));
    p.deliver(p.take(p.indexOf(true, "NegotiateChannels")));
    assertThat(p.callerEvents).isEmpty();
    assertThat(of(p.calleeEvents, IncomingAudio.class)).hasSize(1);
    assertThat(of(p.calleeEvents, RemoteCandidate.class)).isEmpty(); // buffered
    p.drain(pool -> pool.size() - 1); // newest first from here on
    p.assertConverged();
  }

  @Test
  void olderAppTimingCallerOffersAfterTheCalleesInitialSetup() {
    Pair p = new Pair().startBoth();
    Msg offer = p.take(p.indexOf(true, "NegotiateChannels")); // held back as old tgcalls did
    p.deliver(p.take(p.indexOf(true, "InitialSetup")));
    assertThat(p.pool).noneMatch(m -> !m.toCallee && m.json.contains("NegotiateChannels"));
    p.deliver(p.take(p.indexOf(false, "InitialSetup")));
    p.pool.add(offer);
    p.drain(pool -> 0);
    p.assertConverged();
  }

  @Test
  void glareBothOfferingAtOnce() {
    Pair p = new Pair().startBoth();
    Msg callerOffer = p.pool.get(p.indexOf(true, "NegotiateChannels"));
    p.deliver(p.take(p.indexOf(true, "InitialSetup")));
    p.deliver(p.take(p.indexOf(true, "NegotiateChannels"))); // callee answers and offers
    // the callee's offer overtakes its answer: the caller still has its own pending
    int calleeOffer = -1;
    for (int i = p.pool.size() - 1; i >= 0; i--) {
      if (!p.pool.get(i).toCallee && p.pool.get(i).json.contains("NegotiateChannels")) {
        calleeOffer = i;
        break;
      }
    }
    p.deliver(p.take(calleeOffer));
    // and the caller's offer arrives again while the callee's is pending: answered again, no
    // glare (a different offer there is calleeWithAPendingOfferDropsItAnswersAndOffersAgain)
    p.deliver(callerOffer);
    p.drain(pool -> 0);
    p.assertConverged();
  }

  @Test
  void everyMessageDuplicated() {
    Pair p = new Pair().startBoth();
    for (int i = 0; i < 500 && !p.pool.isEmpty(); i++) {
      Msg m = p.take(0);
      p.deliver(m);
      p.deliver(m);
    }
    assertThat(p.pool).isEmpty();
    p.assertConverged();
  }

  @Test
  void randomOrdersWithDuplicates() {
    for (int seed = 0; seed < 300; seed++) {
      Random r = new Random(seed);
      Pair p = new Pair().startBoth();
      int[] duplicates = {0};
      p.drain(pool -> {
        int i = r.nextInt(pool.size());
        if (duplicates[0] < 6 && r.nextInt(5) == 0) {
          duplicates[0]++;
          pool.add(pool.get(i));
        }
        return i;
      });
      try {
        p.assertConverged();
      } catch (AssertionError e) {
        throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
      }
    }
  }

  @Test
  void anOfferOfManyAudioContentsGetsAnAnswerThatStillFitsOnePacket() {
    StringBuilder contents = new StringBuilder();
    for (int i = 0; i < 100; i++) {
      if (i > 0) {
        contents.append(',');
      }
      contents.append("{\"payloadTypes\":[{\"channels\":2,\"clockrate\":48000,\"id\":111,")
          .append("\"name\":\"opus\",\"parameters\":{}}],\"rtpExtensions\":[],")
          .append("\"ssrc\":\"").append(1000 + i).append("\",\"ssrcGroups\":[")
          .append("{\"semantics\":\"FID\",\"ssrcs\":[\"1\",\"2\"]},".repeat(9))
          .append("{\"semantics\":\"FID\",\"ssrcs\":[\"1\",\"2\"]}],\"type\":\"audio\"}");
    }
    String offer = "{\"@type\":\"NegotiateChannels\",\"contents\":[" + contents
        + "],\"exchangeId\":\"7\"}";
    P2pSignalingSession callee = new P2pSignalingSession(false, CALLEE, CALLEE_SSRC, new Random(3));
    Output out = callee.onMessage(offer);
    assertThat(out.events()).filteredOn(e -> e instanceof IncomingAudio)
        .hasSize(P2pSignalingSession.MAX_INCOMING_AUDIO);
    // the answer (and our own offer after it) must fit one signaling packet with room for a resend
    assertThat(out.toSend()).isNotEmpty()
        .allSatisfy(json -> assertThat(json.length()).isLessThan(16384 - 16 - 5 - 9));
  }
}
