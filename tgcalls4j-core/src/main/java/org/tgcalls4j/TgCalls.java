package org.tgcalls4j;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tgcalls4j.internal.call.GroupCallSession;
import org.tgcalls4j.internal.call.SessionConfig;
import org.tgcalls4j.internal.call.SessionEvents;
import org.tgcalls4j.internal.ffmpeg.FfmpegProcess;
import org.tgcalls4j.internal.ffmpeg.FlvEncoding;
import org.tgcalls4j.internal.rtmp.RtmpOptions;
import org.tgcalls4j.internal.rtmp.RtmpUrl;
import org.tgcalls4j.internal.rtmpcall.RtmpCall;

/**
 * A tgcalls4j client: any number of calls, one per chat id, each a Telegram group call (WebRTC)
 * or an RTMP "go live" stream. The API follows ntgcalls: the application drives MTProto itself
 * and passes JSON strings through.
 *
 * <pre>{@code
 * try (TgCalls calls = TgCalls.builder().build()) {
 *   String params = calls.createCall(chatId);             // -> phone.joinGroupCall(params)
 *   calls.connect(chatId, updateGroupCallConnectionJson); // <- updateGroupCallConnection.params
 *   calls.setStreamSources(chatId, MediaSource.file(Path.of("song.mp3")));
 *   ...
 *   calls.stop(chatId);                                   // then phone.leaveGroupCall(source = audioSsrc)
 * }
 * }</pre>
 *
 * <p>Thread-safe: methods may be called from any thread. Listeners run on one dispatcher thread
 * owned by the client, in order; calling back into the client from a listener is allowed.
 */
public final class TgCalls implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TgCalls.class);

  private final Builder settings;
  private final SessionConfig sessionConfig;
  private final ExecutorService dispatcher;
  private final ConcurrentHashMap<Long, Object> calls = new ConcurrentHashMap<>();
  private volatile boolean closed;
  private volatile Thread dispatcherThread;

  private TgCalls(Builder b) {
    this.settings = b.copy();
    ThreadFactory threads = b.threadFactory;
    this.sessionConfig = new SessionConfig(b.ffmpegPath, b.networkOptions,
        b.connectTimeout.toMillis(), threads, b.dtlsSetup, b.audioBitrateKbps, new SecureRandom(),
        System::currentTimeMillis);
    this.dispatcher = Executors.newSingleThreadExecutor(r -> {
      Thread t = threads.newThread(r);
      t.setName("tgcalls4j-events");
      t.setDaemon(true);
      dispatcherThread = t;
      return t;
    });
  }

  /** @return a builder with the defaults described on each of its methods */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Prepares a group call for a chat: ICE credentials, a DTLS certificate and an audio SSRC.
   *
   * @param chatId the chat (any id the application uses to name calls)
   * @return the {@code params} JSON for {@code phone.joinGroupCall} (group-call.md §2)
   * @throws ConnectionExistsException if the chat already has a call
   * @throws ClientClosedException if the client was closed
   */
  public String createCall(long chatId) throws TgCallsException {
    checkOpen();
    AtomicReference<Object> self = new AtomicReference<>();
    GroupCallSession session = new GroupCallSession(chatId, sessionConfig, eventsFor(chatId, self));
    self.set(session);
    if (calls.putIfAbsent(chatId, session) != null) {
      throw new ConnectionExistsException(chatId);
    }
    if (closed) { // close() may have swept the map before our put
      calls.remove(chatId, session);
      throw new ClientClosedException();
    }
    return session.joinJson();
  }

  /**
   * Connects a created call using the SFU's answer and blocks until media can flow (ICE
   * nominated, DTLS-SRTP keys agreed) or the connect timeout elapses.
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
   * @throws ConnectionNotFoundException if the chat has no call
   * @throws ClientClosedException if the client was closed
   */
  public void connect(long chatId, String answerJson) throws TgCallsException {
    GroupCallSession session = groupCall(chatId);
    try {
      session.connect(answerJson);
    } catch (InvalidParamsException | ConnectionExistsException e) {
      throw e; // the call is unchanged: a bad answer, or connect called twice
    } catch (TgCallsException e) {
      calls.remove(chatId, session);
      throw e;
    }
  }

  /**
   * Plays a source in a call, replacing the current one without a stream-end event. For a group
   * call this may be called before {@link #connect} finishes; playback starts once connected.
   *
   * @param chatId the call's chat
   * @param source what to play
   * @throws InvalidParamsException if a local file is missing or unreadable
   * @throws FfmpegSpawnException if ffmpeg cannot be started
   * @throws ConnectionNotFoundException if the chat has no call
   * @throws ClientClosedException if the client was closed
   */
  public void setStreamSources(long chatId, MediaSource source) throws TgCallsException {
    Objects.requireNonNull(source, "source");
    Object call = call(chatId);
    if (call instanceof GroupCallSession session) {
      session.setSource(source);
    } else {
      ((RtmpCall) call).setSource(source);
    }
  }

  /**
   * Pauses sending. A group call stops sending audio; an RTMP stream switches to its hold stream
   * and keeps the ingest connection.
   *
   * @param chatId the call's chat
   * @throws ConnectionNotFoundException if the chat has no call
   * @throws ClientClosedException if the client was closed
   */
  public void pause(long chatId) throws TgCallsException {
    Object call = call(chatId);
    if (call instanceof GroupCallSession session) {
      session.pause();
    } else {
      ((RtmpCall) call).pause();
    }
  }

  /**
   * Resumes after {@link #pause} from the paused position.
   *
   * @param chatId the call's chat
   * @throws ConnectionNotFoundException if the chat has no call
   * @throws ClientClosedException if the client was closed
   */
  public void resume(long chatId) throws TgCallsException {
    Object call = call(chatId);
    if (call instanceof GroupCallSession session) {
      session.resume();
    } else {
      ((RtmpCall) call).resume();
    }
  }

  /**
   * Seeks the current source of an RTMP stream (the source is restarted at the position).
   *
   * @param chatId the call's chat
   * @param positionMillis position within the current source, ms, at least 0
   * @throws IllegalArgumentException if positionMillis is negative
   * @throws InvalidParamsException if the chat's call is a group call (not supported yet)
   * @throws ConnectionNotFoundException if the chat has no call
   * @throws ClientClosedException if the client was closed
   */
  public void seek(long chatId, long positionMillis) throws TgCallsException {
    if (positionMillis < 0) {
      throw new IllegalArgumentException("positionMillis must be >= 0: " + positionMillis);
    }
    Object call = call(chatId);
    if (call instanceof RtmpCall rtmp) {
      rtmp.seek(positionMillis);
    } else {
      throw new InvalidParamsException("chatId", "seek is supported for RTMP streams only");
    }
  }

  /**
   * @param chatId the call's chat
   * @return the media position within the current source, ms
   * @throws ConnectionNotFoundException if the chat has no call
   * @throws ClientClosedException if the client was closed
   */
  public long time(long chatId) throws TgCallsException {
    Object call = call(chatId);
    return call instanceof GroupCallSession session ? session.positionMillis()
        : ((RtmpCall) call).positionMillis();
  }

  /**
   * @param chatId a group call's chat
   * @return the audio SSRC announced in the join JSON; pass it as {@code source} to
   *     {@code phone.leaveGroupCall}
   * @throws ConnectionNotFoundException if the chat has no group call
   * @throws ClientClosedException if the client was closed
   */
  public int audioSsrc(long chatId) throws TgCallsException {
    return groupCall(chatId).audioSsrc();
  }

  /**
   * @param chatId a group call's chat
   * @return the call's counters now
   * @throws ConnectionNotFoundException if the chat has no group call
   * @throws ClientClosedException if the client was closed
   */
  public CallStats stats(long chatId) throws TgCallsException {
    return groupCall(chatId).stats();
  }

  /**
   * Starts an RTMP "go live" stream to an ingest ({@code phone.getGroupCallStreamRtmpUrl} gives
   * the URL and key; group-call.md §10) and blocks until the server accepted the publish. A hold
   * stream (still frame, silence) is sent until {@link #setStreamSources} gives a source. On
   * success the connection listener hears CONNECTED (then CONNECTING/CONNECTED on reconnects,
   * FAILED, CLOSED); a start that throws reports nothing to the listeners, not even CLOSED, and
   * leaves no call for the chat.
   *
   * @param chatId the chat to name the stream by
   * @param url {@code rtmp://} or {@code rtmps://} ingest URL, query string kept verbatim
   * @param key the stream key, appended to the URL
   * @throws InvalidParamsException if the URL is malformed (field {@code url})
   * @throws RtmpException if the server refused the handshake, connect or publish
   * @throws FfmpegSpawnException if ffmpeg cannot be started to make the hold stream
   * @throws ConnectionExistsException if the chat already has a call
   * @throws ClientClosedException if the client was closed
   */
  public void startRtmp(long chatId, String url, String key) throws TgCallsException {
    checkOpen();
    RtmpUrl target = RtmpUrl.parse(url, key);
    RtmpCall.Config config = new RtmpCall.Config(settings.ffmpegPath, settings.flvEncoding,
        settings.rtmpFfmpegFallback, settings.threadFactory, dispatcher, 500, 10_000, 20);
    RtmpOptions options = new RtmpOptions(settings.connectTimeout.toMillis(),
        settings.threadFactory, RtmpOptions.defaults().sslSocketFactory());
    AtomicReference<Object> self = new AtomicReference<>();
    RtmpCall call = new RtmpCall(target, options, config, new RtmpCall.Events() {
      @Override
      public void onConnectionChange(ConnectionState state, TgCallsException cause) {
        if (state == ConnectionState.FAILED || state == ConnectionState.CLOSED) {
          calls.remove(chatId, self.get()); // not a newer call that reuses the chat id
        }
        // already on the dispatcher thread (RtmpCall posts there)
        deliver(() -> settings.connectionListener.onConnectionChange(chatId, state, cause));
      }

      @Override
      public void onStreamEnd(TgCallsException error) {
        deliver(() -> settings.streamListener.onStreamEnd(chatId, error));
      }
    });
    self.set(call);
    if (calls.putIfAbsent(chatId, call) != null) {
      throw new ConnectionExistsException(chatId);
    }
    if (closed) { // close() may have swept the map before our put
      calls.remove(chatId, call);
      throw new ClientClosedException();
    }
    try {
      call.start();
    } catch (TgCallsException | RuntimeException e) {
      calls.remove(chatId, call);
      call.close();
      throw e;
    }
  }

  /**
   * Ends a call: stops sending, kills its ffmpeg, closes its sockets, and reports
   * {@link ConnectionState#CLOSED}. For a group call, the application then calls
   * {@code phone.leaveGroupCall}.
   *
   * @param chatId the call's chat
   * @throws ConnectionNotFoundException if the chat has no call
   */
  public void stop(long chatId) throws TgCallsException {
    Object call = calls.remove(chatId);
    if (call == null) {
      throw new ConnectionNotFoundException(chatId);
    }
    closeCall(call);
  }

  /**
   * Stops every call and the dispatcher thread; idempotent. Pending events are delivered first
   * (waiting up to 5 s for them), except when called from a listener, which returns at once and
   * lets the dispatcher finish after it.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (Long chatId : calls.keySet()) {
      Object call = calls.remove(chatId);
      if (call != null) {
        closeCall(call);
      }
    }
    dispatcher.shutdown();
    if (Thread.currentThread() == dispatcherThread) {
      return; // called from a listener: the events still queued run after it returns
    }
    try {
      if (!dispatcher.awaitTermination(5, TimeUnit.SECONDS)) {
        dispatcher.shutdownNow();
      }
    } catch (InterruptedException e) {
      dispatcher.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private static void closeCall(Object call) {
    if (call instanceof GroupCallSession session) {
      session.close();
    } else {
      ((RtmpCall) call).close();
    }
  }

  private SessionEvents eventsFor(long chatId, AtomicReference<Object> self) {
    return new SessionEvents() {
      @Override
      public void onState(ConnectionState state, TgCallsException cause) {
        if (state == ConnectionState.FAILED) {
          calls.remove(chatId, self.get()); // not a newer call that reuses the chat id
        }
        post(() -> settings.connectionListener.onConnectionChange(chatId, state, cause));
      }

      @Override
      public void onStreamEnd(TgCallsException error) {
        post(() -> settings.streamListener.onStreamEnd(chatId, error));
      }
    };
  }

  private void post(Runnable event) {
    try {
      dispatcher.execute(() -> deliver(event));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // the client is closed and its dispatcher drained; the event has no listener to reach
    }
  }

  /** Runs a listener on the dispatcher thread; a listener that throws is logged, not fatal. */
  private static void deliver(Runnable listenerCall) {
    try {
      listenerCall.run();
    } catch (RuntimeException e) {
      log.warn("listener threw", e);
    }
  }

  private void checkOpen() throws ClientClosedException {
    if (closed) {
      throw new ClientClosedException();
    }
  }

  private Object call(long chatId) throws TgCallsException {
    checkOpen();
    Object call = calls.get(chatId);
    if (call == null) {
      throw new ConnectionNotFoundException(chatId);
    }
    return call;
  }

  private GroupCallSession groupCall(long chatId) throws TgCallsException {
    if (call(chatId) instanceof GroupCallSession session) {
      return session;
    }
    throw new ConnectionNotFoundException(chatId);
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
     * @param threadFactory creates every thread of the client (UDP I/O, senders, ffmpeg pumps,
     *     the dispatcher); pass {@code Thread.ofVirtual().factory()} on Java 21+ if wanted.
     *     Threads are named by the client.
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
     * @param listener told when a source ends, on the dispatcher thread
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
     * @param kbps Opus bitrate when ffmpeg transcodes a source, kbit/s, 6 to 510; default 128
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
