package org.tgcalls4j.internal.rtmpcall;

import org.tgcalls4j.MediaSource;
import org.tgcalls4j.TgCallsException;

/** The two ways {@link RtmpCall} can push: its own publisher, or ffmpeg pushing directly. */
interface Engine {
  void start() throws TgCallsException;

  void setSource(MediaSource source) throws TgCallsException;

  /** @return whether the stream was not paused before (false also once closed) */
  boolean pause();

  /** @return whether the stream was paused before (false also once closed) */
  boolean resume();

  void seek(long positionMillis);

  long positionMillis();

  long streamTimeMillis();

  /**
   * Stops everything. Returns true only for the first call, and only if {@link #start()} had
   * succeeded (CONNECTED was posted), i.e. when CLOSED must follow; no event is posted after it.
   */
  boolean close();
}
