package org.tgcalls4j.internal.rtmpcall;

import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import org.tgcalls4j.ConnectionState;
import org.tgcalls4j.InvalidParamsException;
import org.tgcalls4j.MediaSource;
import org.tgcalls4j.SharedSource;
import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.internal.call.SourceFiles;
import org.tgcalls4j.internal.ffmpeg.FlvEncoding;
import org.tgcalls4j.internal.rtmp.RtmpOptions;
import org.tgcalls4j.internal.rtmp.RtmpUrl;

/**
 * Streams a changing sequence of sources to one RTMP(S) ingest as H.264 + AAC, keeping a single
 * publish session across source changes, pauses and seeks (Telegram RTMP mode, group-call.md
 * §10).
 *
 * <p>Normal mode: ffmpeg transcodes the current source to FLV on its stdout (no {@code -re};
 * pipe backpressure bounds it), and this class paces the tags in real time against one clock,
 * rebases their timestamps onto the continuous stream time and publishes them with its own RTMP
 * client. While paused or without a source it sends a generated hold stream (black frame at
 * 5 fps, silence) that needs no ffmpeg. A lost connection is re-established with exponential
 * backoff and the stream continues at the current position. Fallback mode
 * ({@link Config#ffmpegFallback()}): ffmpeg pushes to the ingest itself and is respawned with
 * {@code -ss} on every change; each respawn is a new publish session with a gap, and pause stops
 * the stream.
 *
 * <p>Thread-safe. Events are posted to {@link Config#eventExecutor()}, each exactly once per
 * occurrence: CONNECTED once per (re)connection, CONNECTING when a connection is lost (with the
 * cause), FAILED when reconnecting gave up (fallback mode: when an ffmpeg could not reach the
 * ingest), CLOSED once on {@link #close()} if {@link #start()}
 * succeeded; stream end once per source that ends by itself (not when it is replaced or the call
 * is closed). A {@link #start()} that throws posts nothing, now or at close: the caller has the
 * exception. Nothing is posted after CLOSED. An event the executor rejects (it was shut down) is
 * dropped, and a listener that throws is logged. Every cause and exception message has the stream
 * key and query secrets hidden ({@link RtmpUrl#scrub}); after a broken connection the first
 * failure is the cause reported.
 */
public final class RtmpCall implements AutoCloseable {

  /** Receives call events; called on {@link Config#eventExecutor()}, must not block. */
  public interface Events {
    /**
     * @param state the new state
     * @param cause why the connection was lost (CONNECTING, FAILED), else null
     */
    void onConnectionChange(ConnectionState state, TgCallsException cause);

    /**
     * The current source ended by itself; the call keeps streaming the hold stream.
     *
     * @param error null at a normal end, otherwise the ffmpeg failure (crash, spawn error)
     */
    void onStreamEnd(TgCallsException error);
  }

  /**
   * Call configuration.
   *
   * @param ffmpeg the ffmpeg binary
   * @param encoding output resolution, frame rate, bitrates and audio sample rate
   * @param ffmpegFallback true to let ffmpeg push to the ingest itself (see class doc)
   * @param threadFactory creates the sender thread and ffmpeg helper threads
   * @param eventExecutor the client's single dispatcher; runs every event
   * @param reconnectInitialBackoffMillis wait before the first reconnect attempt, &gt; 0
   * @param reconnectMaxBackoffMillis cap of the doubling wait between attempts
   * @param maxReconnectAttempts attempts after a loss before reporting FAILED, &gt;= 1
   */
  public record Config(Path ffmpeg, FlvEncoding encoding, boolean ffmpegFallback,
      ThreadFactory threadFactory, Executor eventExecutor, long reconnectInitialBackoffMillis,
      long reconnectMaxBackoffMillis, int maxReconnectAttempts) {
    /**
     * @throws NullPointerException if a reference is null
     * @throws IllegalArgumentException if a backoff or the attempt count is out of range
     */
    public Config {
      Objects.requireNonNull(ffmpeg, "ffmpeg");
      Objects.requireNonNull(encoding, "encoding");
      Objects.requireNonNull(threadFactory, "threadFactory");
      Objects.requireNonNull(eventExecutor, "eventExecutor");
      if (reconnectInitialBackoffMillis <= 0
          || reconnectMaxBackoffMillis < reconnectInitialBackoffMillis) {
        throw new IllegalArgumentException("reconnect backoff must satisfy 0 < initial <= max, got "
            + reconnectInitialBackoffMillis + ", " + reconnectMaxBackoffMillis);
      }
      if (maxReconnectAttempts < 1) {
        throw new IllegalArgumentException("maxReconnectAttempts must be >= 1, got "
            + maxReconnectAttempts);
      }
    }
  }

  private final Engine engine;
  private final EventSink events;

  /**
   * Creates the call; nothing starts until {@link #start()}.
   *
   * @param url the ingest ({@code url + key} as returned by phone.getGroupCallStreamRtmpUrl)
   * @param options socket options for the RTMP client (unused in fallback mode)
   * @param config see {@link Config}
   * @param events receives the events
   */
  public RtmpCall(RtmpUrl url, RtmpOptions options, Config config, Events events) {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(config, "config");
    this.events = new EventSink(config.eventExecutor(), Objects.requireNonNull(events, "events"));
    this.engine = config.ffmpegFallback()
        ? new FfmpegPushEngine(url, config, this.events)
        : new PublisherEngine(url, options, config, this.events);
  }

  /**
   * Connects and publishes, then streams the hold stream until a source is set. Blocks for the
   * hold stream's encoding (under a second) and the RTMP connect; posts CONNECTED on success.
   * In fallback mode only posts CONNECTED (nothing is pushed until a source is set).
   *
   * @throws TgCallsException RtmpException if the ingest cannot be reached or refuses to publish;
   *     FfmpegSpawnException/FfmpegCrashedException if the hold stream cannot be encoded;
   *     ClientClosedException after {@link #close()}
   * @throws IllegalStateException if already started
   */
  public void start() throws TgCallsException {
    engine.start();
  }

  /**
   * Switches to a new source without dropping the connection; the position restarts at 0 and a
   * pause is cleared. Returns at once; the new source's media follows after ffmpeg starts.
   *
   * @param source the source
   * @throws TgCallsException InvalidParamsException if a file source is a directory or not a
   *     readable file;
   *     NotConnectedException before {@link #start()} or after FAILED; ClientClosedException after
   *     {@link #close()}; in fallback mode FfmpegSpawnException if ffmpeg cannot start
   */
  public void setSource(MediaSource source) throws TgCallsException {
    Objects.requireNonNull(source, "source");
    if (source instanceof MediaSource.PcmSource || source instanceof MediaSource.MixSource
        || source instanceof MediaSource.ShellSource || source instanceof SharedSource
        || source instanceof MediaSource.ShellsSource || source instanceof MediaSource.IvfSource) {
      throw new InvalidParamsException("source", "an RTMP stream plays files and URLs only, not "
          + "PCM, mixes, shell commands, IVF files or shared sources");
    }
    SourceFiles.check(source);
    engine.setSource(source);
  }

  /**
   * Pauses the current source at its position; the connection stays up with the hold stream
   * (fallback mode: ffmpeg is killed and nothing is sent until resume). No-op if paused or closed.
   *
   * @return whether this paused the stream
   */
  public boolean pause() {
    return engine.pause();
  }

  /**
   * Continues the current source from the paused (or sought) position. No-op if not paused.
   *
   * @return whether this resumed the stream
   */
  public boolean resume() {
    return engine.resume();
  }

  /**
   * Moves the current source to a position; applies at once while playing and on resume while
   * paused.
   *
   * @param positionMillis media position within the current source, &gt;= 0
   * @throws IllegalArgumentException if negative
   */
  public void seek(long positionMillis) {
    if (positionMillis < 0) {
      throw new IllegalArgumentException("positionMillis must be >= 0, got " + positionMillis);
    }
    engine.seek(positionMillis);
  }

  /** @return media position within the current source in milliseconds (last sent tag) */
  public long positionMillis() {
    return engine.positionMillis();
  }

  /**
   * @return the running RTMP timestamp in milliseconds, continuous and non-decreasing across
   *     source changes and pauses (fallback mode: total time ffmpeg has pushed)
   */
  public long streamTimeMillis() {
    return engine.streamTimeMillis();
  }

  /**
   * Unpublishes (FCUnpublish, deleteStream), closes the connection, kills ffmpeg and joins the
   * sender thread (at most 5 s; a reconnect still waiting for the ingest then ends by itself and
   * closes what it connected), then posts CLOSED if {@link #start()} had succeeded. Idempotent;
   * only the first call posts CLOSED.
   */
  @Override
  public void close() {
    if (engine.close()) {
      events.connection(ConnectionState.CLOSED, null);
    }
  }
}
