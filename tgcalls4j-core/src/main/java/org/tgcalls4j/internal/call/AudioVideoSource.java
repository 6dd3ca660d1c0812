package org.tgcalls4j.internal.call;

import org.tgcalls4j.internal.ivf.IvfReader;

/**
 * A source with a video track beside its audio, both from one ffmpeg process so they share one
 * timeline: the audio sender reads {@link #nextFrame()} as from any {@link OpusFrameSource}, the
 * video sender reads {@link #video()}. {@link #close()} ends both.
 */
interface AudioVideoSource extends OpusFrameSource {
  /**
   * @return the VP8 stream, read only by the video sender's thread; its frames' pts are on the
   *     same time origin as the audio's media time (0 = the first audio sample)
   */
  IvfReader video();

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
   * @throws InterruptedException if the video sender is interrupted (closed) while waiting
   */
  default boolean awaitEnd(long timeoutMillis) throws InterruptedException {
    return true;
  }
}
