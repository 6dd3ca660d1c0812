package org.tgcalls4j.internal.p2p;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tgcalls4j.InvalidParamsException;
import org.tgcalls4j.internal.ice.IceCandidate;

/**
 * The private-call signaling state machine (sans-I/O, not thread-safe, one owner): InitialSetup
 * exchange, candidate trickling and the offer/answer of the outgoing and incoming Opus audio
 * (p2p-call.md §4.1–4.3, "Verification status", §5; tgcalls {@code v2/InstanceV2Impl.cpp},
 * {@code v2/ContentNegotiation.cpp}). It reads and writes decrypted JSON text; the owner carries it
 * through the encrypted signaling channel.
 *
 * <p>Order of events: the caller sends InitialSetup ({@code setup} "actpass") and its offer at
 * {@link #start}; the callee sends InitialSetup ("passive") on each InitialSetup it receives, and
 * its own offer right after answering an offer. Nothing depends on whether the peer's
 * InitialSetup or its offer arrives first; remote candidates wait for the remote InitialSetup.
 * Glare (an offer arriving while ours is pending): the callee drops its offer, answers and offers
 * again; the caller sets the peer's offer aside and answers it once its own offer is answered, so
 * both directions end up negotiated in every arrival order. Duplicated messages are answered again
 * identically and produce no repeated events.
 */
public final class P2pSignalingSession {
  private static final Logger LOG = LoggerFactory.getLogger(P2pSignalingSession.class);

  /** Our Opus payload type (WebRTC's default, p2p-call.md §5). */
  public static final int OPUS_PAYLOAD_TYPE = 111;
  /** abs-send-time header extension URI. */
  public static final String ABS_SEND_TIME_URI = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
  /** transport-wide congestion control header extension URI. */
  public static final String TRANSPORT_CC_URI =
      "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
  /** Our abs-send-time and transport-cc extension ids in offers (p2p-call.md §4.2). */
  public static final int ABS_SEND_TIME_ID = 2;
  /** Our transport-cc extension id in offers (p2p-call.md §4.2). */
  public static final int TRANSPORT_CC_ID = 3;
  /** Most remote candidates kept while waiting for the remote InitialSetup. */
  public static final int MAX_BUFFERED_CANDIDATES = 128;
  /** Audio contents of one offer we accept; official offers carry one (p2p-call.md §4.2). */
  static final int MAX_INCOMING_AUDIO = 4;
  /** ssrcGroups of an accepted content echoed in the answer. */
  static final int MAX_ECHOED_SSRC_GROUPS = 4;
  private static final int MAX_REMEMBERED_OFFERS = 64;
  private static final Map<String, String> OPUS_PARAMETERS = Map.of("minptime", "10", "useinbandfec", "1");
  private static final MediaContent.FeedbackType TRANSPORT_CC_FEEDBACK =
      new MediaContent.FeedbackType("transport-cc", "");

  private final boolean caller;
  private final LocalSetup local;
  private final long audioSsrc;
  private final Random random;

  private boolean started;
  private final List<IceCandidate> queuedLocalCandidates = new ArrayList<>();
  private RemoteSetup remoteSetup;
  private final List<IceCandidate> bufferedRemoteCandidates = new ArrayList<>();
  private long pendingOfferId = -1;
  private final Set<Long> ownOfferIds = new LinkedHashSet<>();
  private OutgoingAudioAccepted outgoingAccepted;
  private boolean outgoingRejected;
  private NegotiateChannels deferredOffer;
  private final Map<Long, IncomingAudio> incoming = new LinkedHashMap<>();
  /** The answers we sent, by the offer's exchange id: a repeated offer gets the same answer. */
  private final Map<Long, String> answers = new LinkedHashMap<>();
  /** Remote candidates already delivered since the last RemoteSetup. */
  private final Set<IceCandidate> deliveredCandidates = new java.util.HashSet<>();
  private long droppedMessages;
  private long droppedCandidates;

  /**
   * @param caller true for the side that placed the call (ICE controlling, DTLS client, p2p-call.md §5)
   * @param local our ICE credentials and DTLS certificate fingerprint
   * @param audioSsrc our outgoing audio SSRC (read as unsigned 32-bit)
   * @param random the source of exchange ids
   * @throws NullPointerException if local or random is null
   */
  public P2pSignalingSession(boolean caller, LocalSetup local, int audioSsrc, Random random) {
    this.caller = caller;
    this.local = Objects.requireNonNull(local, "local");
    this.audioSsrc = Integer.toUnsignedLong(audioSsrc);
    this.random = Objects.requireNonNull(random, "random");
  }

  /**
   * Our side of InitialSetup.
   *
   * @param ufrag our ICE username fragment
   * @param pwd our ICE password (a secret: not logged)
   * @param fingerprintSha256 our DTLS certificate's SHA-256 fingerprint, upper-case colon hex
   */
  public record LocalSetup(String ufrag, String pwd, String fingerprintSha256) {
    /** @throws NullPointerException if a component is null */
    public LocalSetup {
      Objects.requireNonNull(ufrag, "ufrag");
      Objects.requireNonNull(pwd, "pwd");
      Objects.requireNonNull(fingerprintSha256, "fingerprintSha256");
    }

    @Override
    public String toString() {
      return "LocalSetup[ufrag=" + ufrag + ", pwd=<hidden>, fingerprintSha256=" + fingerprintSha256 + "]";
    }
  }

  /**
   * What one incoming message produced.
   *
   * @param toSend JSON messages to send, in order
   * @param events what we learned, in order
   */
  public record Output(List<String> toSend, List<Event> events) {
    /** @throws NullPointerException if a list or element is null */
    public Output {
      toSend = List.copyOf(toSend);
      events = List.copyOf(events);
    }
  }

  /** Something the owner acts on. */
  public sealed interface Event permits RemoteSetup, RemoteCandidate, OutgoingAudioAccepted,
      IncomingAudio, RemoteMediaState {}

  /**
   * The peer's ICE credentials and DTLS fingerprint, from each InitialSetup that differs from the
   * last (a later one restarts ICE). The fingerprint is the SHA-256 one if offered, else the first.
   *
   * @param ufrag the peer's ICE username fragment
   * @param pwd the peer's ICE password (not shown by {@link #toString})
   * @param fingerprintHash the fingerprint's hash function name, e.g. "sha-256"
   * @param fingerprint the certificate digest, colon hex
   * @param setup the peer's DTLS setup attribute ("actpass", "passive" or "active")
   */
  public record RemoteSetup(String ufrag, String pwd, String fingerprintHash, String fingerprint,
      String setup) implements Event {
    @Override
    public String toString() {
      return "RemoteSetup[ufrag=" + ufrag + ", pwd=<hidden>, fingerprintHash=" + fingerprintHash
          + ", fingerprint=" + fingerprint + ", setup=" + setup + "]";
    }
  }

  /**
   * A peer candidate, delivered only after {@link RemoteSetup}.
   *
   * @param candidate the candidate (IP literal address)
   */
  public record RemoteCandidate(IceCandidate candidate) implements Event {}

  /**
   * The peer accepted our audio offer with Opus.
   *
   * @param payloadType the Opus payload type to send with
   * @param extensionIdsByUri the accepted header extensions
   */
  public record OutgoingAudioAccepted(int payloadType, Map<String, Integer> extensionIdsByUri)
      implements Event {
    /** @throws NullPointerException if the map is null */
    public OutgoingAudioAccepted {
      extensionIdsByUri = Collections.unmodifiableMap(new LinkedHashMap<>(extensionIdsByUri));
    }
  }

  /**
   * We accepted the peer's audio offer (one event per SSRC, repeated only if it changes).
   *
   * @param ssrc the peer's audio SSRC, unsigned 32-bit
   * @param payloadType the peer's Opus payload type
   * @param channels the channel count it declared (2 if it declared none)
   * @param extensionIdsByUri the header extensions we accepted, with the peer's ids
   */
  public record IncomingAudio(long ssrc, int payloadType, int channels,
      Map<String, Integer> extensionIdsByUri) implements Event {
    /** @throws NullPointerException if the map is null */
    public IncomingAudio {
      extensionIdsByUri = Collections.unmodifiableMap(new LinkedHashMap<>(extensionIdsByUri));
    }
  }

  /**
   * A MediaState from the peer.
   *
   * @param state the state
   */
  public record RemoteMediaState(MediaState state) implements Event {}

  /**
   * Starts signaling: the caller's InitialSetup and first offer, then any local candidates queued
   * before.
   *
   * @return JSON messages to send, in order (the callee's may be only queued candidates)
   * @throws IllegalStateException if already started
   */
  public List<String> start() {
    if (started) {
      throw new IllegalStateException("already started");
    }
    started = true;
    List<String> out = new ArrayList<>();
    if (caller) {
      out.add(SignalingMessages.encode(localInitialSetup()));
      sendOfferIfNeeded(out);
    }
    for (IceCandidate c : queuedLocalCandidates) {
      out.add(candidateMessage(c));
    }
    queuedLocalCandidates.clear();
    return out;
  }

  /**
   * One of our candidates to trickle.
   *
   * @param c the candidate; sent with component 1
   * @return a Candidates message holding it, or nothing before {@link #start} (it is sent then)
   * @throws NullPointerException if c is null
   */
  public List<String> onLocalCandidate(IceCandidate c) {
    Objects.requireNonNull(c, "candidate");
    if (!started) {
      queuedLocalCandidates.add(c);
      return List.of();
    }
    return List.of(candidateMessage(c));
  }

  /**
   * Handles one decrypted message from the peer. Never throws for bad input: a malformed message
   * is counted in {@link #droppedMessages}, logged at debug level with what was wrong, and
   * dropped; a candidate that cannot be used (e.g. a reflector host name) is counted in
   * {@link #droppedCandidates}.
   *
   * @param json the message text
   * @return messages to send and events
   */
  public Output onMessage(String json) {
    SignalingMessage m;
    try {
      m = SignalingMessages.decode(json);
    } catch (InvalidParamsException e) {
      drop(e.getMessage());
      return new Output(List.of(), List.of());
    } catch (IllegalArgumentException e) { // a record's own check; decode should have caught it
      drop("invalid value: " + e.getMessage());
      return new Output(List.of(), List.of());
    }
    List<String> toSend = new ArrayList<>();
    List<Event> events = new ArrayList<>();
    if (m instanceof InitialSetup s) {
      onInitialSetup(s, toSend, events);
    } else if (m instanceof Candidates c) {
      onCandidates(c, events);
    } else if (m instanceof NegotiateChannels n) {
      onNegotiateChannels(n, toSend, events);
    } else if (m instanceof MediaState s) {
      events.add(new RemoteMediaState(s));
    }
    return new Output(toSend, events);
  }

  /** @return messages dropped as malformed or unusable since creation */
  public long droppedMessages() {
    return droppedMessages;
  }

  /** @return remote candidates dropped (not an IP literal, malformed, or over the buffer limit) */
  public long droppedCandidates() {
    return droppedCandidates;
  }

  private void drop(String why) {
    droppedMessages++;
    LOG.debug("dropped a signaling message: {}", why);
  }

  private InitialSetup localInitialSetup() {
    return new InitialSetup(local.ufrag(), local.pwd(), false,
        List.of(new DtlsFingerprint("sha-256", caller ? "actpass" : "passive", local.fingerprintSha256())));
  }

  private String candidateMessage(IceCandidate c) {
    return SignalingMessages.encode(new Candidates(List.of(CandidateSdp.format(c, local.ufrag()))));
  }

  private void onInitialSetup(InitialSetup s, List<String> toSend, List<Event> events) {
    DtlsFingerprint chosen = null;
    for (DtlsFingerprint f : s.fingerprints()) {
      if (f.hash().equalsIgnoreCase("sha-256")) {
        chosen = f;
        break;
      }
    }
    if (chosen == null && !s.fingerprints().isEmpty()) {
      chosen = s.fingerprints().get(0);
    }
    if (chosen == null) {
      drop("InitialSetup: fingerprints: empty (the DTLS certificate cannot be verified)");
      return;
    }
    String setup = chosen.setup().toLowerCase(Locale.ROOT);
    if (!setup.equals("actpass") && !setup.equals("passive") && !setup.equals("active")) {
      drop("InitialSetup: fingerprints[].setup: not actpass, passive or active");
      return;
    }
    RemoteSetup r = new RemoteSetup(s.ufrag(), s.pwd(), chosen.hash().toLowerCase(Locale.ROOT),
        chosen.fingerprint(), setup);
    if (!r.equals(remoteSetup)) {
      events.add(r);
      remoteSetup = r;
      deliveredCandidates.clear(); // an ICE restart: the same address may come again
    }
    if (!caller) {
      toSend.add(SignalingMessages.encode(localInitialSetup()));
    }
    for (IceCandidate c : bufferedRemoteCandidates) {
      deliverCandidate(c, events);
    }
    bufferedRemoteCandidates.clear();
  }

  private void onCandidates(Candidates c, List<Event> events) {
    for (String sdp : c.sdpStrings()) {
      IceCandidate candidate;
      try {
        candidate = CandidateSdp.parse(sdp);
      } catch (InvalidParamsException e) {
        droppedCandidates++;
        LOG.debug("dropped a remote candidate: {}", e.getMessage());
        continue;
      }
      if (remoteSetup != null) {
        deliverCandidate(candidate, events);
      } else if (bufferedRemoteCandidates.size() < MAX_BUFFERED_CANDIDATES) {
        bufferedRemoteCandidates.add(candidate);
      } else {
        droppedCandidates++;
        LOG.debug("dropped a remote candidate: more than {} before InitialSetup", MAX_BUFFERED_CANDIDATES);
      }
    }
  }

  private void deliverCandidate(IceCandidate c, List<Event> events) {
    if (deliveredCandidates.size() >= MAX_BUFFERED_CANDIDATES * 4) {
      deliveredCandidates.clear(); // bounded memory; a repeat costs the agent only a duplicate
    }
    if (deliveredCandidates.add(c)) {
      events.add(new RemoteCandidate(c));
    }
  }

  private void onNegotiateChannels(NegotiateChannels n, List<String> toSend, List<Event> events) {
    String answered = answers.get(n.exchangeId());
    if (answered != null) {
      toSend.add(answered); // a repeated offer: the same answer again, no glare
    } else if (ownOfferIds.contains(n.exchangeId())) {
      onAnswer(n, events);
      if (pendingOfferId < 0 && deferredOffer != null) {
        NegotiateChannels offer = deferredOffer;
        deferredOffer = null;
        toSend.add(answer(offer, events));
      }
    } else if (pendingOfferId >= 0 && caller) {
      // glare: tgcalls' caller ignores the callee's offer (setRemoteNegotiationContent); we answer
      // it once our own offer is answered, so the callee's audio is negotiated in every order
      LOG.debug("glare: offer {} set aside while our offer {} is pending", n.exchangeId(), pendingOfferId);
      deferredOffer = n;
      return;
    } else {
      if (pendingOfferId >= 0) {
        LOG.debug("glare: our offer {} dropped to answer offer {}", pendingOfferId, n.exchangeId());
        pendingOfferId = -1;
      }
      deferredOffer = null;
      toSend.add(answer(n, events));
    }
    sendOfferIfNeeded(toSend);
  }

  private void onAnswer(NegotiateChannels n, List<Event> events) {
    boolean wasPending = n.exchangeId() == pendingOfferId;
    if (wasPending) {
      pendingOfferId = -1;
    }
    for (MediaContent c : n.contents()) {
      if (!c.type().equals(MediaContent.AUDIO) || c.ssrc() != audioSsrc) {
        continue;
      }
      MediaContent.PayloadType opus = findOpus(c);
      if (opus == null) {
        continue;
      }
      OutgoingAudioAccepted a = new OutgoingAudioAccepted(opus.id(), extensionIds(c));
      if (!a.equals(outgoingAccepted)) {
        outgoingAccepted = a;
        events.add(a);
      }
      return;
    }
    if (wasPending && outgoingAccepted == null) {
      outgoingRejected = true; // not offered again: the peer would reject it again
      LOG.debug("the peer's answer {} does not accept our audio", n.exchangeId());
    }
  }

  private static MediaContent.PayloadType findOpus(MediaContent c) {
    for (MediaContent.PayloadType p : c.payloadTypes()) {
      if (p.name().equalsIgnoreCase("opus") && p.clockrate() == 48_000) {
        return p;
      }
    }
    return null;
  }

  private static Map<String, Integer> extensionIds(MediaContent c) {
    Map<String, Integer> ids = new LinkedHashMap<>();
    for (MediaContent.RtpExtension e : c.rtpExtensions()) {
      if (e.uri().equals(ABS_SEND_TIME_URI) || e.uri().equals(TRANSPORT_CC_URI)) {
        ids.putIfAbsent(e.uri(), e.id());
      }
    }
    return ids;
  }

  /**
   * The answer to an offer (tgcalls ContentNegotiation): the same exchange id and, for each audio
   * content offering Opus/48000, that content's ssrc and groups with Opus under the offerer's
   * payload type, the feedback both support and the extensions we know under the offerer's ids.
   * Video and non-Opus contents are left out (rejected).
   */
  private String answer(NegotiateChannels offer, List<Event> events) {
    List<MediaContent> accepted = new ArrayList<>();
    for (MediaContent c : offer.contents()) {
      if (!c.type().equals(MediaContent.AUDIO) || c.ssrc() == audioSsrc) {
        continue; // our own SSRC is never an incoming stream (an answer mistaken for an offer)
      }
      if (accepted.size() >= MAX_INCOMING_AUDIO) {
        break; // an official peer offers one; more would only inflate the answer past one packet
      }
      MediaContent.PayloadType opus = findOpus(c);
      if (opus == null) {
        continue;
      }
      List<MediaContent.FeedbackType> feedback =
          opus.feedbackTypes().contains(TRANSPORT_CC_FEEDBACK) ? List.of(TRANSPORT_CC_FEEDBACK) : List.of();
      Map<String, Integer> ids = extensionIds(c);
      List<MediaContent.RtpExtension> exts = new ArrayList<>();
      for (Map.Entry<String, Integer> e : ids.entrySet()) {
        exts.add(new MediaContent.RtpExtension(e.getValue(), e.getKey()));
      }
      accepted.add(new MediaContent(MediaContent.AUDIO, c.ssrc(),
          c.ssrcGroups().size() > MAX_ECHOED_SSRC_GROUPS
              ? c.ssrcGroups().subList(0, MAX_ECHOED_SSRC_GROUPS) : c.ssrcGroups(),
          List.of(new MediaContent.PayloadType(opus.id(), "opus", 48_000, 2, feedback, OPUS_PARAMETERS)),
          exts));
      IncomingAudio in = new IncomingAudio(c.ssrc(), opus.id(), opus.channels() == 0 ? 2 : opus.channels(), ids);
      if (!in.equals(incoming.get(c.ssrc()))) {
        incoming.put(c.ssrc(), in);
        events.add(in);
      }
    }
    String text = SignalingMessages.encode(new NegotiateChannels(offer.exchangeId(), accepted));
    if (answers.size() >= MAX_REMEMBERED_OFFERS) {
      answers.remove(answers.keySet().iterator().next());
    }
    answers.put(offer.exchangeId(), text);
    return text;
  }

  /** Offers our audio if it is not negotiated, not refused and no offer of ours is pending. */
  private void sendOfferIfNeeded(List<String> out) {
    if (outgoingAccepted != null || outgoingRejected || pendingOfferId >= 0 || (caller && !started)) {
      return;
    }
    long id;
    do {
      id = Integer.toUnsignedLong(random.nextInt());
    } while (id == 0 || ownOfferIds.contains(id));
    if (ownOfferIds.size() >= MAX_REMEMBERED_OFFERS) {
      ownOfferIds.remove(ownOfferIds.iterator().next());
    }
    ownOfferIds.add(id);
    pendingOfferId = id;
    MediaContent audio = new MediaContent(MediaContent.AUDIO, audioSsrc, List.of(),
        List.of(new MediaContent.PayloadType(OPUS_PAYLOAD_TYPE, "opus", 48_000, 2,
            List.of(TRANSPORT_CC_FEEDBACK), OPUS_PARAMETERS)),
        List.of(new MediaContent.RtpExtension(ABS_SEND_TIME_ID, ABS_SEND_TIME_URI),
            new MediaContent.RtpExtension(TRANSPORT_CC_ID, TRANSPORT_CC_URI)));
    out.add(SignalingMessages.encode(new NegotiateChannels(id, List.of(audio))));
  }
}
