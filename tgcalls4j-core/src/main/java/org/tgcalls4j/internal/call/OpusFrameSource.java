package org.tgcalls4j.internal.call;

import java.io.IOException;
import org.tgcalls4j.TgCallsException;

/**
 * A pull source of Opus packets at 48 kHz, read by the call's sender thread. Implementations are
 * used by one reader thread; {@link #close()} may be called from any thread and makes a blocked
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
   * @return the next Opus packet (the caller owns the array), {@link #NOTHING} (length 0) to skip
   *     one 20 ms slot, or null when the source ended
   * @throws IOException if the stream is malformed or broken; the source has ended then
   */
  byte[] nextFrame() throws IOException;

  /**
   * @return why the source ended abnormally (for example ffmpeg's exit code and stderr tail), or
   *     null if it reached its end normally; meaningful after {@link #nextFrame()} returned null or
   *     threw
   */
  TgCallsException endError();

  /** Releases the file or kills the ffmpeg process; idempotent, any thread. */
  @Override
  void close();
}
