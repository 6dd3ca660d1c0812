package org.tgcalls4j.internal.call;

import io.netty.channel.IoEventLoop;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tgcalls4j.CallKind;
import org.tgcalls4j.CallStats;
import org.tgcalls4j.ConnectionExistsException;
import org.tgcalls4j.ConnectionState;
import org.tgcalls4j.DtlsSetup;
import org.tgcalls4j.InvalidParamsException;
import org.tgcalls4j.MediaSource;
import org.tgcalls4j.NotConnectedException;
import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.TransportException;
import org.tgcalls4j.internal.audio.IncomingAudio;
import org.tgcalls4j.internal.dtls.DtlsRole;
import org.tgcalls4j.internal.ice.IceCandidate;
import org.tgcalls4j.internal.ice.IceConfig;
import org.tgcalls4j.internal.ice.IceCredentials;
import org.tgcalls4j.internal.ice.IceRole;
import org.tgcalls4j.internal.ice.IpLiterals;
import org.tgcalls4j.internal.json.JsonCodec;
import org.tgcalls4j.internal.logging.LogContext;
import org.tgcalls4j.internal.pc.PeerTransport;
import org.tgcalls4j.internal.pc.RemoteDescription;
import org.tgcalls4j.internal.pc.TransportSettings;
import org.tgcalls4j.internal.signaling.AnswerCandidate;
import org.tgcalls4j.internal.signaling.Fingerprint;
import org.tgcalls4j.internal.signaling.GroupCallAnswer;
import org.tgcalls4j.internal.signaling.GroupCallSignaling;
import org.tgcalls4j.internal.signaling.HeaderExtension;
import org.tgcalls4j.internal.signaling.JoinPayload;
import org.tgcalls4j.internal.signaling.PayloadType;
import org.tgcalls4j.internal.signaling.SsrcGroup;
import org.tgcalls4j.internal.signaling.VideoSendParameters;
import org.tgcalls4j.internal.signaling.VideoSsrcLayout;
import org.tgcalls4j.internal.pacing.MediaTimeline;
import org.tgcalls4j.internal.pacing.NanoClock;
import org.tgcalls4j.VideoStats;

/**
 * One group-call connection (the chat's main call or its presentation): the join JSON and answer
 * (group-call.md §2, §3), a {@link PeerTransport} in the ICE-controlled role (§4.1), one audio
 * track (§5.1), a VP8 video track when the join declared video (§5.2-§5.6, see
 * {@link MediaSource#withVideo}), and the connection's life cycle. It holds no socket, ICE, DTLS or SRTP code.
 *
 * <p>Life cycle: NEW → CONNECTING → CONNECTED; a lost connection goes to DISCONNECTED (when the
 * client has a rejoin window) with fresh ICE credentials for a new join, or to FAILED. A connect
 * in DISCONNECTED (a rejoin) builds a new transport; the source, its position, the SSRC and the RTP
 * sequence continue. A connect whose DTLS handshake outlasts the connect timeout ends in TIMEOUT.
 * FAILED, TIMEOUT and CLOSED are terminal.
 *
 * <p>Threads: public methods may be called from any thread; state changes are serialized by one
 * lock and reported to {@link SessionEvents} in order while it is held.
 */
public final class GroupCallSession implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GroupCallSession.class);
  private static final String AUDIO_LEVEL_URI = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
  /** Opus's payload type in Telegram's answers (group-call.md §5.1), for a presentation without audio. */
  private static final int DEFAULT_OPUS_PAYLOAD_TYPE = 111;

  private enum Phase { NEW, CONNECTING, CONNECTED, DISCONNECTED, TERMINAL }

  private final long chatId;
  private final CallKind kind;
  private final SessionConfig config;
  private final SessionEvents events;
  private final int audioSsrc;
  private final SourceSlot sources = new SourceSlot();
  private final TrackEnds trackEnds;
  private final Map<String, String> logContext;
  private final ThreadFactory threads;
  /** The client's event loop this call is pinned to: its sockets, timers and audio pacing. */
  private final IoEventLoop loop;
  private final String name;
  private final Object lock = new Object();

  // guarded by lock
  private Phase phase = Phase.NEW;
  private ConnectionState terminalState;
  private IceCredentials localCredentials;
  private volatile PeerTransport transport; // written under lock; read without it per packet
  private AudioSender sender;
  private VideoSender videoSender; // null unless the join declared video
  private boolean joinDeclaredVideo; // the last join JSON carried the video SSRC groups
  private boolean joinTaken; // joinJson() was called at least once
  private MediaSource currentSource;
  private final MediaTimeline timeline = new MediaTimeline();
  private IncomingAudio incoming; // null unless the client has an incoming-audio listener
  private int disconnects;
  private final CallCounters counters = new CallCounters();
  private volatile long connectStartNanos;

  /**
   * Creates the call's ICE credentials and audio SSRC; nothing is bound yet.
   *
   * @param chatId the chat, used in logs and thread names
   * @param kind {@link CallKind#GROUP_CALL} or {@link CallKind#PRESENTATION}
   * @param config client-wide settings
   * @param events receives state changes and stream ends
   */
  public GroupCallSession(long chatId, CallKind kind, SessionConfig config, SessionEvents events) {
    this.chatId = chatId;
    this.kind = kind;
    this.config = config;
    this.events = events;
    this.logContext = LogContext.of(chatId, kind.name());
    this.threads = LogContext.threads(config.threads(), logContext);
    // a call that may lease the shared UDP port runs on the port's loop
    this.loop = config.sharedPort() != null ? config.sharedPort().loop() : config.loops().next();
    this.name = (kind == CallKind.PRESENTATION ? "presentation " : "chat ") + chatId;
    this.trackEnds = new TrackEnds(sources, events, name, TrackEnds.VIDEO_END_GRACE_MILLIS);
    this.localCredentials = IceCredentials.generate(config.random());
    // group-call.md §5.3: random 31-bit, non-zero
    int ssrc;
    do {
      ssrc = config.random().nextInt() & 0x7fffffff;
    } while (ssrc == 0);
    this.audioSsrc = ssrc;
  }

  /** @return the audio SSRC announced in the join JSON (the participant's {@code source}) */
  public int audioSsrc() {
    return audioSsrc;
  }

  /**
   * @return the {@code params} JSON for {@code phone.joinGroupCall} (or
   *     {@code joinGroupCallPresentation}) of the next connect (group-call.md §2); after a
   *     disconnect it carries fresh ICE credentials
   */
  public String joinJson() {
    IceCredentials credentials;
    boolean video;
    synchronized (lock) {
      credentials = localCredentials;
      // group-call.md §5.3: video SSRCs exist from the join on; once declared, every rejoin
      // declares them again (the SSRCs of a call never change)
      joinDeclaredVideo |= !joinTaken && OpusFrameSources.carriesVideo(currentSource);
      joinTaken = true;
      video = joinDeclaredVideo;
    }
    String setup = config.dtlsSetup() == DtlsSetup.PASSIVE ? "passive" : "active";
    return GroupCallSignaling.encodeJoin(new JoinPayload(credentials.ufrag(), credentials.pwd(),
        "sha-256", config.certificate().sha256Fingerprint(), setup, audioSsrc,
        video ? videoLayout() : List.of()));
  }

  /**
   * The video SSRC groups this call declares (group-call.md §5.3). The main call declares one FID
   * pair, what gotgcall sends in production (§2.2). A presentation declares the screen-share
   * layout, a SIM group of 2 layers and their FID pairs (§2.2, §8), because receivers tell a
   * screen share by a SIM group of exactly 2 SSRCs (§5.3). Either way the video is sent as one
   * stream on layer 0's SSRCs ({@code V}, RTX {@code V+1}), the SIM group's first source, which
   * §5.3 makes the participant's main video SSRC; layer 1 is declared and stays idle.
   */
  private List<SsrcGroup> videoLayout() {
    return kind == CallKind.PRESENTATION
        ? VideoSsrcLayout.simulcast(audioSsrc, 2)
        : VideoSsrcLayout.singleLayer(audioSsrc);
  }

  /** The parts of an answer a connect uses, validated before anything changes. */
  private record Answer(RemoteDescription remote, int payloadType, int levelExtensionId,
      VideoSendParameters video) {}

  /** Payload types every client uses when an answer lists no VP8 (group-call.md §5.2). */
  private static final VideoSendParameters DEFAULT_VIDEO = new VideoSendParameters(100, 101, 0, 0, 0);

  /**
   * Starts connecting with the SFU's answer (a first join or a rejoin after DISCONNECTED) and
   * returns at once. The answer is validated first, so a malformed one changes nothing.
   *
   * @param answerJson {@code updateGroupCallConnection.params} (group-call.md §3)
   * @return completes once CONNECTED was reported; fails with {@link NotConnectedException} (timeout,
   *     stopped) or {@link TransportException}, after FAILED was reported
   * @throws InvalidParamsException if the answer is malformed, stream-mode, or lacks Opus or a
   *     usable candidate; names the field
   * @throws ConnectionExistsException if the call is connecting or connected already
   * @throws NotConnectedException if the call is closed or failed
   */
  public CompletableFuture<Void> connectAsync(String answerJson) throws TgCallsException {
    long startNanos = System.nanoTime();
    Answer answer = parse(answerJson);
    PeerTransport created;
    CompletableFuture<Void> transportReady;
    synchronized (lock) {
      if (phase == Phase.TERMINAL) {
        throw new NotConnectedException(name + ": the call is already closed");
      }
      if (phase == Phase.CONNECTING || phase == Phase.CONNECTED) {
        throw new ConnectionExistsException(chatId);
      }
      if (sender == null) {
        sender = new AudioSender(chatId, audioSsrc, answer.payloadType(), answer.levelExtensionId(),
            sources, config, config.loops().wheel(loop), threads, events, output, this::fail,
            () -> connectStartNanos);
        if (joinDeclaredVideo) {
          sender.setTimeline(timeline);
          videoSender = new VideoSender(chatId, VideoSsrcLayout.videoSsrc(audioSsrc),
              VideoSsrcLayout.rtxSsrc(audioSsrc),
              answer.video() != null ? answer.video() : DEFAULT_VIDEO, sources, timeline,
              sender.cname(), config, config.loops().wheel(loop), threads, output,
              NanoClock.SYSTEM, trackEnds::videoEnded);
          videoSender.shareLateDrops(sender.lateDrops());
        }
      }
      if (incoming == null && config.audioIn() != null) {
        incoming = new IncomingAudio(name, 2, config.mixIncomingAudio(), events::onAudioFrame,
            config.audioIn(), logContext);
      }
      created = new PeerTransport(transportSettings(), cause -> onDisconnected(cause));
      created.addTrack(sender);
      if (videoSender != null) {
        created.addTrack(videoSender);
      }
      if (incoming != null) {
        // group-call.md §5: participants' SSRCs are not signaled to us; take what the SFU sends
        IncomingAudio in = incoming;
        int opus = answer.payloadType();
        created.setUnknownSsrcHandler(ssrc -> in.trackFor(ssrc, opus));
      }
      try {
        transportReady = created.connect(answer.remote());
      } catch (IllegalArgumentException e) {
        throw new InvalidParamsException("transport.fingerprints[0]", e.getMessage(), e);
      }
      connectStartNanos = startNanos;
      transport = created;
      phase = Phase.CONNECTING;
      events.onState(ConnectionState.CONNECTING, null);
    }
    return transportReady.handle((ok, error) -> {
      if (error != null) {
        TgCallsException cause = ConnectWait.asTgCallsException(error);
        fail(cause, created.connectTimedOut() ? ConnectionState.TIMEOUT : ConnectionState.FAILED);
        throw new CompletionException(cause);
      }
      boolean first;
      synchronized (lock) {
        if (phase != Phase.CONNECTING || transport != created) {
          throw new CompletionException(
              new NotConnectedException(name + ": the call was stopped while connecting"));
        }
        first = !sender.isStarted();
        phase = Phase.CONNECTED;
        if (incoming != null) {
          incoming.start(); // the client's audio-in thread starts with the first such call
        }
        sources.setHeld(false);
        events.onState(ConnectionState.CONNECTED, null);
      }
      if (first) {
        sender.start();
        if (videoSender != null) {
          videoSender.start();
        }
      }
      return null;
    });
  }

  /**
   * Connects and blocks until media can flow: {@link #connectAsync} and a wait.
   *
   * @param answerJson {@code updateGroupCallConnection.params} (group-call.md §3)
   * @throws InvalidParamsException if the answer is malformed (the call is unchanged)
   * @throws ConnectionExistsException if the call is connecting or connected already
   * @throws NotConnectedException if ICE or DTLS did not finish within the connect timeout (the
   *     call is then FAILED when ICE found no path, TIMEOUT otherwise), or the call was stopped
   * @throws TransportException if ICE or the DTLS handshake failed or the SFU's certificate did not
   *     match its fingerprint; the call is then failed and closed
   */
  public void connect(String answerJson) throws TgCallsException {
    ConnectWait.await(connectAsync(answerJson), config.connectTimeoutMillis(), name,
        timeout -> fail(timeout, ConnectionState.TIMEOUT));
  }

  private TransportSettings transportSettings() {
    // several consent checks per timeout: a single lost check must not expire consent
    long consentInterval = Math.max(1, Math.min(IceConfig.defaults().consentIntervalMillis(),
        config.consentTimeoutMillis() / 4));
    IceConfig ice = new IceConfig(config.connectTimeoutMillis(), consentInterval,
        config.consentTimeoutMillis(), config.network().includeIpv6());
    DtlsRole role = config.dtlsSetup() == DtlsSetup.PASSIVE ? DtlsRole.SERVER : DtlsRole.CLIENT;
    InetAddress bind = BindAddresses.resolve(config.network());
    return new TransportSettings(IceRole.CONTROLLED, role, localCredentials, config.certificate(),
        bind, ice, config.connectTimeoutMillis(), config.random().nextLong(), loop,
        config.control(), name, "the SFU", logContext, false, false, List.of(), List.of(), false,
        config.sharedPort());
  }

  private Answer parse(String answerJson) throws TgCallsException {
    GroupCallAnswer answer = GroupCallSignaling.decodeAnswer(answerJson);
    if (answer.stream() || answer.transport() == null) {
      throw new InvalidParamsException(answer.rtmp() ? "rtmp" : "stream",
          "the SFU answered in stream mode; this participant cannot send media now");
    }
    int payloadType = DEFAULT_OPUS_PAYLOAD_TYPE;
    int levelExtensionId = 0;
    if (answer.audio() == null) {
      if (kind != CallKind.PRESENTATION) { // group-call.md §3.1: a presentation answer has none
        throw new InvalidParamsException("audio", "missing");
      }
    } else {
      PayloadType opus = answer.audio().payloadTypes().stream()
          .filter(p -> p.name().equalsIgnoreCase("opus")).findFirst()
          .orElseThrow(() -> new InvalidParamsException("audio.payload-types", "no opus payload type"));
      payloadType = opus.id();
      // RFC 8285 §4.2: the one-byte form we send carries ids 1..14; otherwise send no level
      levelExtensionId = answer.audio().headerExtensions().stream()
          .filter(e -> e.uri().equals(AUDIO_LEVEL_URI)).mapToInt(HeaderExtension::id)
          .filter(id -> id >= 1 && id <= 14)
          .findFirst().orElse(0);
    }
    List<IceCandidate> candidates = usableCandidates(answer.transport().candidates());
    Fingerprint fingerprint = answer.transport().fingerprints().get(0);
    RemoteDescription remote = new RemoteDescription(
        new IceCredentials(answer.transport().ufrag(), answer.transport().pwd()), candidates,
        fingerprint.hash(), fingerprint.fingerprint());
    return new Answer(remote, payloadType, levelExtensionId,
        VideoSendParameters.from(answer.video()));
  }

  private List<IceCandidate> usableCandidates(List<AnswerCandidate> answerCandidates)
      throws InvalidParamsException {
    List<IceCandidate> result = new ArrayList<>();
    for (int i = 0; i < answerCandidates.size(); i++) {
      AnswerCandidate c = answerCandidates.get(i);
      if (!c.protocol().toLowerCase(Locale.ROOT).equals("udp") || c.component() != 1
          || c.port() == 0) { // port 0 is valid syntax (RFC 8839 §5.1) but not a destination
        continue;
      }
      InetAddress address = IpLiterals.parse(c.ip()); // never a DNS look-up
      if (address == null) {
        throw new InvalidParamsException("transport.candidates[" + i + "].ip",
            "not an IP address literal: " + JsonCodec.shortQuote(c.ip()));
      }
      boolean ipv6 = address.getAddress().length == 16;
      if (ipv6 && !config.network().includeIpv6()) {
        continue;
      }
      if (address.isLoopbackAddress() && !config.network().includeLoopback()) {
        continue;
      }
      result.add(new IceCandidate(c.foundation(), c.component(), c.protocol(), c.priority(),
          new InetSocketAddress(address, c.port()), c.type()));
    }
    if (result.isEmpty()) {
      throw new InvalidParamsException("transport.candidates",
          "no usable UDP candidate (IPv6 " + (config.network().includeIpv6() ? "on" : "off")
              + ", loopback " + (config.network().includeLoopback() ? "on" : "off") + ")");
    }
    return result;
  }

  /** The transport lost its connection; runs on the control executor. */
  private void onDisconnected(TransportException cause) {
    int generation;
    synchronized (lock) {
      if (phase != Phase.CONNECTED) {
        return;
      }
      counters.retire(transport);
      transport = null;
      if (config.rejoinWindowMillis() <= 0) {
        generation = -1;
      } else {
        phase = Phase.DISCONNECTED;
        sources.setHeld(true); // keep the source where it is until the rejoin
        localCredentials = IceCredentials.generate(config.random()); // for the new join
        generation = ++disconnects;
        events.onState(ConnectionState.DISCONNECTED, cause);
      }
    }
    if (generation < 0) {
      fail(cause);
      return;
    }
    log.debug("{}: disconnected, waiting {} ms for a rejoin: {}", name,
        config.rejoinWindowMillis(), cause.getMessage());
    CompletableFuture.delayedExecutor(config.rejoinWindowMillis(), TimeUnit.MILLISECONDS,
        LogContext.executor(config.control(), logContext)).execute(() -> {
          synchronized (lock) {
            if (phase != Phase.DISCONNECTED || disconnects != generation) {
              return;
            }
          }
          fail(new NotConnectedException(name + ": not rejoined within "
              + config.rejoinWindowMillis() + " ms after the connection was lost (" + cause.getMessage()
              + ")"));
        });
  }

  /** Sends through whatever transport is current; drops while there is none. */
  private final RtpOutput output = new RtpOutput() {
    @Override
    public boolean sendRtpInPlace(byte[] buffer, int offset, int length) {
      PeerTransport t = current();
      return t != null && t.sendRtpInPlace(buffer, offset, length);
    }

    @Override
    public boolean sendRtcp(byte[] rtcp) {
      PeerTransport t = current();
      return t != null && t.sendRtcp(rtcp);
    }
  };

  private PeerTransport current() {
    return transport;
  }

  /**
   * Replaces what the call plays. The source is opened on the calling thread; the previous source
   * is closed without a stream-end event. May be called before {@code connect} finishes.
   *
   * @param source the new source
   * @throws TgCallsException if the file is missing or ffmpeg cannot be started; an
   *     InvalidParamsException for a video-only source after a join without video
   */
  public void setSource(MediaSource source) throws TgCallsException {
    MediaSource previous;
    synchronized (lock) {
      if (joinTaken && !joinDeclaredVideo && OpusFrameSources.carriesVideo(source)) {
        // joined without video SSRCs: the SFU would drop the video (video-only sources throw)
        source = OpusFrameSources.withoutVideo(source);
      }
      previous = currentSource;
      currentSource = source; // before opening: a join taken meanwhile declares its video
    }
    OpusFrameSource frames;
    try {
      frames = OpusFrameSources.openWithVideo(source, config.ffmpeg(), config.audioBitrateKbps(),
          threads);
    } catch (TgCallsException | RuntimeException e) {
      synchronized (lock) {
        if (currentSource == source) {
          currentSource = previous;
        }
      }
      throw e;
    }
    sources.replaceWhenReady(frames, source, SourceSlot.PREROLL_MAX_MILLIS);
  }

  /**
   * Restarts the current source at a position, keeping the pause state; see
   * {@link OpusFrameSources#seek}.
   *
   * @param positionMillis target within the source, ms, at least 0
   * @throws TgCallsException if nothing seekable is playing or ffmpeg cannot be started
   */
  public void seek(long positionMillis) throws TgCallsException {
    OpusFrameSources.seek(sources, positionMillis, config.ffmpeg(), config.audioBitrateKbps(),
        threads);
  }

  /**
   * @return the video track's counters, or null if the call's join declared no video (see
   *     {@link MediaSource#withVideo}) or it has not connected yet
   */
  public VideoStats videoStats() {
    VideoSender v;
    synchronized (lock) {
      v = videoSender;
    }
    return v == null ? null : v.stats();
  }

  /**
   * Stops sending frames; the source is held where it is (ffmpeg blocks on its full pipe).
   *
   * @return whether the call was not paused before
   */
  public boolean pause() {
    return sources.setPaused(true);
  }

  /**
   * Continues sending after {@link #pause()} from the paused position.
   *
   * @return whether the call was paused before
   */
  public boolean resume() {
    return sources.setPaused(false);
  }

  /** @return media position within the current source, ms */
  public long positionMillis() {
    return sources.positionMillis();
  }

  /**
   * @param muted whether to send silence instead of the source (which keeps playing)
   * @return whether the state changed
   */
  public boolean setMuted(boolean muted) {
    return sources.setMuted(muted);
  }

  /** @return whether the call sends silence */
  public boolean isMuted() {
    return sources.isMuted();
  }

  /** @return the call's state now: CONNECTING until connected, FAILED, TIMEOUT or CLOSED at the end */
  public ConnectionState state() {
    synchronized (lock) {
      switch (phase) {
        case NEW:
        case CONNECTING:
          return ConnectionState.CONNECTING;
        case CONNECTED:
          return ConnectionState.CONNECTED;
        case DISCONNECTED:
          return ConnectionState.DISCONNECTED;
        default:
          return terminalState;
      }
    }
  }

  /** @return the call's counters now, over every transport it had */
  public CallStats stats() {
    AudioSender s;
    IncomingAudio in;
    CallCounters.Snapshot snapshot;
    synchronized (lock) {
      s = sender;
      in = incoming;
      snapshot = counters.snapshot(transport);
    }
    return snapshot.toStats(s, in);
  }

  private void fail(TgCallsException cause) {
    fail(cause, ConnectionState.FAILED);
  }

  /** @param state FAILED, or TIMEOUT for a connect that outlasted the connect timeout */
  private void fail(TgCallsException cause, ConnectionState state) {
    if (!enterTerminal(state)) {
      return;
    }
    log.debug("{}: {}: {}", name, state == ConnectionState.TIMEOUT ? "timed out" : "failed",
        cause.getMessage());
    teardown();
    events.onState(state, cause);
  }

  /** Stops sending, kills ffmpeg, closes the transport; reports CLOSED once. */
  @Override
  public void close() {
    if (!enterTerminal(ConnectionState.CLOSED)) {
      return;
    }
    teardown();
    events.onState(ConnectionState.CLOSED, null);
  }

  private boolean enterTerminal(ConnectionState state) {
    synchronized (lock) {
      if (phase == Phase.TERMINAL) {
        return false;
      }
      phase = Phase.TERMINAL;
      terminalState = state;
      return true; // teardown() retires the transport's counters, once
    }
  }

  private void teardown() {
    AudioSender s;
    VideoSender v;
    PeerTransport t;
    IncomingAudio in;
    synchronized (lock) {
      s = sender;
      v = videoSender;
      t = transport;
      in = incoming;
      if (t != null) {
        counters.retire(t); // stats() keeps the final counters after FAILED/CLOSED
      }
      transport = null;
    }
    sources.close();
    if (s != null) {
      s.close();
    }
    if (v != null) {
      v.close();
    }
    if (in != null) {
      in.close(); // stats() keeps its per-SSRC counters
    }
    if (t != null) {
      t.close();
    }
  }
}
