package org.tgcalls4j.internal.call;

import io.netty.channel.IoEventLoop;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tgcalls4j.CallKind;
import org.tgcalls4j.CallStats;
import org.tgcalls4j.ConnectionExistsException;
import org.tgcalls4j.ConnectionState;
import org.tgcalls4j.InvalidParamsException;
import org.tgcalls4j.MediaSource;
import org.tgcalls4j.NotConnectedException;
import org.tgcalls4j.PhoneCallProtocol;
import org.tgcalls4j.PrivateCallParams;
import org.tgcalls4j.RtcServer;
import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.TransportException;
import org.tgcalls4j.internal.audio.IncomingAudio;
import org.tgcalls4j.internal.dtls.DtlsRole;
import org.tgcalls4j.internal.ice.IceCandidate;
import org.tgcalls4j.internal.ice.IceConfig;
import org.tgcalls4j.internal.ice.IceCredentials;
import org.tgcalls4j.internal.ice.IceRole;
import org.tgcalls4j.internal.ice.IpLiterals;
import org.tgcalls4j.internal.ice.ReflectorAddress;
import org.tgcalls4j.internal.json.JsonCodec;
import org.tgcalls4j.internal.logging.LogContext;
import org.tgcalls4j.internal.p2p.P2pSignalingSession;
import org.tgcalls4j.internal.p2p.SignalingChannel;
import org.tgcalls4j.internal.p2p.SignalingCrypto;
import org.tgcalls4j.internal.reflector.ReflectorClient;
import org.tgcalls4j.internal.pc.PeerTransport;
import org.tgcalls4j.internal.pc.ReflectorServer;
import org.tgcalls4j.internal.pc.RelayServer;
import org.tgcalls4j.internal.pc.RemoteDescription;
import org.tgcalls4j.internal.pc.TransportSettings;
import org.tgcalls4j.internal.pc.TurnServer;

/**
 * One private (1-on-1) call (p2p-call.md): tgcalls V2 signaling (versions 8.0.0/9.0.0, §3.4,
 * §4) through the application's {@code phone.sendSignalingData}, a {@link PeerTransport} in the
 * caller's ICE-controlling / DTLS-client or the callee's controlled / server role (§5), our audio
 * track and the peer's.
 *
 * <p>Life cycle: NEW → CONNECTING (at {@link #connectAsync}: signaling starts; the transport is
 * built when the peer's InitialSetup arrives) → CONNECTED → FAILED or CLOSED. A private call is
 * not rejoined: a lost connection fails it. Blobs received before {@code connect} are kept (up to
 * {@link #MAX_EARLY_BLOBS}) and applied at connect (p2p-call.md §3.6).
 *
 * <p>Threads: public methods may be called from any thread. Signaling state is guarded by one
 * lock; outgoing blobs go to {@code signalingOut} in order (the client posts them to its
 * dispatcher). Resends run on the client's control executor via a delayed task.
 */
public final class PrivateCallSession implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PrivateCallSession.class);
  /** Blobs kept while the call is not connecting yet. */
  static final int MAX_EARLY_BLOBS = 256;

  private enum Phase { NEW, CONNECTING, CONNECTED, TERMINAL }

  private final long userId;
  private final SessionConfig config;
  private final SessionEvents events;
  private final Consumer<byte[]> signalingOut;
  private final long connectTimeoutMillis;
  private final int audioSsrc;
  private final SourceSlot sources = new SourceSlot();
  private final Map<String, String> logContext;
  private final ThreadFactory threads;
  /** The client's event loop this call is pinned to: its sockets, timers and audio pacing. */
  private final IoEventLoop loop;
  private final Executor control;
  private final Executor timers;
  private final String name;
  private final IceCredentials localCredentials;
  private final Object lock = new Object();
  private final CompletableFuture<Void> connected = new CompletableFuture<>();
  private final IncomingAudio incoming; // null unless the client has an incoming-audio listener

  // guarded by lock
  private Phase phase = Phase.NEW;
  private ConnectionState terminalState;
  private final ArrayDeque<byte[]> earlyBlobs = new ArrayDeque<>();
  private SignalingChannel channel;
  private P2pSignalingSession signaling;
  private boolean caller;
  private String version;
  private List<InetSocketAddress> stunServers = List.of();
  private List<RelayServer> relayServers = List.of();
  private boolean relayOnly;
  private PeerTransport transport;
  private AudioSender sender;
  private long pollAtMillis = Long.MAX_VALUE;
  private long blobsReceived;
  private long messagesFailed;
  private final CallCounters counters = new CallCounters();
  private volatile long connectStartNanos;

  /**
   * Creates the call's ICE credentials and audio SSRC; nothing is sent or bound yet.
   *
   * @param userId the other party, used in logs and thread names
   * @param config client-wide settings
   * @param events receives state changes and stream ends
   * @param signalingOut receives each outgoing signaling blob, in order, under the session lock;
   *     must only queue it (the client posts it to its dispatcher)
   * @param connectTimeoutMillis how long a call may take from connect to media, ms
   */
  public PrivateCallSession(long userId, SessionConfig config, SessionEvents events,
      Consumer<byte[]> signalingOut, long connectTimeoutMillis) {
    this.userId = userId;
    this.config = config;
    this.events = events;
    this.signalingOut = signalingOut;
    this.connectTimeoutMillis = connectTimeoutMillis;
    this.logContext = LogContext.of(userId, CallKind.PRIVATE_CALL.name());
    this.threads = LogContext.threads(config.threads(), logContext);
    this.loop = config.loops().next();
    this.control = LogContext.executor(config.control(), logContext);
    // short, non-blocking tasks (resends, the connect timeout): not the control pool, whose
    // threads may all sit in DTLS handshakes
    this.timers = LogContext.executor(ForkJoinPool.commonPool(), logContext);
    this.name = "private call " + userId;
    this.localCredentials = IceCredentials.generate(config.random());
    int ssrc; // random 32-bit, as WebRTC's UniqueRandomIdGenerator (§5); 31 bits keep it positive
    do {
      ssrc = config.random().nextInt() & 0x7fffffff;
    } while (ssrc == 0);
    this.audioSsrc = ssrc;
    // p2p-call.md §4.2: Opus/48000/2 is what both sides offer
    this.incoming = config.audioIn() == null ? null : new IncomingAudio(name, 2,
        config.mixIncomingAudio(), events::onAudioFrame, config.audioIn(), logContext);
  }

  /** @return our audio SSRC, as offered to the peer */
  public int audioSsrc() {
    return audioSsrc;
  }

  /** @return the library version in use, or null before connect */
  public String version() {
    synchronized (lock) {
      return version;
    }
  }

  /**
   * Starts the call: signaling begins (our InitialSetup, and the caller's offer), blobs received
   * earlier are applied, and the transport connects once the peer's InitialSetup arrives.
   * Returns at once.
   *
   * @param params from the final {@code phoneCall}
   * @return completes once CONNECTED was reported; fails with {@link NotConnectedException}
   *     (timeout, stopped) or {@link TransportException}, after FAILED was reported
   * @throws InvalidParamsException if no offered version is implemented, the custom parameters are
   *     not a JSON object or ask for a mode we do not implement, peer-to-peer is not allowed and
   *     no usable relay is listed, or a reflector's peer tag is not 16 bytes
   * @throws ConnectionExistsException if connect was already called
   * @throws NotConnectedException if the call is closed or failed
   */
  public CompletableFuture<Void> connectAsync(PrivateCallParams params) throws TgCallsException {
    long startNanos = System.nanoTime();
    String chosen = PhoneCallProtocol.chooseVersion(params.libraryVersions());
    if (!params.libraryVersions().get(0).equals(chosen)) {
      // official apps use library_versions[0] (p2p-call.md §1.6); ntgcalls the best it supports
      log.warn("private call {}: the phoneCall lists {} first, which tgcalls4j does not implement;"
          + " using {}, which an official app on {} will not understand", userId,
          params.libraryVersions().get(0), chosen, params.libraryVersions().get(0));
    }
    checkCustomParameters(params.customParametersJson());
    List<InetSocketAddress> stun = stunServers(params.servers());
    List<RelayServer> relays = relayServers(params.servers());
    if (!params.p2pAllowed() && relays.isEmpty()) {
      throw new InvalidParamsException("connections", "the call is relay-only (p2p_allowed is"
          + " false) and lists no usable relay (a TURN server with credentials or a UDP reflector)");
    }
    List<byte[]> out = new ArrayList<>();
    synchronized (lock) {
      if (phase == Phase.TERMINAL) {
        throw new NotConnectedException(name + ": the call is already closed");
      }
      if (phase != Phase.NEW) {
        throw new ConnectionExistsException(userId);
      }
      caller = params.outgoing();
      version = chosen;
      stunServers = stun;
      relayServers = relays;
      relayOnly = !params.p2pAllowed();
      connectStartNanos = startNanos;
      channel = new SignalingChannel(params.key(), caller);
      signaling = new P2pSignalingSession(caller, new P2pSignalingSession.LocalSetup(
          localCredentials.ufrag(), localCredentials.pwd(), config.certificate().sha256Fingerprint()),
          audioSsrc, new java.util.Random(config.random().nextLong()));
      sender = new AudioSender(userId, audioSsrc, P2pSignalingSession.OPUS_PAYLOAD_TYPE, 0,
          sources, config, config.loops().wheel(loop), threads, events, output, this::fail,
            () -> connectStartNanos);
      phase = Phase.CONNECTING;
      events.onState(ConnectionState.CONNECTING, null);
      log.debug("{}: connecting as {} with version {}", name, caller ? "caller" : "callee", chosen);
      CompletableFuture.delayedExecutor(connectTimeoutMillis, TimeUnit.MILLISECONDS, timers)
          .execute(this::checkConnectTimeout);
      long now = nowMillis();
      for (String json : signaling.start()) {
        out.addAll(channel.send(json, now));
      }
      while (!earlyBlobs.isEmpty()) {
        receiveLocked(earlyBlobs.poll(), now, out);
      }
      schedulePollLocked();
      emitLocked(out);
    }
    return connected;
  }

  /**
   * Connects and blocks until media can flow.
   *
   * @param params from the final {@code phoneCall}
   * @throws TgCallsException as {@link #connectAsync}, or the failure that ended the call
   */
  public void connect(PrivateCallParams params) throws TgCallsException {
    ConnectWait.await(connectAsync(params), connectTimeoutMillis, name, this::fail);
  }

  /**
   * One blob from {@code updatePhoneCallSignalingData}. Bad blobs (wrong key, replays, garbage)
   * are counted and dropped.
   *
   * @param blob the blob; not kept
   */
  public void receiveSignalingData(byte[] blob) {
    List<byte[]> out = new ArrayList<>();
    synchronized (lock) {
      switch (phase) {
        case NEW:
          if (earlyBlobs.size() < MAX_EARLY_BLOBS && blob.length <= SignalingCrypto.MAX_PACKET) {
            earlyBlobs.add(blob.clone());
          }
          return;
        case TERMINAL:
          return;
        default:
          receiveLocked(blob, nowMillis(), out);
          schedulePollLocked();
          emitLocked(out);
      }
    }
  }

  /** Decrypts one blob and runs its messages through the signaling state machine; under lock. */
  private void receiveLocked(byte[] blob, long now, List<byte[]> out) {
    blobsReceived++;
    SignalingChannel.Received received = channel.receive(blob, now);
    out.addAll(received.replies());
    for (String json : received.messages()) {
      try {
        P2pSignalingSession.Output result = signaling.onMessage(json);
        for (String reply : result.toSend()) {
          out.addAll(channel.send(reply, now));
        }
        for (P2pSignalingSession.Event event : result.events()) {
          onSignalingEvent(event);
        }
      } catch (RuntimeException e) {
        // bad input from the other party (an answer that cannot fit a packet, ...): this
        // message is dropped, the call goes on
        messagesFailed++;
        log.debug("{}: a signaling message could not be handled: {}", name, e.toString());
      }
    }
  }

  private void onSignalingEvent(P2pSignalingSession.Event event) {
    if (event instanceof P2pSignalingSession.RemoteSetup setup) {
      if (transport != null) {
        log.info("{}: the peer sent a new InitialSetup (ICE restart); not supported, ignored", name);
        return;
      }
      startTransport(setup);
    } else if (event instanceof P2pSignalingSession.RemoteCandidate candidate) {
      if (transport != null) {
        transport.addRemoteCandidate(candidate.candidate());
      }
    } else if (event instanceof P2pSignalingSession.OutgoingAudioAccepted accepted) {
      log.debug("{}: the peer accepted our audio (payload type {})", name, accepted.payloadType());
    } else if (event instanceof P2pSignalingSession.IncomingAudio audio) {
      if (transport != null) {
        receive(transport, audio);
      } else {
        pendingIncoming.add(audio);
      }
    } else if (event instanceof P2pSignalingSession.RemoteMediaState state) {
      log.debug("{}: the peer's media state: {}", name, state.state());
    }
  }

  private final List<P2pSignalingSession.IncomingAudio> pendingIncoming = new ArrayList<>();

  /** Plugs a receive track in for the peer's accepted audio content; under lock. */
  private void receive(PeerTransport t, P2pSignalingSession.IncomingAudio audio) {
    if (incoming == null) {
      return; // nobody listens: the transport counts and drops the packets
    }
    org.tgcalls4j.internal.pc.MediaTrack track =
        incoming.trackFor((int) audio.ssrc(), audio.payloadType());
    if (track == null) {
      return; // closed, or too many streams
    }
    try {
      t.addTrack(track);
    } catch (IllegalArgumentException e) {
      log.info("{}: the other party's audio SSRC {} is ours too; its audio is dropped", name,
          audio.ssrc());
    }
  }

  /** Builds and connects the transport for the peer's InitialSetup; under lock. */
  private void startTransport(P2pSignalingSession.RemoteSetup setup) {
    // p2p-call.md §5: remote "active" -> we are the DTLS server, "passive" -> client, "actpass" ->
    // the caller is the client
    DtlsRole dtlsRole = switch (setup.setup()) {
      case "active" -> DtlsRole.SERVER;
      case "passive" -> DtlsRole.CLIENT;
      default -> caller ? DtlsRole.CLIENT : DtlsRole.SERVER;
    };
    long remainingMillis = Math.max(1, connectTimeoutMillis
        - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - connectStartNanos));
    long consentInterval = Math.max(1, Math.min(IceConfig.defaults().consentIntervalMillis(),
        config.consentTimeoutMillis() / 4));
    IceConfig ice = new IceConfig(remainingMillis, consentInterval, config.consentTimeoutMillis(),
        config.network().includeIpv6());
    InetAddress bind = BindAddresses.resolve(config.network());
    TransportSettings settings = new TransportSettings(
        caller ? IceRole.CONTROLLING : IceRole.CONTROLLED, dtlsRole, localCredentials,
        config.certificate(), bind, ice, remainingMillis, config.random().nextLong(),
        loop, config.control(), name, "the other party", logContext, true,
        config.network().includeLoopback(), stunServers, relayServers, relayOnly,
        null); // private calls always bind their own socket (trickled candidates, relays)
    PeerTransport created = new PeerTransport(settings, new PeerTransport.Listener() {
      @Override
      public void onDisconnected(TransportException cause) {
        fail(cause);
      }

      @Override
      public void onLocalCandidate(IceCandidate candidate) {
        sendLocalCandidate(candidate);
      }
    });
    created.addTrack(sender);
    transport = created;
    for (P2pSignalingSession.IncomingAudio audio : pendingIncoming) {
      receive(created, audio);
    }
    pendingIncoming.clear();
    IceCredentials remoteCredentials;
    try {
      remoteCredentials = new IceCredentials(setup.ufrag(), setup.pwd());
    } catch (IllegalArgumentException e) {
      transport = null;
      control.execute(() -> fail(new TransportException(TransportException.Stage.ICE,
          "the other party's InitialSetup carries unusable ICE credentials (ufrag of "
              + setup.ufrag().length() + " characters, pwd of " + setup.pwd().length()
              + " characters)", null)));
      return;
    }
    CompletableFuture<Void> ready;
    try {
      ready = created.connect(new RemoteDescription(remoteCredentials,
          List.of(), setup.fingerprintHash(), setup.fingerprint()));
    } catch (IllegalArgumentException e) {
      control.execute(() -> fail(new TransportException(TransportException.Stage.FINGERPRINT,
          "the other party's InitialSetup fingerprint is unusable: " + e.getMessage(), e)));
      return;
    }
    // off the I/O thread and out of our lock (a bind error completes it at once, under the lock):
    // what the application chains on the connect future must not run in either
    ready.whenCompleteAsync((ok, error) -> {
      if (error != null) {
        fail(ConnectWait.asTgCallsException(error));
        return;
      }
      synchronized (lock) {
        if (phase != Phase.CONNECTING || transport != created) {
          return;
        }
        phase = Phase.CONNECTED;
        if (incoming != null) {
          incoming.start(); // the client's audio-in thread starts with the first such call
        }
        events.onState(ConnectionState.CONNECTED, null);
      }
      sender.start();
      connected.complete(null);
    }, timers);
  }

  private void sendLocalCandidate(IceCandidate candidate) {
    List<byte[]> out = new ArrayList<>();
    synchronized (lock) {
      if (phase == Phase.TERMINAL || signaling == null) {
        return;
      }
      long now = nowMillis();
      for (String json : signaling.onLocalCandidate(candidate)) {
        out.addAll(channel.send(json, now));
      }
      schedulePollLocked();
      emitLocked(out);
    }
  }

  /** Arranges a {@link SignalingChannel#poll} at the channel's next deadline; under lock. */
  private void schedulePollLocked() {
    long at = channel.nextPollMillis();
    if (at == Long.MAX_VALUE || at >= pollAtMillis) {
      return;
    }
    pollAtMillis = at;
    long delay = Math.max(0, at - nowMillis());
    CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS, timers).execute(this::poll);
  }

  private void poll() {
    List<byte[]> out = new ArrayList<>();
    synchronized (lock) {
      pollAtMillis = Long.MAX_VALUE;
      if (phase == Phase.TERMINAL || channel == null) {
        return;
      }
      out.addAll(channel.poll(nowMillis()));
      schedulePollLocked();
      emitLocked(out);
    }
  }

  /**
   * Hands blobs to the application's listener path; under the lock, so blobs leave in the order
   * they were produced ({@code signalingOut} only queues them on the dispatcher).
   */
  private void emitLocked(List<byte[]> blobs) {
    for (byte[] blob : blobs) {
      signalingOut.accept(blob);
    }
  }

  private void checkConnectTimeout() {
    String detail;
    synchronized (lock) {
      if (phase != Phase.CONNECTING) {
        return;
      }
      detail = transport == null
          ? "the other party's InitialSetup never arrived (" + blobsReceived
              + " signaling blobs received, " + channel.droppedBlobs() + " of them dropped, "
              + (signaling.droppedMessages() + messagesFailed) + " messages unusable)"
          : "ICE and DTLS did not finish";
    }
    fail(new NotConnectedException(name + ": no connection within " + connectTimeoutMillis
        + " ms: " + detail));
  }

  /** Sends through the current transport; drops while there is none. */
  private final RtpOutput output = new RtpOutput() {
    @Override
    public boolean sendRtpInPlace(byte[] buffer, int offset, int length) {
      PeerTransport t = transport;
      return t != null && t.sendRtpInPlace(buffer, offset, length);
    }

    @Override
    public boolean sendRtcp(byte[] rtcp) {
      PeerTransport t = transport;
      return t != null && t.sendRtcp(rtcp);
    }
  };

  /**
   * Replaces what the call plays; may be called before connect.
   *
   * @param source the new source
   * @throws TgCallsException if the file is missing or ffmpeg cannot be started
   */
  public void setSource(MediaSource source) throws TgCallsException {
    sources.replaceWhenReady(OpusFrameSources.open(source, config.ffmpeg(),
        config.audioBitrateKbps(), 0, threads), source, SourceSlot.PREROLL_MAX_MILLIS);
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
   * Stops sending; the source keeps its position.
   *
   * @return whether the call was not paused before
   */
  public boolean pause() {
    return sources.setPaused(true);
  }

  /**
   * Continues after {@link #pause()}.
   *
   * @return whether the call was paused before
   */
  public boolean resume() {
    return sources.setPaused(false);
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

  /** @return media position within the current source, ms */
  public long positionMillis() {
    return sources.positionMillis();
  }

  /** @return the state now */
  public ConnectionState state() {
    synchronized (lock) {
      return switch (phase) {
        case NEW, CONNECTING -> ConnectionState.CONNECTING;
        case CONNECTED -> ConnectionState.CONNECTED;
        default -> terminalState;
      };
    }
  }

  /** @return the call's counters now */
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
    if (!enterTerminal(ConnectionState.FAILED)) {
      return;
    }
    log.debug("{}: failed: {}", name, cause.getMessage());
    teardown();
    events.onState(ConnectionState.FAILED, cause);
    connected.completeExceptionally(cause);
  }

  /** Stops sending, closes the transport, reports CLOSED once. */
  @Override
  public void close() {
    if (!enterTerminal(ConnectionState.CLOSED)) {
      return;
    }
    teardown();
    events.onState(ConnectionState.CLOSED, null);
    connected.completeExceptionally(
        new NotConnectedException(name + ": the call was stopped while connecting"));
  }

  private boolean enterTerminal(ConnectionState state) {
    synchronized (lock) {
      if (phase == Phase.TERMINAL) {
        return false;
      }
      phase = Phase.TERMINAL;
      terminalState = state;
      earlyBlobs.clear();
      return true;
    }
  }

  private void teardown() {
    AudioSender s;
    PeerTransport t;
    synchronized (lock) {
      s = sender;
      t = transport;
      counters.retire(t); // stats() keeps the final counters after FAILED/CLOSED
      transport = null;
    }
    sources.close();
    if (s != null) {
      s.close();
    }
    if (incoming != null) {
      incoming.close(); // stats() keeps its per-SSRC counters
    }
    if (t != null) {
      t.close();
    }
  }

  private long nowMillis() {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime());
  }

  /** Custom parameters we cannot honour make the call fail up front (p2p-call.md §9 q6). */
  private void checkCustomParameters(String json) throws InvalidParamsException {
    if (json == null || json.isBlank()) {
      return;
    }
    JsonCodec.JsonObjectView root;
    try {
      root = JsonCodec.parseObject(json);
    } catch (InvalidParamsException e) {
      throw new InvalidParamsException("custom_parameters", e.getMessage(), e);
    }
    log.info("{}: custom parameters {}", name, root.keys());
    // p2p-call.md §3.1, §5: these switch signaling or media to modes tgcalls4j lacks
    for (String unsupported : List.of("network_use_mtproto", "network_kcp_experiment")) {
      if (root.kind(unsupported) == JsonCodec.Kind.BOOLEAN && root.optBoolean(unsupported, false)) {
        throw new InvalidParamsException("custom_parameters." + unsupported,
            "not implemented (" + (unsupported.equals("network_use_mtproto")
                ? "MTProto-framed media instead of DTLS-SRTP" : "KCP signaling") + ")");
      }
    }
  }

  /**
   * The relays: TURN servers with credentials (p2p-call.md §2.3) and UDP reflectors (§2.2, §2.4),
   * IPv4 (and IPv6 when enabled). A reflector's id is the 1-based index of its {@code id} among
   * every reflector {@code id} of the call, sorted as signed 64-bit numbers, as both apps derive it.
   */
  private List<RelayServer> relayServers(List<RtcServer> servers) throws InvalidParamsException {
    long[] reflectorIds = servers.stream().filter(s -> s.kind() == RtcServer.Kind.REFLECTOR)
        .mapToLong(RtcServer::id).distinct().sorted().toArray();
    List<RelayServer> result = new ArrayList<>();
    for (RtcServer server : servers) {
      List<InetSocketAddress> addresses = new ArrayList<>(2);
      if (server.kind() == RtcServer.Kind.STUN) {
        continue;
      }
      if (server.kind() == RtcServer.Kind.TURN
          && (server.username().isEmpty() || server.password().isEmpty())) {
        log.info("{}: {} skipped: a TURN server without credentials", name, server);
        continue;
      }
      int reflectorId = Arrays.binarySearch(reflectorIds, server.id()) + 1;
      if (server.kind() == RtcServer.Kind.REFLECTOR) {
        if (server.tcp()) {
          log.info("{}: {} skipped: TCP reflectors are not implemented (tgcalls of 2024 skipped"
              + " them too)", name, server);
          continue;
        }
        if (reflectorId > ReflectorAddress.MAX_ID) {
          log.info("{}: {} skipped: reflector ids stop at {} (tgcalls keeps them in one byte)",
              name, server, ReflectorAddress.MAX_ID);
          continue;
        }
        if (server.peerTag().length != ReflectorClient.PEER_TAG_BYTES) {
          throw new InvalidParamsException("connections[id=" + server.id() + "].peer_tag",
              "must be " + ReflectorClient.PEER_TAG_BYTES + " bytes, got " + server.peerTag().length);
        }
      }
      if (!server.ipv4().isEmpty()) {
        addresses.add(literal(server.ipv4(), server.port(), server.id()));
      }
      if (!server.ipv6().isEmpty() && config.network().includeIpv6()) {
        addresses.add(literal(server.ipv6(), server.port(), server.id()));
      }
      for (InetSocketAddress address : addresses) {
        result.add(server.kind() == RtcServer.Kind.TURN
            ? new TurnServer(address, server.username(), server.password())
            : new ReflectorServer(address, reflectorId, server.peerTag()));
      }
    }
    return result;
  }

  private static InetSocketAddress literal(String ip, int port, long id)
      throws InvalidParamsException {
    InetAddress address = IpLiterals.parse(ip);
    if (address == null) {
      throw new InvalidParamsException("connections[id=" + id + "].ip",
          "not an IP address literal: " + JsonCodec.shortQuote(ip));
    }
    return new InetSocketAddress(address, port);
  }

  /** STUN servers become server-reflexive gathering (RFC 8445 §5.1.1.2). */
  private List<InetSocketAddress> stunServers(List<RtcServer> servers)
      throws InvalidParamsException {
    List<InetSocketAddress> result = new ArrayList<>();
    for (RtcServer server : servers) {
      if (server.kind() != RtcServer.Kind.STUN) {
        continue;
      }
      if (!server.ipv4().isEmpty()) {
        result.add(literal(server.ipv4(), server.port(), server.id()));
      }
      if (!server.ipv6().isEmpty() && config.network().includeIpv6()) {
        result.add(literal(server.ipv6(), server.port(), server.id()));
      }
    }
    return result;
  }
}
