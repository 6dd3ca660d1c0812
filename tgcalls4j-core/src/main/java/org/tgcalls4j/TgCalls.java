package org.tgcalls4j;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.tgcalls4j.internal.audio.AudioReceiveScheduler;
import org.tgcalls4j.internal.call.BindAddresses;
import org.tgcalls4j.internal.call.EventDispatcher;
import org.tgcalls4j.internal.call.GroupCallSession;
import org.tgcalls4j.internal.call.PrivateCallSession;
import org.tgcalls4j.internal.call.SessionConfig;
import org.tgcalls4j.internal.call.SessionEvents;
import org.tgcalls4j.internal.call.SharedFrameHub;
import org.tgcalls4j.internal.dtls.DtlsCertificate;
import org.tgcalls4j.internal.dtls.DtlsHandshakePool;
import org.tgcalls4j.internal.ffmpeg.FfmpegProcess;
import org.tgcalls4j.internal.ffmpeg.FlvEncoding;
import org.tgcalls4j.internal.logging.LogContext;
import org.tgcalls4j.internal.pacing.Pacer;
import org.tgcalls4j.internal.pacing.PacingOverload;
import org.tgcalls4j.internal.pc.TransportWarmup;
import org.tgcalls4j.internal.transport.EventLoops;
import org.tgcalls4j.internal.transport.SharedUdpPort;
import org.tgcalls4j.internal.rtmp.RtmpOptions;
import org.tgcalls4j.internal.rtmp.RtmpUrl;
import org.tgcalls4j.internal.rtmpcall.RtmpCall;

/**
 * A tgcalls4j client: any number of calls, each a {@link GroupCall} (a chat's voice chat, and
 * beside it the chat's {@link CallKind#PRESENTATION presentation}) or an {@link RtmpStream}. The
 * application drives MTProto itself and passes JSON strings through.
 *
 * <pre>{@code
 * try (TgCalls calls = TgCalls.builder().build()) {
 *   GroupCall call = calls.createGroupCall(chatId);
 *   call.connect(joinViaYourMtproto(call.joinJson()));  // phone.joinGroupCall -> updateGroupCallConnection
 *   call.setSource(MediaSource.file(Path.of("song.mp3")));
 *   ...
 *   call.stop();                                        // then phone.leaveGroupCall(source = call.audioSsrc())
 * }
 * }</pre>
 *
 * <p>The chat-id methods ({@link #createCall}, {@link #connect}, {@link #setStreamSources},
 * {@link #pause}, ...) are shortcuts to the chat's main call, shaped like ntgcalls.
 *
 * <p>Thread-safe: methods may be called from any thread. Listeners run on one dispatcher thread
 * owned by the client ({@code tgcalls4j-events}), in order; calling back into the client from a
 * listener is allowed (for example {@code stop} from a stream end), and a listener that throws is
 * logged without affecting later events. A listener that blocks holds up the events behind it:
 * beyond 4,096 waiting listener calls the oldest is dropped and a warning logged (the client's own
 * bookkeeping, such as removing a finished stream, is never dropped). The
 * {@link IncomingAudioListener} is the exception: it runs on the client's audio-in thread. All calls
 * share one DTLS certificate (made at {@link Builder#build()}) and one small pool of threads for
 * DTLS handshakes and lifecycle work. The first build in a JVM also starts a short background
 * warm-up (an in-memory DTLS handshake, on threads named {@code tgcalls4j-warmup*}) so that the
 * first connect does not pay for loading the transport code.
 */
public final class TgCalls implements AutoCloseable {
  private final Builder settings;
  private final SessionConfig sessionConfig;
  private final EventDispatcher dispatcher;
  private final ExecutorService control;
  /** The event loops every call of this client shares. */
  private final EventLoops loops;
  /** Decodes and delivers received audio for every call; null without a listener. */
  private final AudioReceiveScheduler audioIn;
  /** A chat's main call: a group call or an RTMP stream. */
  private final ConcurrentHashMap<Long, Call> mainCalls = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Long, GroupCall> presentations = new ConcurrentHashMap<>();
  /** Private calls by the other party's user id. */
  private final ConcurrentHashMap<Long, PrivateCall> privateCalls = new ConcurrentHashMap<>();
  /** Stations opened by {@link #share} and not closed yet. */
  private final java.util.Set<SharedFrameHub> shared = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private TgCalls(Builder b) {
    this.settings = b.copy();
    ThreadFactory threads = b.threadFactory;
    this.dispatcher = new EventDispatcher(threads);
    AtomicInteger controlCount = new AtomicInteger();
    this.control = DtlsHandshakePool.create(r -> {
      Thread t = threads.newThread(r);
      t.setName("tgcalls4j-control-" + controlCount.incrementAndGet());
      t.setDaemon(true);
      return t;
    }, b.handshakeThreads); // idle threads end after 30 s
    this.audioIn = b.incomingAudioListener == null ? null : new AudioReceiveScheduler(threads);
    this.loops = EventLoops.start(b.eventLoopThreads, threads, b.nativeTransport);
    this.sessionConfig = new SessionConfig(b.ffmpegPath, b.networkOptions,
        b.connectTimeout.toMillis(), threads, loops, b.dtlsSetup, b.audioBitrateKbps, new SecureRandom(),
        System::currentTimeMillis, DtlsCertificate.generate(), control, b.rejoinWindow.toMillis(),
        b.consentTimeout.toMillis(), audioIn, b.mixIncomingAudio,
        b.sharedUdpPort < 0 ? null : new SharedUdpPort(new InetSocketAddress(
            BindAddresses.resolve(b.networkOptions), b.sharedUdpPort), loops.next()),
        new PacingOverload(b.pacingLatenessLimit.toNanos()));
    // the first connect of a process would otherwise spend ~180 ms loading ICE, DTLS and SRTP code
    TransportWarmup.startOnce(threads, loops.next(), sessionConfig.certificate());
  }

  /** @return a builder with the defaults described on each of its methods */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Prepares a group call for a chat: ICE credentials and an audio SSRC (the DTLS certificate is
   * the client's).
   *
   * @param chatId the chat (any id the application uses to name calls)
   * @return the call; {@link GroupCall#joinJson()} gives the {@code params} for
   *     {@code phone.joinGroupCall}
   * @throws ConnectionExistsException if the chat already has a group call or RTMP stream
   * @throws ClientClosedException if the client was closed
   */
  public GroupCall createGroupCall(long chatId) throws TgCallsException {
    checkOpen();
    GroupCall call = newGroupCall(chatId, CallKind.GROUP_CALL);
    register(mainCalls, chatId, call);
    return call;
  }

  /**
   * Opens a source once to play it live into many calls: one ffmpeg process (or one file reader,
   * one encoder) serves every call given the returned {@link SharedSource}, each call with its own
   * SSRC, sequence numbers, RTP timestamps and SRTP context. The source is opened on the calling
   * thread and starts playing (in real time, into the calls that have it) when this returns; a call
   * given it later hears it from the live position. See {@link SharedSource} for what pause, seek,
   * stop and the source's end mean for a shared source.
   *
   * <p>Ownership: the station belongs to the client. It closes when its last call leaves (after
   * at least one joined), on {@link SharedSource#close()}, or on {@link #close()} of the client.
   *
   * <pre>{@code
   * SharedSource station = calls.share(MediaSource.url("https://radio.example/live.m3u8"));
   * callA.setSource(station);
   * callB.setSource(station);  // same ffmpeg process
   * }</pre>
   *
   * @param source a file, URL, PCM or mix source (transcoded or encoded at the client's
   *     {@link Builder#audioBitrateKbps audio bitrate}); not itself a shared source
   * @return the station, playing
   * @throws InvalidParamsException (field {@code source.path}) if a local file is missing,
   *     unreadable or a directory; (field {@code source}) if source is a {@link SharedSource} or a
   *     {@link PcmPushSource} already playing elsewhere
   * @throws FfmpegSpawnException if ffmpeg cannot be started
   * @throws ClientClosedException if the client was closed
   * @throws NullPointerException if source is null
   */
  public SharedSource share(MediaSource source) throws TgCallsException {
    Objects.requireNonNull(source, "source");
    checkOpen();
    if (source instanceof SharedSource) {
      throw new InvalidParamsException("source", "already a shared source; give it to the calls");
    }
    SharedFrameHub hub = SharedFrameHub.open(source, settings.ffmpegPath, settings.audioBitrateKbps,
        settings.pacingLatenessLimit.toNanos(), settings.threadFactory, shared::remove);
    shared.add(hub);
    if (hub.isClosed()) { // a source that ended (or failed) before the add: it removed itself first
      shared.remove(hub);
    }
    if (closed) { // close() may have swept the set before our add
      hub.close();
      throw new ClientClosedException();
    }
    return new SharedSource(hub, describe(source));
  }

  private static String describe(MediaSource source) {
    if (source instanceof MediaSource.FileSource f) {
      return "file " + f.path().getFileName();
    }
    if (source instanceof MediaSource.UrlSource u) {
      return u.uri().getScheme() + "://" + u.uri().getHost(); // no path or query: they may hold keys
    }
    if (source instanceof MediaSource.OggSource o) {
      return "file " + o.path().getFileName();
    }
    if (source instanceof MediaSource.IvfSource ivf && ivf.audio() != null) {
      return "file " + ivf.audio().getFileName(); // its audio is what a shared source plays
    }
    if (source instanceof MediaSource.ShellSource || source instanceof MediaSource.ShellsSource) {
      return "shell";
    }
    return source instanceof MediaSource.MixSource ? "mix" : "pcm";
  }

  /**
   * Prepares the screen-share connection of a chat's group call (group-call.md §8): its own ICE
   * credentials and SSRCs, its own transport, beside the main call. A
   * {@link MediaSource#withVideo} source set before {@link GroupCall#joinJson()} makes the join
   * declare the 2-layer screen-share layout of group-call.md §5.3 (a SIM group of 2 layers and
   * their FID pairs) and sends the video as one VP8 stream on layer 0, with its audio; other
   * sources send audio only. The main call and its presentation run at once, each with its own
   * source and its own ffmpeg process.
   *
   * @param chatId a chat whose group call was created
   * @return the presentation; {@link GroupCall#joinJson()} gives the {@code params} for
   *     {@code phone.joinGroupCallPresentation}
   * @throws ConnectionNotFoundException if the chat has no group call
   * @throws ConnectionExistsException if the chat already has a presentation
   * @throws ClientClosedException if the client was closed
   */
  public GroupCall createPresentation(long chatId) throws TgCallsException {
    groupCall(chatId);
    GroupCall call = newGroupCall(chatId, CallKind.PRESENTATION);
    register(presentations, chatId, call);
    return call;
  }

  private GroupCall newGroupCall(long chatId, CallKind kind) {
    AtomicReference<Call> self = new AtomicReference<>();
    Map<String, String> logContext = LogContext.of(chatId, kind.name());
    ConcurrentHashMap<Long, ? extends Call> registry =
        kind == CallKind.PRESENTATION ? presentations : mainCalls;
    GroupCallSession session = new GroupCallSession(chatId, kind, sessionConfig,
        sessionEvents(self, logContext, () -> registry.remove(chatId, self.get())));
    GroupCall call = new GroupCall(chatId, kind, session, c -> registry.remove(chatId, c));
    self.set(call);
    return call;
  }

  /**
   * Prepares a private (1-on-1) call with a user, as caller or callee (decided by
   * {@link PrivateCallParams#outgoing()} at connect). Nothing is sent until
   * {@link PrivateCall#connect}; signaling blobs received before then may already be passed to
   * {@link PrivateCall#receiveSignalingData}.
   *
   * @param userId the other party (any id the application uses to name the call)
   * @param signaling receives each outgoing signaling blob, in order, on the dispatcher thread;
   *     the application passes it to {@code phone.sendSignalingData}
   * @return the call
   * @throws ConnectionExistsException if a private call with this user exists
   * @throws ClientClosedException if the client was closed
   */
  public PrivateCall createPrivateCall(long userId, SignalingDataListener signaling)
      throws TgCallsException {
    Objects.requireNonNull(signaling, "signaling");
    checkOpen();
    AtomicReference<PrivateCall> self = new AtomicReference<>();
    Map<String, String> logContext = LogContext.of(userId, CallKind.PRIVATE_CALL.name());
    PrivateCallSession session = new PrivateCallSession(userId, sessionConfig,
        sessionEvents(self, logContext, () -> privateCalls.remove(userId, self.get())),
        blob -> dispatcher.post(logContext, () -> signaling.onSignalingData(self.get(), blob)),
        settings.privateCallTimeout.toMillis());
    PrivateCall call = new PrivateCall(userId, session, c -> privateCalls.remove(userId, c),
        dispatcher::isDispatcherThread);
    self.set(call);
    register(privateCalls, userId, call);
    return call;
  }

  /**
   * @param userId the other party
   * @return the private call with this user
   * @throws ConnectionNotFoundException if there is none
   * @throws ClientClosedException if the client was closed
   */
  public PrivateCall privateCall(long userId) throws TgCallsException {
    checkOpen();
    PrivateCall call = privateCalls.get(userId);
    if (call == null) {
      throw new ConnectionNotFoundException(userId);
    }
    return call;
  }

  /**
   * What a session reports, re-posted to the listeners with the call's handle.
   *
   * @param onTerminal removes the call from its registry (not a newer call that reuses its id)
   */
  private SessionEvents sessionEvents(AtomicReference<? extends Call> self,
      Map<String, String> logContext, Runnable onTerminal) {
    return new SessionEvents() {
      @Override
      public void onState(ConnectionState state, TgCallsException cause) {
        if (state.isTerminal()) {
          onTerminal.run();
        }
        Call call = self.get();
        dispatcher.post(logContext,
            () -> settings.connectionListener.onConnectionChange(call, state, cause));
      }

      @Override
      public void onStreamEnd(TgCallsException error) {
        onStreamEnd(StreamType.AUDIO, error);
      }

      @Override
      public void onStreamEnd(StreamType type, TgCallsException error) {
        Call call = self.get();
        StreamDevice device = StreamDevice.of(call.kind(), type);
        dispatcher.post(logContext,
            () -> settings.streamListener.onStreamEnd(call, type, device, error));
      }

      @Override
      public void onUpgrade(MediaState state) {
        Call call = self.get();
        dispatcher.post(logContext, () -> settings.streamListener.onUpgrade(call, state));
      }

      @Override
      public void onPacingOverload(long framesDropped, long limitMillis) {
        Call call = self.get();
        dispatcher.post(logContext,
            () -> settings.streamListener.onPacingOverload(call, framesDropped, limitMillis));
      }

      @Override
      public void onAudioFrame(AudioFrame frame) {
        settings.incomingAudioListener.onAudioFrame(self.get(), frame); // on tgcalls4j-audio-in
      }
    };
  }

  private <C extends Call> void register(ConcurrentHashMap<Long, C> registry, long chatId, C call)
      throws TgCallsException {
    if (registry.putIfAbsent(chatId, call) != null) {
      throw new ConnectionExistsException(chatId);
    }
    if (closed) { // close() may have swept the map before our put
      registry.remove(chatId, call);
      throw new ClientClosedException();
    }
  }

  /**
   * Shortcut: {@link #createGroupCall} and its {@link GroupCall#joinJson()}.
   *
   * @param chatId the chat (any id the application uses to name calls)
   * @return the {@code params} JSON for {@code phone.joinGroupCall} (group-call.md §2)
   * @throws ConnectionExistsException if the chat already has a call
   * @throws ClientClosedException if the client was closed
   */
  public String createCall(long chatId) throws TgCallsException {
    return createGroupCall(chatId).joinJson();
  }

  /**
   * Shortcut: {@link GroupCall#connect} on the chat's group call (blocks until media can flow).
   *
   * @param chatId the chat passed to {@link #createCall}
   * @param answerJson {@code updateGroupCallConnection.params} (group-call.md §3)
   * @throws InvalidParamsException if the answer is malformed; {@link InvalidParamsException#field()}
   *     names the field, and the call stays created so a corrected answer can be passed
   * @throws ConnectionExistsException if connect was already called for this call; the call
   *     goes on unchanged
   * @throws NotConnectedException if ICE or DTLS did not finish within the connect timeout; the
   *     call is then removed
   * @throws TransportException if the transport failed, including a DTLS certificate that does
   *     not match the answer's fingerprint (no media is sent); the call is then removed
   * @throws ConnectionNotFoundException if the chat has no group call
   * @throws ClientClosedException if the client was closed
   */
  public void connect(long chatId, String answerJson) throws TgCallsException {
    groupCall(chatId).connect(answerJson);
  }

  /**
   * Shortcut: {@link Call#setSource} on the chat's main call.
   *
   * @param chatId the call's chat
   * @param source what to play
   * @throws InvalidParamsException if a local file is missing or unreadable, or a
   *     {@link SharedSource} is closed or ended (field {@code source})
   * @throws FfmpegSpawnException if ffmpeg cannot be started
   * @throws ConnectionNotFoundException if the chat has no call
   * @throws ClientClosedException if the client was closed
   */
  public void setStreamSources(long chatId, MediaSource source) throws TgCallsException {
    Objects.requireNonNull(source, "source");
    call(chatId).setSource(source);
  }

  /**
   * Shortcut: {@link Call#pause} on the chat's main call.
   *
   * @param chatId the call's chat
   * @return true if the call was playing and is now paused; false if it was paused already
   * @throws ConnectionNotFoundException if the chat has no call
   * @throws ClientClosedException if the client was closed
   */
  public boolean pause(long chatId) throws TgCallsException {
    return call(chatId).pause();
  }

  /**
   * Shortcut: {@link GroupCall#mute} on the chat's group call.
   *
   * @param chatId the call's chat
   * @return whether the call was unmuted before
   * @throws ConnectionNotFoundException if the chat has no group call
   * @throws ClientClosedException if the client was closed
   */
  public boolean mute(long chatId) throws TgCallsException {
    return groupCall(chatId).mute();
  }

  /**
   * Shortcut: {@link GroupCall#unmute} on the chat's group call.
   *
   * @param chatId the call's chat
   * @return whether the call was muted before
   * @throws ConnectionNotFoundException if the chat has no group call
   * @throws ClientClosedException if the client was closed
   */
  public boolean unmute(long chatId) throws TgCallsException {
    return groupCall(chatId).unmute();
  }

  /**
   * Shortcut: {@link Call#resume} on the chat's main call.
   *
   * @param chatId the call's chat
   * @return true if the call was paused and now plays; false if it was not paused
   * @throws ConnectionNotFoundException if the chat has no call
   * @throws ClientClosedException if the client was closed
   */
  public boolean resume(long chatId) throws TgCallsException {
    return call(chatId).resume();
  }

  /**
   * Shortcut: {@link Call#seek} on the chat's main call.
   *
   * @param chatId the call's chat
   * @param positionMillis position within the current source, ms, at least 0
   * @throws IllegalArgumentException if positionMillis is negative
   * @throws InvalidParamsException if the current source cannot seek (pushed PCM, a mix, a shell
   *     command, a {@link SharedSource}) or nothing is playing
   * @throws FfmpegSpawnException if ffmpeg cannot be started
   * @throws ConnectionNotFoundException if the chat has no call
   * @throws ClientClosedException if the client was closed
   */
  public void seek(long chatId, long positionMillis) throws TgCallsException {
    call(chatId).seek(positionMillis); // each Call checks positionMillis
  }

  /**
   * Shortcut: {@link Call#positionMillis} of the chat's main call.
   *
   * @param chatId the call's chat
   * @return the media position within the current source, ms
   * @throws ConnectionNotFoundException if the chat has no call
   * @throws ClientClosedException if the client was closed
   */
  public long time(long chatId) throws TgCallsException {
    return call(chatId).positionMillis();
  }

  /**
   * Shortcut: {@link GroupCall#audioSsrc} of the chat's group call. A stopped or failed call has
   * left the client, so read the SSRC for {@code phone.leaveGroupCall} before {@link #stop(long)},
   * or from the {@link GroupCall} handle, which keeps answering.
   *
   * @param chatId a group call's chat
   * @return the audio SSRC announced in the join JSON; pass it as {@code source} to
   *     {@code phone.leaveGroupCall}
   * @throws ConnectionNotFoundException if the chat has no group call, including once it was
   *     stopped or failed
   * @throws ClientClosedException if the client was closed
   */
  public int audioSsrc(long chatId) throws TgCallsException {
    return groupCall(chatId).audioSsrc();
  }

  /**
   * Shortcut: {@link GroupCall#stats} of the chat's group call.
   *
   * @param chatId a group call's chat
   * @return the call's counters now
   * @throws ConnectionNotFoundException if the chat has no group call
   * @throws ClientClosedException if the client was closed
   */
  public CallStats stats(long chatId) throws TgCallsException {
    return groupCall(chatId).stats();
  }

  /**
   * @param chatId a chat
   * @return the chat's main call (group call or RTMP stream)
   * @throws ConnectionNotFoundException if the chat has none
   * @throws ClientClosedException if the client was closed
   */
  public Call call(long chatId) throws TgCallsException {
    checkOpen();
    Call call = mainCalls.get(chatId);
    if (call == null) {
      throw new ConnectionNotFoundException(chatId);
    }
    return call;
  }

  /**
   * @param chatId a chat
   * @return the chat's group call
   * @throws ConnectionNotFoundException if the chat has no group call
   * @throws ClientClosedException if the client was closed
   */
  public GroupCall groupCall(long chatId) throws TgCallsException {
    if (call(chatId) instanceof GroupCall group) {
      return group;
    }
    throw new ConnectionNotFoundException(chatId);
  }

  /**
   * @param chatId a chat
   * @return the chat's presentation
   * @throws ConnectionNotFoundException if the chat has no presentation
   * @throws ClientClosedException if the client was closed
   */
  public GroupCall presentation(long chatId) throws TgCallsException {
    checkOpen();
    GroupCall call = presentations.get(chatId);
    if (call == null) {
      throw new ConnectionNotFoundException(chatId);
    }
    return call;
  }

  /**
   * @return every live call now (main calls, presentations and private calls), in no particular
   *     order
   */
  public List<Call> calls() {
    List<Call> all = new ArrayList<>(mainCalls.values());
    all.addAll(presentations.values());
    all.addAll(privateCalls.values());
    return all;
  }

  /**
   * Starts an RTMP "go live" stream to an ingest ({@code phone.getGroupCallStreamRtmpUrl} gives
   * the URL and key; group-call.md §10) and blocks until the server accepted the publish. A hold
   * stream (still frame, silence) is sent until a source is set. On success the connection
   * listener hears CONNECTED (then CONNECTING/CONNECTED on reconnects, FAILED, CLOSED); a start
   * that throws reports nothing to the listeners, not even CLOSED, and leaves no call for the chat.
   *
   * @param chatId the chat to name the stream by
   * @param url {@code rtmp://} or {@code rtmps://} ingest URL, query string kept verbatim
   * @param key the stream key, appended to the URL
   * @return the stream
   * @throws InvalidParamsException if the URL is malformed (field {@code url})
   * @throws RtmpException if the server refused the handshake, connect or publish
   * @throws FfmpegSpawnException if ffmpeg cannot be started to make the hold stream
   * @throws ConnectionExistsException if the chat already has a call
   * @throws ClientClosedException if the client was closed
   */
  public RtmpStream startRtmp(long chatId, String url, String key) throws TgCallsException {
    checkOpen();
    RtmpUrl target = RtmpUrl.parse(url, key);
    Map<String, String> logContext = LogContext.of(chatId, CallKind.RTMP_STREAM.name());
    ThreadFactory threads = LogContext.threads(settings.threadFactory, logContext);
    RtmpCall.Config config = new RtmpCall.Config(settings.ffmpegPath, settings.flvEncoding,
        settings.rtmpFfmpegFallback, threads, dispatcher.executor(), 500, 10_000, 20);
    RtmpOptions options = new RtmpOptions(settings.connectTimeout.toMillis(), threads,
        RtmpOptions.defaults().sslSocketFactory());
    AtomicReference<RtmpStream> self = new AtomicReference<>();
    RtmpCall rtmp = new RtmpCall(target, options, config, new RtmpCall.Events() {
      @Override
      public void onConnectionChange(ConnectionState state, TgCallsException cause) {
        RtmpStream stream = self.get();
        stream.setState(state);
        if (state.isTerminal()) {
          mainCalls.remove(chatId, stream); // not a newer call that reuses the chat id
        }
        // already on the dispatcher thread (RtmpCall posts there)
        LogContext.run(logContext,
            () -> settings.connectionListener.onConnectionChange(stream, state, cause));
      }

      @Override
      public void onStreamEnd(TgCallsException error) {
        // one ffmpeg pushes the whole source: its end is reported as the audio track's
        LogContext.run(logContext, () -> settings.streamListener.onStreamEnd(self.get(),
            StreamType.AUDIO, StreamDevice.MICROPHONE, error));
      }
    });
    RtmpStream stream = new RtmpStream(chatId, rtmp, s -> mainCalls.remove(chatId, s));
    self.set(stream);
    register(mainCalls, chatId, stream);
    try {
      rtmp.start();
    } catch (TgCallsException | RuntimeException e) {
      mainCalls.remove(chatId, stream);
      rtmp.close();
      throw e;
    }
    return stream;
  }

  /**
   * Ends the chat's calls (its main call and its presentation): stops sending, kills their ffmpeg,
   * closes their sockets, and reports {@link ConnectionState#CLOSED} for each. For a group call, the
   * application then calls {@code phone.leaveGroupCall}.
   *
   * @param chatId the call's chat
   * @throws ConnectionNotFoundException if the chat has no call
   */
  public void stop(long chatId) throws TgCallsException {
    GroupCall presentation = presentations.remove(chatId);
    Call call = mainCalls.remove(chatId);
    if (presentation != null) {
      presentation.stop();
    }
    if (call == null) {
      if (presentation == null) {
        throw new ConnectionNotFoundException(chatId);
      }
      return;
    }
    call.stop();
  }

  /**
   * Stops every call, closes every {@link SharedSource} (killing its ffmpeg), stops the dispatcher
   * and the control threads; idempotent. Pending events are delivered first (waiting up to 5 s for
   * them), except when called from a listener, which returns at once and lets the dispatcher finish
   * after it.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (GroupCall call : new ArrayList<>(presentations.values())) {
      call.stop();
    }
    for (Call call : new ArrayList<>(mainCalls.values())) {
      call.stop();
    }
    for (PrivateCall call : new ArrayList<>(privateCalls.values())) {
      call.stop();
    }
    for (SharedFrameHub hub : new ArrayList<>(shared)) {
      hub.close();
    }
    if (audioIn != null) {
      audioIn.close();
    }
    if (sessionConfig.sharedPort() != null) {
      sessionConfig.sharedPort().close();
    }
    loops.close();
    control.shutdown();
    dispatcher.close(5_000);
  }

  private void checkOpen() throws ClientClosedException {
    if (closed) {
      throw new ClientClosedException();
    }
  }

  /** Configures a {@link TgCalls}. Not thread-safe; {@link #build()} copies the settings. */
  public static final class Builder {
    private Path ffmpegPath = Path.of("ffmpeg");
    private boolean requireFfmpeg = true;
    private NetworkOptions networkOptions = NetworkOptions.defaults();
    private Duration connectTimeout = Duration.ofSeconds(10);
    private ThreadFactory threadFactory = new NamedThreadFactory();
    private ConnectionListener connectionListener = (chatId, state, cause) -> { };
    private StreamListener streamListener = (chatId, error) -> { };
    private DtlsSetup dtlsSetup = DtlsSetup.PASSIVE;
    private int audioBitrateKbps = 128;
    private boolean rtmpFfmpegFallback;
    private FlvEncoding flvEncoding = FlvEncoding.defaults();
    private Duration rejoinWindow = Duration.ZERO;
    private Duration consentTimeout = Duration.ofSeconds(30);
    private Duration privateCallTimeout = Duration.ofSeconds(20);
    private int handshakeThreads = Math.max(8, 2 * Runtime.getRuntime().availableProcessors());
    private int eventLoopThreads = Runtime.getRuntime().availableProcessors();
    private int sharedUdpPort = -1;
    private boolean nativeTransport =
        Boolean.parseBoolean(System.getProperty("tgcalls4j.nativeTransport", "true"));
    private IncomingAudioListener incomingAudioListener;
    private boolean mixIncomingAudio;
    private Duration pacingLatenessLimit = Duration.ofNanos(Pacer.REBASE_THRESHOLD_NANOS);

    private Builder() {}

    private Builder copy() {
      Builder b = new Builder();
      b.ffmpegPath = ffmpegPath;
      b.requireFfmpeg = requireFfmpeg;
      b.networkOptions = networkOptions;
      b.connectTimeout = connectTimeout;
      b.threadFactory = threadFactory;
      b.connectionListener = connectionListener;
      b.streamListener = streamListener;
      b.dtlsSetup = dtlsSetup;
      b.audioBitrateKbps = audioBitrateKbps;
      b.rtmpFfmpegFallback = rtmpFfmpegFallback;
      b.flvEncoding = flvEncoding;
      b.rejoinWindow = rejoinWindow;
      b.consentTimeout = consentTimeout;
      b.privateCallTimeout = privateCallTimeout;
      b.handshakeThreads = handshakeThreads;
      b.eventLoopThreads = eventLoopThreads;
      b.sharedUdpPort = sharedUdpPort;
      b.nativeTransport = nativeTransport;
      b.incomingAudioListener = incomingAudioListener;
      b.mixIncomingAudio = mixIncomingAudio;
      b.pacingLatenessLimit = pacingLatenessLimit;
      return b;
    }

    /**
     * @param ffmpegPath the ffmpeg binary: a path, or a bare name looked up on {@code PATH};
     *     default {@code ffmpeg}
     * @return this
     */
    public Builder ffmpegPath(Path ffmpegPath) {
      this.ffmpegPath = Objects.requireNonNull(ffmpegPath, "ffmpegPath");
      return this;
    }

    /**
     * @param requireFfmpeg whether {@link #build()} fails when ffmpeg cannot be run (default true).
     *     Without ffmpeg only Ogg/Opus files can be played.
     * @return this
     */
    public Builder requireFfmpeg(boolean requireFfmpeg) {
      this.requireFfmpeg = requireFfmpeg;
      return this;
    }

    /**
     * @param networkOptions where calls bind their UDP socket and which candidates they use;
     *     default {@link NetworkOptions#defaults()}
     * @return this
     */
    public Builder networkOptions(NetworkOptions networkOptions) {
      this.networkOptions = Objects.requireNonNull(networkOptions, "networkOptions");
      return this;
    }

    /**
     * @param connectTimeout budget of {@link TgCalls#connect} (ICE + DTLS) and of the RTMP
     *     handshake; default 10 s
     * @return this
     * @throws IllegalArgumentException if not positive
     */
    public Builder connectTimeout(Duration connectTimeout) {
      if (connectTimeout.isNegative() || connectTimeout.isZero()) {
        throw new IllegalArgumentException("connectTimeout must be positive: " + connectTimeout);
      }
      this.connectTimeout = connectTimeout;
      return this;
    }

    /**
     * @param threadFactory creates every thread of the client: its {@link #eventLoopThreads event
     *     loops} (which must be platform threads), the DTLS handshake pool, ffmpeg pipe readers, a
     *     video call's sender and the dispatcher. Threads are named by the client.
     * @return this
     */
    public Builder threadFactory(ThreadFactory threadFactory) {
      this.threadFactory = Objects.requireNonNull(threadFactory, "threadFactory");
      return this;
    }

    /**
     * @param listener receives connection-state changes on the dispatcher thread
     * @return this
     */
    public Builder connectionListener(ConnectionListener listener) {
      this.connectionListener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * @param listener told when a track of a source ends (once per track) and of spontaneous
     *     media changes, on the dispatcher thread
     * @return this
     */
    public Builder streamListener(StreamListener listener) {
      this.streamListener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * @param dtlsSetup our DTLS role in group calls; default {@link DtlsSetup#PASSIVE}
     * @return this
     */
    public Builder dtlsSetup(DtlsSetup dtlsSetup) {
      this.dtlsSetup = Objects.requireNonNull(dtlsSetup, "dtlsSetup");
      return this;
    }

    /**
     * @param kbps Opus bitrate when ffmpeg transcodes a source or when pushed PCM and mixes are
     *     encoded in-process, kbit/s, 6 to 510; default 128
     * @return this
     * @throws IllegalArgumentException if out of range
     */
    public Builder audioBitrateKbps(int kbps) {
      if (kbps < 6 || kbps > 510) {
        throw new IllegalArgumentException("Opus bitrate must be 6..510 kbit/s: " + kbps);
      }
      this.audioBitrateKbps = kbps;
      return this;
    }

    /**
     * @param threads how many DTLS handshakes may run at once for this client (the threads also run
     *     lifecycle work); default {@code max(8, 2 × cores)}. Bouncy Castle's handshake holds its
     *     thread for about two round trips, mostly waiting: at 50 ms RTT one thread completes about
     *     9 handshakes/s (docs/dtls-spike.md), so raise this for bursts of many calls. Idle threads
     *     end after 30 s.
     * @return this
     * @throws IllegalArgumentException if below 1
     */
    public Builder dtlsHandshakeThreads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("dtlsHandshakeThreads must be at least 1: " + threads);
      }
      this.handshakeThreads = threads;
      return this;
    }

    /**
     * @param threads how many event loops (threads) carry every call of this client: their UDP
     *     sockets, ICE timers, received SRTP/SRTCP and the pacing of their audio; default the
     *     number of cores. Each call is pinned to one loop. The count does not grow with the number
     *     of calls; threads come from the {@link #threadFactory thread factory}, named
     *     {@code tgcalls4j-loop-N}.
     * @return this
     * @throws IllegalArgumentException if below 1
     */
    public Builder eventLoopThreads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("eventLoopThreads must be at least 1: " + threads);
      }
      this.eventLoopThreads = threads;
      return this;
    }

    /**
     * Whether the event loops use netty's epoll transport when the application put
     * {@code io.netty:netty-transport-native-epoll} (classifier {@code linux-x86_64} or
     * {@code linux-aarch_64}, the same netty version) on the class or module path and its native
     * library loads; otherwise, and by default without that jar, they use NIO (pure JVM). The
     * library never requires it. The loop threads are then named {@code tgcalls4j-loop-epoll-N}.
     * Default: true, or the system property {@code tgcalls4j.nativeTransport} when set.
     *
     * @param preferNative whether to use epoll when it is available
     * @return this
     */
    public Builder nativeTransport(boolean preferNative) {
      this.nativeTransport = preferNative;
      return this;
    }

    /**
     * Puts the group calls of this client on one UDP port, as gotgcall does, instead of a socket
     * per call (the default): datagrams are told apart by the sender's address and, for an
     * address not seen yet, by the ICE ufrag in a STUN request's USERNAME. Two calls to the same SFU
     * address cannot share one port (DTLS 1.2 has no connection id), so such a call binds a socket
     * of its own, automatically. The calls that may use the port all run on one event loop (the
     * port's socket lives there); private calls and presentations to another address are not
     * affected, private calls always bind their own socket. The port is bound at the first
     * connect, on {@link NetworkOptions#bindAddress()}; if it cannot be bound, that connect fails
     * with {@link TransportException} (stage SOCKET).
     *
     * @param port the UDP port, 1..65535, or 0 for one free port chosen at the first connect
     * @return this
     * @throws IllegalArgumentException if outside 0..65535
     */
    public Builder sharedUdpPort(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("sharedUdpPort must be 0..65535: " + port);
      }
      this.sharedUdpPort = port;
      return this;
    }

    /**
     * @param rejoinWindow how long a group call whose connection was lost waits in
     *     {@link ConnectionState#DISCONNECTED} for {@link GroupCall#rejoin} before it fails; default
     *     zero: a lost connection fails the call at once ({@link ConnectionState#FAILED}, as in
     *     ntgcalls)
     * @return this
     * @throws IllegalArgumentException if negative
     */
    public Builder rejoinWindow(Duration rejoinWindow) {
      if (rejoinWindow.isNegative()) {
        throw new IllegalArgumentException("rejoinWindow must not be negative: " + rejoinWindow);
      }
      this.rejoinWindow = rejoinWindow;
      return this;
    }

    /**
     * @param timeout how long a private call may take from {@link PrivateCall#connect} until media
     *     can flow (signaling round trips through Telegram, ICE, DTLS) before it fails with
     *     {@link NotConnectedException}; default 20 s, tgcalls' own limit
     *     ({@code v2/NativeNetworkingImpl.cpp} checkConnectionTimeout). At least 1 s
     * @return this
     * @throws IllegalArgumentException if shorter than 1 s
     */
    public Builder privateCallTimeout(Duration timeout) {
      if (timeout.toMillis() < 1000) {
        throw new IllegalArgumentException("privateCallTimeout must be at least 1 s: " + timeout);
      }
      this.privateCallTimeout = timeout;
      return this;
    }

    /**
     * How late a frame may go out before the client stops catching up on it. Each call's senders
     * release frames on deadlines derived from media time and send a frame that is already late at
     * once, so a short stall is caught up back to back. A frame more than this limit past its
     * deadline is not caught up:
     *
     * <ul>
     *   <li>if the source had it in time and the sender reached it late (the event loops are
     *       overloaded, a long GC pause), it is dropped: read from the source and not sent, its
     *       RTP time skipped (sequence numbers stay contiguous), counted in
     *       {@link PacingStats#framesDroppedLate}; the pacing keeps its baseline, so a live source
     *       stays live. A video track then also drops delta frames until the next keyframe. The
     *       client logs one WARN line about it at most every 10 s (for all its calls), and
     *       {@link StreamListener#onPacingOverload} hears of it at most once a second per call;
     *   <li>if the source had nothing until after the deadline (ffmpeg starting or stalled, a
     *       shared source behind), the pacing restarts from that frame instead, counted in
     *       {@link PacingStats#overloadRestarts}.
     * </ul>
     *
     * <p>A smaller limit keeps latency lower under overload but drops audio sooner; a larger one
     * rides out longer stalls with a burst. Default 200 ms; at least 20 ms (one audio frame).
     *
     * @param limit the lateness limit, at least 20 ms
     * @return this
     * @throws IllegalArgumentException if not positive or shorter than 20 ms
     */
    public Builder pacingLatenessLimit(Duration limit) {
      if (limit.isNegative() || limit.isZero() || limit.toNanos() < Pacer.MIN_LATENESS_LIMIT_NANOS) {
        throw new IllegalArgumentException("pacingLatenessLimit must be at least 20 ms: " + limit);
      }
      this.pacingLatenessLimit = limit;
      return this;
    }

    /**
     * @param consentTimeout how long a connected group call goes without an answer to its ICE
     *     consent checks before it counts the connection as lost (RFC 7675 §5.1; then
     *     {@link ConnectionState#DISCONNECTED} or {@link ConnectionState#FAILED}, see
     *     {@link #rejoinWindow}, with a {@link TransportException} of stage
     *     {@link TransportException.Stage#ICE}); default 30 s, as RFC 7675 and libwebrtc. Consent
     *     checks go out every {@code min(2.5 s, consentTimeout / 4)} on average, so a shorter timeout
     *     detects a silent SFU sooner at the cost of more checks. Whole milliseconds; at least 100 ms
     * @return this
     * @throws IllegalArgumentException if shorter than 100 ms
     */
    public Builder consentTimeout(Duration consentTimeout) {
      if (consentTimeout.toMillis() < 100) {
        throw new IllegalArgumentException("consentTimeout must be at least 100 ms: " + consentTimeout);
      }
      this.consentTimeout = consentTimeout;
      return this;
    }

    /**
     * Hears the other participants: received Opus is decoded in-process (48 kHz, stereo, 20 ms
     * frames) after a jitter buffer (60 ms target, adaptive up to 200 ms) with packet-loss
     * concealment and in-band FEC, and handed to the listener per SSRC (or mixed, see
     * {@link #mixIncomingAudio}). Group calls decode every SSRC the SFU forwards with the
     * answer's Opus payload type, up to 10 at once (an SSRC idle for 1 s frees its place). Per-SSRC
     * counters appear in {@link CallStats#incoming()}.
     *
     * <p>Threads: one client-wide thread, {@code tgcalls4j-audio-in}, started when the first call
     * connects and ended by {@link TgCalls#close()}, decodes and calls the listener for every call
     * (see {@link IncomingAudioListener}). Without a listener (the default) received media is not
     * decoded and no such thread exists.
     *
     * @param listener receives decoded frames, or null for none
     * @return this
     */
    public Builder incomingAudioListener(IncomingAudioListener listener) {
      this.incomingAudioListener = listener;
      return this;
    }

    /**
     * @param mix with an {@link #incomingAudioListener}: deliver one frame per 20 ms with SSRC 0
     *     summing every participant (clipped to 16 bits) instead of one frame per SSRC; the frame
     *     counts as concealed only if every contribution was; default false
     * @return this
     */
    public Builder mixIncomingAudio(boolean mix) {
      this.mixIncomingAudio = mix;
      return this;
    }

    /**
     * Security limitation of the fallback: ffmpeg gets the publish URL, stream key included, on its
     * command line, so any local user who can list processes ({@code ps},
     * {@code /proc/<pid>/cmdline}) can read the key while a source plays. The in-house publisher
     * (the default) keeps the key inside the JVM. Texts the library hands out (causes, exception
     * messages, logs) never show the key in either mode. In the fallback an ffmpeg that cannot
     * reach the ingest (refused, unreachable, reset) reports the stream {@code FAILED}.
     *
     * @param fallback push RTMP with one ffmpeg process writing to the ingest instead of the
     *     in-house publisher (the connection then drops on pause, seek and source changes);
     *     default false
     * @return this
     */
    public Builder rtmpFfmpegFallback(boolean fallback) {
      this.rtmpFfmpegFallback = fallback;
      return this;
    }

    /**
     * Builds the client, checking first that ffmpeg runs (unless {@link #requireFfmpeg} is off).
     *
     * @return the client; close it to stop every call
     * @throws FfmpegSpawnException if ffmpeg is required and cannot be run
     */
    public TgCalls build() throws FfmpegSpawnException {
      if (requireFfmpeg) {
        FfmpegProcess.checkAvailable(ffmpegPath);
      }
      return new TgCalls(this);
    }
  }

  /** Default thread factory: daemon platform threads. */
  private static final class NamedThreadFactory implements ThreadFactory {
    private final AtomicInteger count = new AtomicInteger();

    @Override
    public Thread newThread(Runnable r) {
      Thread t = new Thread(r, "tgcalls4j-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    }
  }
}
