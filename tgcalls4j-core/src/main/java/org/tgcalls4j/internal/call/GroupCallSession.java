package org.tgcalls4j.internal.call;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tgcalls4j.CallStats;
import org.tgcalls4j.ConnectionExistsException;
import org.tgcalls4j.ConnectionState;
import org.tgcalls4j.DtlsSetup;
import org.tgcalls4j.InvalidParamsException;
import org.tgcalls4j.MediaSource;
import org.tgcalls4j.NotConnectedException;
import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.TransportException;
import org.tgcalls4j.internal.dtls.DtlsCertificate;
import org.tgcalls4j.internal.dtls.DtlsEndpoint;
import org.tgcalls4j.internal.dtls.DtlsException;
import org.tgcalls4j.internal.dtls.DtlsRole;
import org.tgcalls4j.internal.dtls.DtlsSrtpKeys;
import org.tgcalls4j.internal.ice.HostCandidates;
import org.tgcalls4j.internal.ice.IceAgent;
import org.tgcalls4j.internal.ice.IceCandidate;
import org.tgcalls4j.internal.ice.IceConfig;
import org.tgcalls4j.internal.ice.IceCredentials;
import org.tgcalls4j.internal.ice.IceRole;
import org.tgcalls4j.internal.ice.IceState;
import org.tgcalls4j.internal.ice.LocalCandidate;
import org.tgcalls4j.internal.signaling.AnswerCandidate;
import org.tgcalls4j.internal.signaling.Fingerprint;
import org.tgcalls4j.internal.signaling.GroupCallAnswer;
import org.tgcalls4j.internal.signaling.GroupCallSignaling;
import org.tgcalls4j.internal.signaling.HeaderExtension;
import org.tgcalls4j.internal.signaling.JoinPayload;
import org.tgcalls4j.internal.signaling.PayloadType;
import org.tgcalls4j.internal.srtp.SrtpContext;
import org.tgcalls4j.internal.srtp.SrtpResult;
import org.tgcalls4j.internal.srtp.SrtpStatus;
import org.tgcalls4j.internal.transport.UdpTransport;

/**
 * One group-call connection: the join JSON, then ICE (controlled), DTLS, SRTP and an Opus sender
 * over a single UDP socket (group-call.md §1, §4, §5.1).
 *
 * <p>Threads: the socket's I/O thread owns the ICE agent and the receiving SRTP context; the
 * thread calling {@link #connect} runs the DTLS handshake; a sender thread started on success owns
 * the packetizer and the sending SRTP context. Public methods may be called from any thread.
 */
public final class GroupCallSession implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GroupCallSession.class);
  private static final String AUDIO_LEVEL_URI = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
  private static final Pattern IP_LITERAL = Pattern.compile("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

  private final long chatId;
  private final SessionConfig config;
  private final SessionEvents events;
  private final IceCredentials localCredentials;
  private final DtlsCertificate certificate;
  private final int audioSsrc;
  private final Object stateLock = new Object();
  private final AtomicLong droppedIncoming = new AtomicLong();
  private final AtomicBoolean failScheduled = new AtomicBoolean();
  private final AtomicLong packetsReceived = new AtomicLong();
  private final AtomicLong rtcpReceived = new AtomicLong();
  private final CompletableFuture<InetSocketAddress> iceConnected = new CompletableFuture<>();
  private final SourceSlot sources = new SourceSlot();

  // guarded by stateLock
  private boolean connectStarted;
  private boolean terminal;
  private volatile UdpTransport transport; // read without the lock by sendMedia
  private DtlsEndpoint dtls;
  private AudioSender sender;

  // I/O thread only
  private IceAgent ice;
  private volatile InetSocketAddress selectedRemote;
  private volatile SrtpContext receiveContext;
  private volatile RemoteReport remoteReport = RemoteReport.NONE;

  /**
   * Creates the call's credentials, certificate and audio SSRC; nothing is bound yet.
   *
   * @param chatId the chat, used in logs and thread names
   * @param config client-wide settings
   * @param events receives state changes and stream ends
   */
  public GroupCallSession(long chatId, SessionConfig config, SessionEvents events) {
    this.chatId = chatId;
    this.config = config;
    this.events = events;
    this.localCredentials = IceCredentials.generate(config.random());
    this.certificate = DtlsCertificate.generate();
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

  /** @return the {@code params} JSON for {@code phone.joinGroupCall} (group-call.md §2) */
  public String joinJson() {
    String setup = config.dtlsSetup() == DtlsSetup.PASSIVE ? "passive" : "active";
    return GroupCallSignaling.encodeJoin(new JoinPayload(localCredentials.ufrag(),
        localCredentials.pwd(), "sha-256", certificate.sha256Fingerprint(), setup, audioSsrc,
        List.of()));
  }

  /**
   * Connects to the SFU described by its answer and blocks until media can flow. The answer is
   * validated before anything changes, so a malformed answer leaves the call ready for another
   * {@code connect}.
   *
   * @param answerJson {@code updateGroupCallConnection.params} (group-call.md §3)
   * @throws InvalidParamsException if the answer is malformed, stream-mode, or lacks Opus or a
   *     usable candidate; names the field
   * @throws ConnectionExistsException if connect was already called on this call
   * @throws NotConnectedException if ICE or DTLS did not finish within the connect timeout
   * @throws TransportException if ICE failed, the DTLS handshake failed or the SFU's certificate
   *     did not match its fingerprint; the call is then failed and closed
   */
  public void connect(String answerJson) throws TgCallsException {
    long startNanos = System.nanoTime();
    GroupCallAnswer answer = GroupCallSignaling.decodeAnswer(answerJson);
    if (answer.stream() || answer.transport() == null) {
      throw new InvalidParamsException(answer.rtmp() ? "rtmp" : "stream",
          "the SFU answered in stream mode; this participant cannot send media now");
    }
    if (answer.audio() == null) {
      throw new InvalidParamsException("audio", "missing");
    }
    PayloadType opus = answer.audio().payloadTypes().stream()
        .filter(p -> p.name().equalsIgnoreCase("opus")).findFirst()
        .orElseThrow(() -> new InvalidParamsException("audio.payload-types", "no opus payload type"));
    // RFC 8285 §4.2: the one-byte form we send carries ids 1..14; otherwise send no level
    int levelExtensionId = answer.audio().headerExtensions().stream()
        .filter(e -> e.uri().equals(AUDIO_LEVEL_URI)).mapToInt(HeaderExtension::id)
        .filter(id -> id >= 1 && id <= 14)
        .findFirst().orElse(0);
    List<IceCandidate> candidates = usableCandidates(answer.transport().candidates());
    Fingerprint fingerprint = answer.transport().fingerprints().get(0);
    IceCredentials remoteCredentials =
        new IceCredentials(answer.transport().ufrag(), answer.transport().pwd());

    DtlsRole role = config.dtlsSetup() == DtlsSetup.PASSIVE ? DtlsRole.SERVER : DtlsRole.CLIENT;
    DtlsEndpoint endpoint;
    try {
      endpoint = new DtlsEndpoint(role, certificate, fingerprint.hash(), fingerprint.fingerprint(),
          this::sendMedia);
    } catch (IllegalArgumentException e) {
      throw new InvalidParamsException("transport.fingerprints[0]", e.getMessage(), e);
    }
    synchronized (stateLock) {
      if (terminal || connectStarted) {
        endpoint.close();
        if (terminal) {
          throw new NotConnectedException("call for chat " + chatId + " is already closed");
        }
        throw new ConnectionExistsException(chatId);
      }
      connectStarted = true;
      dtls = endpoint;
      events.onState(ConnectionState.CONNECTING, null); // under the lock: before any FAILED/CLOSED
    }
    try {
      connectTransport(candidates, remoteCredentials, endpoint, fingerprint, opus.id(),
          levelExtensionId, startNanos);
    } catch (TgCallsException e) {
      fail(e);
      throw e;
    } catch (RuntimeException e) {
      TransportException failure = new TransportException(TransportException.Stage.INTERNAL,
          "unexpected error while connecting: " + e, e);
      fail(failure);
      throw failure;
    }
  }

  private void connectTransport(List<IceCandidate> candidates, IceCredentials remote,
      DtlsEndpoint endpoint, Fingerprint fingerprint, int payloadType, int levelExtensionId,
      long startNanos) throws TgCallsException {
    long deadline = startNanos + TimeUnit.MILLISECONDS.toNanos(config.connectTimeoutMillis());
    InetAddress bindAddress = BindAddresses.resolve(config.network());
    UdpTransport udp;
    try {
      udp = UdpTransport.bind(new InetSocketAddress(bindAddress, 0), config.threads(),
          "tgcalls4j-io-" + chatId);
    } catch (IOException e) {
      throw new TransportException(TransportException.Stage.SOCKET,
          "cannot bind UDP socket on " + bindAddress.getHostAddress() + ": " + e.getMessage(), e);
    }
    synchronized (stateLock) {
      if (terminal) {
        udp.close();
        throw new NotConnectedException("call for chat " + chatId + " was stopped while connecting");
      }
      transport = udp;
    }
    IceConfig iceConfig = new IceConfig(config.connectTimeoutMillis(),
        IceConfig.defaults().consentIntervalMillis(), IceConfig.defaults().consentTimeoutMillis(),
        config.network().includeIpv6());
    long tieBreaker = config.random().nextLong();
    udp.start(new IoHandler(udp, endpoint));
    udp.execute(() -> {
      long nowNanos = System.nanoTime();
      ice = new IceAgent(iceConfig, IceRole.CONTROLLED, localCredentials, remote, tieBreaker,
          new IceOutput(udp));
      ice.addLocalCandidate(new LocalCandidate(0,
          HostCandidates.host(udp.localAddress(), HostCandidates.MAX_LOCAL_PREFERENCE)));
      for (IceCandidate c : candidates) {
        ice.addRemoteCandidate(c, nowNanos);
      }
      ice.start(nowNanos);
    });

    try {
      iceConnected.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new NotConnectedException("ICE did not connect within "
          + config.connectTimeoutMillis() + " ms (no nominated pair)");
    } catch (ExecutionException e) {
      synchronized (stateLock) {
        if (terminal) {
          throw new NotConnectedException("call for chat " + chatId + " was stopped while connecting");
        }
      }
      throw new TransportException(TransportException.Stage.ICE,
          "ICE failed: no candidate pair succeeded", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NotConnectedException("interrupted while waiting for ICE");
    }
    DtlsSrtpKeys keys;
    try {
      keys = endpoint.handshake(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
    } catch (DtlsException e) {
      switch (e.reason()) {
        case FINGERPRINT_MISMATCH:
          throw new TransportException(TransportException.Stage.FINGERPRINT,
              "the SFU's DTLS certificate does not match the answer's " + fingerprint.hash()
                  + " fingerprint " + fingerprint.fingerprint(), e);
        case TIMEOUT:
          throw new NotConnectedException("DTLS handshake did not finish within "
              + config.connectTimeoutMillis() + " ms of connect");
        default:
          throw new TransportException(TransportException.Stage.DTLS,
              "DTLS handshake failed: " + e.getMessage(), e);
      }
    }
    receiveContext = new SrtpContext(keys.profile(), keys.remoteMasterKey(), keys.remoteMasterSalt());
    SrtpContext sendContext =
        new SrtpContext(keys.profile(), keys.localMasterKey(), keys.localMasterSalt());
    AudioSender audio = new AudioSender(chatId, audioSsrc, payloadType, levelExtensionId,
        sendContext, sources, config, events, this::sendMedia, this::fail, startNanos);
    synchronized (stateLock) {
      if (terminal) {
        throw new NotConnectedException("call for chat " + chatId + " was stopped while connecting");
      }
      sender = audio;
      events.onState(ConnectionState.CONNECTED, null); // under the lock: before any FAILED/CLOSED
    }
    log.debug("chat {}: connected via {} with {}", chatId, selectedRemote, keys.profile());
    audio.start();
  }

  /** Sends DTLS records and SRTP packets on the selected pair; drops them before ICE selected one. */
  private void sendMedia(byte[] packet) {
    InetSocketAddress to = selectedRemote;
    UdpTransport udp = transport;
    if (to != null && udp != null) {
      udp.send(to, packet, 0, packet.length);
    }
  }

  private List<IceCandidate> usableCandidates(List<AnswerCandidate> answerCandidates)
      throws InvalidParamsException {
    List<IceCandidate> result = new ArrayList<>();
    for (int i = 0; i < answerCandidates.size(); i++) {
      AnswerCandidate c = answerCandidates.get(i);
      if (!c.protocol().toLowerCase(Locale.ROOT).equals("udp") || c.component() != 1) {
        continue;
      }
      if (!IP_LITERAL.matcher(c.ip()).matches()) {
        throw new InvalidParamsException("transport.candidates[" + i + "].ip",
            "not an IP address literal: \"" + c.ip() + "\"");
      }
      InetAddress address;
      try {
        address = InetAddress.getByName(c.ip()); // a literal: no DNS lookup
      } catch (IOException e) {
        throw new InvalidParamsException("transport.candidates[" + i + "].ip",
            "not an IP address: \"" + c.ip() + "\"", e);
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

  /**
   * Replaces what the call plays. The source is opened on the calling thread; the previous source
   * is closed without a stream-end event. May be called before {@code connect} finishes.
   *
   * @param source the new source
   * @throws TgCallsException if the file is missing or ffmpeg cannot be started
   */
  public void setSource(MediaSource source) throws TgCallsException {
    OpusFrameSource frames = OpusFrameSources.open(source, config.ffmpeg(),
        config.audioBitrateKbps(), 0, config.threads());
    sources.replace(frames);
  }

  /** Stops sending frames; the source is held where it is (ffmpeg blocks on its full pipe). */
  public void pause() {
    sources.setPaused(true);
  }

  /** Continues sending after {@link #pause()} from the paused position. */
  public void resume() {
    sources.setPaused(false);
  }

  /** @return media position within the current source, ms */
  public long positionMillis() {
    return sources.positionMillis();
  }

  /** @return the call's counters now */
  public CallStats stats() {
    AudioSender s;
    synchronized (stateLock) {
      s = sender;
    }
    UdpTransport t = transport;
    return new CallStats(s == null ? 0 : s.packetsSent(),
        s == null ? 0 : s.payloadBytesSent(), s == null ? 0 : s.rtcpSent(), packetsReceived.get(),
        rtcpReceived.get(), droppedIncoming.get() + (t == null ? 0 : t.handlerFailures()),
        s == null ? -1 : s.connectToFirstPacketMillis(),
        s == null ? 0 : s.totalMediaMillis(), remoteReport.fractionLost(),
        remoteReport.jitterMillis());
  }

  private void fail(TgCallsException cause) {
    synchronized (stateLock) {
      if (terminal) {
        return;
      }
      terminal = true;
    }
    log.debug("chat {}: failed: {}", chatId, cause.getMessage());
    teardown();
    events.onState(ConnectionState.FAILED, cause);
  }

  /** Fails the call from the I/O thread, which {@link #teardown()} must not run on (it joins it). */
  private void failLater(TgCallsException cause) {
    if (!failScheduled.compareAndSet(false, true)) {
      return;
    }
    Thread t = config.threads().newThread(() -> fail(cause));
    t.setName("tgcalls4j-fail-" + chatId);
    t.setDaemon(true);
    t.start();
  }

  /** Stops sending, kills ffmpeg, closes DTLS and the socket; reports CLOSED once. */
  @Override
  public void close() {
    synchronized (stateLock) {
      if (terminal) {
        return;
      }
      terminal = true;
    }
    teardown();
    events.onState(ConnectionState.CLOSED, null);
  }

  private void teardown() {
    AudioSender s;
    DtlsEndpoint d;
    UdpTransport t;
    synchronized (stateLock) {
      s = sender;
      d = dtls;
      t = transport;
    }
    sources.close();
    if (s != null) {
      s.close();
    }
    if (d != null) {
      d.close();
    }
    if (t != null) {
      t.close();
    }
    iceConnected.completeExceptionally(new IllegalStateException("closed"));
  }

  /** Demultiplexes the socket by first byte (RFC 7983 §7) and runs ICE timers. */
  private final class IoHandler implements UdpTransport.Handler {
    private final UdpTransport udp;
    private final DtlsEndpoint endpoint;

    IoHandler(UdpTransport udp, DtlsEndpoint endpoint) {
      this.udp = udp;
      this.endpoint = endpoint;
    }

    @Override
    public void onDatagram(byte[] data, int length, InetSocketAddress from, long nowNanos) {
      int first = data[0] & 0xff;
      if (length == 0) {
        droppedIncoming.incrementAndGet();
      } else if (first <= 3) {
        if (ice != null) {
          ice.handleStun(0, data, 0, length, from, nowNanos);
        }
      } else if (!fromSelectedPair(from)) {
        droppedIncoming.incrementAndGet(); // DTLS and SRTP only from the pair ICE selected
      } else if (first >= 20 && first <= 63) {
        endpoint.receive(data, 0, length);
        if (receiveContext != null && endpoint.isClosed()) {
          failLater(new TransportException(TransportException.Stage.DTLS,
              "the SFU closed the DTLS session", null));
        }
      } else if (first >= 128 && first <= 191 && length >= 2) {
        receiveSrtp(data, length);
      } else {
        droppedIncoming.incrementAndGet();
      }
    }

    /** Before ICE selects a pair, DTLS may already arrive (it is queued); after, only from it. */
    private boolean fromSelectedPair(InetSocketAddress from) {
      InetSocketAddress selected = selectedRemote;
      return selected == null || selected.equals(from);
    }

    @Override
    public void onFailure(Exception cause) {
      failLater(new TransportException(TransportException.Stage.SOCKET,
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
      return agent.nextTimeoutNanos();
    }
  }

  private void receiveSrtp(byte[] data, int length) {
    SrtpContext context = receiveContext;
    if (context == null) {
      droppedIncoming.incrementAndGet();
      return;
    }
    int payloadType = data[1] & 0xff;
    boolean rtcp = payloadType >= 192 && payloadType <= 223; // RFC 5761 §4
    SrtpResult result = rtcp ? context.unprotectRtcp(data, 0, length)
        : context.unprotectRtp(data, 0, length);
    if (result.status() != SrtpStatus.OK) {
      droppedIncoming.incrementAndGet();
      return;
    }
    if (rtcp) {
      rtcpReceived.incrementAndGet();
      RemoteReport report = RemoteReport.find(result.data(), audioSsrc);
      if (report != null) {
        remoteReport = report;
      }
    } else {
      packetsReceived.incrementAndGet();
    }
  }

  /** Feeds ICE output to the socket; runs on the I/O thread. */
  private final class IceOutput implements IceAgent.Output {
    private final UdpTransport udp;

    IceOutput(UdpTransport udp) {
      this.udp = udp;
    }

    @Override
    public void sendDatagram(int portId, InetSocketAddress to, byte[] data, int offset, int length) {
      udp.send(to, data, offset, length);
    }

    @Override
    public void onStateChange(IceState state) {
      if (state == IceState.FAILED) {
        if (!iceConnected.isDone()) {
          iceConnected.completeExceptionally(new IllegalStateException("ICE failed"));
        } else {
          // RFC 7675 §5.1: consent expired; the transport may no longer be used
          failLater(new TransportException(TransportException.Stage.ICE,
              "ICE consent lost: the SFU stopped answering", null));
        }
      }
    }

    @Override
    public void onSelectedPair(int portId, InetSocketAddress remote) {
      selectedRemote = remote;
      iceConnected.complete(remote);
    }
  }
}
