package org.tgcalls4j;

import org.tgcalls4j.internal.call.SharedAccess;
import org.tgcalls4j.internal.call.SharedFrameHub;

/**
 * A source opened once and played live into any number of calls: one ffmpeg process (or one
 * Ogg/Opus reader, one in-process encoder) for all of them, like a radio station. Create it with
 * {@link TgCalls#share(MediaSource)} and pass it to {@link Call#setSource} of each
 * {@link GroupCall} or {@link PrivateCall}:
 *
 * <pre>{@code
 * SharedSource station = calls.share(MediaSource.url("https://radio.example/stream.m3u8"));
 * for (GroupCall call : chats) {
 *   call.setSource(station);   // each call hears the station from now on
 * }
 * ...
 * firstCall.stop();            // the others go on
 * station.close();             // or let the last call leave: the station closes with it
 * }</pre>
 *
 * <p><b>Live position.</b> The station starts playing when {@link TgCalls#share} returns, in real
 * time, whether or not a call listens. A call that is given the station hears it from the next
 * 20 ms frame on, not from the beginning of the source. Each call packetizes the shared Opus frames
 * itself: its SSRC, RTP sequence numbers, timestamps and SRTP context are its own.
 *
 * <p><b>Per call versus shared.</b>
 * <ul>
 *   <li>{@link Call#pause()} and {@link Call#resume()} affect only that call: while paused it sends
 *       nothing and misses what the station plays; on resume it continues at the live position
 *       (not where it paused). {@link GroupCall#mute()} and {@link PrivateCall#mute()} likewise only replace that call's
 *       audio with silence (the station's position runs on).</li>
 *   <li>{@link Call#positionMillis()} of a call is the media time that call has sent since it was
 *       given the station; {@link #positionMillis()} is the station's own position.</li>
 *   <li>A station cannot seek: it is live and has no seek method, and moving it would move every
 *       call. {@link Call#seek} on a group or private call playing a station is refused
 *       ({@link InvalidParamsException}, field {@code source}); an {@link RtmpStream} refuses a station
 *       in {@link Call#setSource} ({@link InvalidParamsException}, field {@code source}).</li>
 *   <li>{@link Call#stop()}, or giving the call another source, makes that call leave the station;
 *       the others go on. When the last call leaves (after at least one joined) the station
 *       closes: its ffmpeg is killed and it cannot be shared again.</li>
 *   <li>When the source ends (end of file, a network stream that closes, ffmpeg failing), every
 *       call playing the station reports one {@link StreamListener#onStreamEnd} with the same
 *       error (null at a normal end), after the frames already published.</li>
 *   <li>{@link #close()} ends the station for every call: each reports
 *       {@link StreamListener#onStreamEnd} with a null error and then sends nothing.</li>
 * </ul>
 *
 * <p>A call that falls more than the client's {@link TgCalls.Builder#pacingLatenessLimit pacing
 * lateness limit} (default 200 ms) behind the station (its thread stalled, its connection lost
 * and rejoined) skips ahead to the live frame rather than slowing the others; the station
 * never waits for a call. {@link #framesSkipped()} counts such skips.
 *
 * <p>Threads: one reader thread per station (plus, for an ffmpeg-backed source, ffmpeg's stderr
 * pump), made by the client's thread factory; none per call beyond the call's own. Every method
 * may be called from any thread. A station cannot be an input of {@link MediaSource#mix}.
 */
public final class SharedSource implements MediaSource, AutoCloseable {
  static {
    SharedAccess.install(source -> source.hub);
  }

  private final SharedFrameHub hub;
  private final String description;

  SharedSource(SharedFrameHub hub, String description) {
    this.hub = hub;
    this.description = description;
  }

  /** @return calls playing the station now */
  public int callCount() {
    return hub.subscribers();
  }

  /**
   * @return the station's media position: audio played since {@link TgCalls#share} returned
   *     (from the first frame the source delivered), ms
   */
  public long positionMillis() {
    return hub.positionMillis();
  }

  /**
   * @return 20 ms frames that calls skipped to catch up with the live position, summed over the
   *     calls: what a call given the station before it connected missed until it connected, and
   *     what a call missed while paused or stalled for more than 200 ms
   */
  public long framesSkipped() {
    return hub.skippedFrames();
  }

  /**
   * @return true once the station cannot be given to a call any more: it was closed (explicitly,
   *     by its last call leaving, or by {@link TgCalls#close()}) or its source ended
   */
  public boolean isClosed() {
    return hub.isClosed() || hub.isEnded();
  }

  /**
   * Stops the station: kills its ffmpeg (or closes its file), stops its reader thread, and ends it
   * for every call playing it (each reports {@link StreamListener#onStreamEnd} with a null error).
   * Idempotent; waits up to 2 s for the reader thread. A later {@link Call#setSource} with this
   * station throws {@link InvalidParamsException} (field {@code source}).
   */
  @Override
  public void close() {
    hub.close();
  }

  @Override
  public String toString() {
    return "SharedSource[" + description + "]";
  }
}
