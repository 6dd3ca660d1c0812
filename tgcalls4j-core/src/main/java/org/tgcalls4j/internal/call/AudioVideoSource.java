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
}
