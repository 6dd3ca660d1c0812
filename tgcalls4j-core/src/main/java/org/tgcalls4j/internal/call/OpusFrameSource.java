package org.tgcalls4j.internal.call;

import java.io.IOException;
import org.tgcalls4j.TgCallsException;

/**
 * A pull source of Opus packets at 48 kHz. Implementations are used by one reader at a time (the
 * call's event loop through {@link #pollFrame()}, or a thread that may wait in
 * {@link #nextFrame()}); {@link #close()} may be called from any thread and makes a blocked
 * {@link #nextFrame()} return promptly.
 */
interface OpusFrameSource extends AutoCloseable {
  /**
   * Returned by {@link #nextFrame()} for "nothing in this 20 ms slot" (an empty push queue with
   * {@code WhenEmpty.NOTHING}): the sender lets the slot pass on the media clock without sending,
   * the RTP timestamp advances by 960 and the next packet carries the marker bit. Any empty array
   * means the same; compare by length. Shared: never write to it.
   */
  byte[] NOTHING = new byte[0];

  /**
   * Returned by {@link #pollFrame()} when the next packet is not there yet: ask again later. Told
   * apart from {@link #NOTHING} by identity. Shared: never write to it.
   */
  byte[] NOT_READY = new byte[0];

  /**
   * @return the next Opus packet, {@link #NOTHING} (length 0) to skip one 20 ms slot, or null
   *     when the source ended; the caller may keep the array but never writes to it (a shared
   *     source hands the same array to every call)
   * @throws IOException if the stream is malformed or broken; the source has ended then
   */
  byte[] nextFrame() throws IOException;

  /**
   * @return whether {@link #nextFrame()} returns without waiting on anything but a local file or
   *     memory (an Ogg file, pushed PCM, a mix of those, a shared source's view), so that an event
   *     loop may read it through {@link #pollFrame()}; false (the default) for a pipe from ffmpeg,
   *     which a call reads ahead on a thread of its own
   */
  default boolean readsWithoutWaiting() {
    return false;
  }

  /**
   * Reads without waiting; only for sources that {@link #readsWithoutWaiting()}.
   *
   * @return as {@link #nextFrame()}, or {@link #NOT_READY} if the next packet is not there yet
   * @throws IOException as {@link #nextFrame()}
   */
  default byte[] pollFrame() throws IOException {
    return nextFrame();
  }

  /**
   * @return why the source ended abnormally (for example ffmpeg's exit code and stderr tail), or
   *     null if it reached its end normally; meaningful after {@link #nextFrame()} returned null or
   *     threw
   */
  TgCallsException endError();

  /**
   * Whether the source's first output is there, so that it can take over from a playing source
   * without a gap: true once ffmpeg has written something (or ended); true for sources that do not
   * wait on ffmpeg. Does not wait; called before anyone reads the source.
   *
   * @return whether reading would not wait for ffmpeg's start-up
   */
  default boolean hasOutput() {
    return true;
  }

  /** Releases the file or kills the ffmpeg process; idempotent, any thread. */
  @Override
  void close();
}
