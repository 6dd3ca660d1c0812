package org.tgcalls4j.internal.call;

import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.internal.ivf.IvfReader;

/**
 * A source with a video track beside its audio on one timeline (one ffmpeg process writing both,
 * {@link FfmpegAvSource}, or separate inputs paced together, {@link SeparateAvSource}): the audio
 * sender reads {@link #nextFrame()} as from any {@link OpusFrameSource}, the video sender reads
 * {@link #video()}. {@link #close()} ends both.
 */
interface AudioVideoSource extends OpusFrameSource {
  /**
   * @return the VP8 stream, read by one thread (the call's loop or the video's read-ahead thread,
   *     see {@link #videoReadsWithoutWaiting()}); its frames' pts are on the
   *     same time origin as the audio's media time (0 = the first audio sample)
   */
  IvfReader video();

  /**
   * @return whether {@link #video()} never waits long (an IVF file): the video sender then reads
   *     it on the call's event loop. By default false: a stream an ffmpeg child writes is read a
   *     few frames ahead by a thread of its own ({@link VideoFrames#readAhead}), so the loop never
   *     waits on it
   */
  default boolean videoReadsWithoutWaiting() {
    return false;
  }

  /**
   * Called by the video sender once the video stream ended, to tell a video leg that ended while
   * the source goes on (its audio continues) from the end of the whole source (the process that
   * writes both exited, normally or not). ffmpeg keeps every output open until it exits, so for
   * {@link FfmpegAvSource} a clean video end means ffmpeg is exiting; a source with a separate
   * video process would answer whether its audio still runs.
   *
   * @param timeoutMillis longest wait, ms
   * @return true if the whole source has ended (then {@link #endError()} returns at once); false
   *     if it still runs after the wait. By default true: a source without a process ends with
   *     its streams
   * @throws InterruptedException if the video sender is closed while this waits
   */
  default boolean awaitEnd(long timeoutMillis) throws InterruptedException {
    return true;
  }

  /**
   * The error the video track's stream end carries, asked by {@link TrackEnds} off the call's
   * loop once the video stream ended; may wait briefly (for a process to exit).
   *
   * @param sourceEnded what {@link #awaitEnd} answered: whether the whole source ended
   * @param readError why reading the video failed, or null at a clean end of its stream
   * @return by default {@link #endError()} when the whole source ended (one process wrote both
   *     tracks, so its exit decides for both), else the read error as an
   *     {@link org.tgcalls4j.InvalidParamsException} (field {@code source}), or null. A source
   *     whose video has a process of its own returns that process's crash error first
   */
  default TgCallsException videoEndError(boolean sourceEnded, java.io.IOException readError) {
    return sourceEnded ? endError() : TrackEnds.unreadable(readError);
  }

  /**
   * Told by {@link TrackEnds} once it has reported the video's end, or found that there was
   * nothing to report (the source was replaced or stopped meanwhile); off the call's loop. A source whose audio outlasts nothing of its own (silence while the video plays)
   * ends its audio after this, so that the audio's end follows the video's. By default nothing.
   */
  default void videoEndHandled() {
  }
}
