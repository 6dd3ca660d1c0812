package org.tgcalls4j;

import java.util.Objects;
import org.tgcalls4j.internal.audio.PcmAccess;
import org.tgcalls4j.internal.audio.PcmQueue;

/**
 * Audio the application pushes as PCM: 48 kHz, signed 16-bit, mono or stereo (interleaved
 * left/right), for example text-to-speech output. Play it with {@link MediaSource#pcm} (alone, or
 * under/over other sources with {@link MediaSource#mix}). The call takes 20 ms frames (960 samples
 * per channel) from the queue and encodes them in-process with Opus (Concentus) at the client's
 * {@link TgCalls.Builder#audioBitrateKbps audio bitrate}; samples that do not fill a 20 ms frame
 * wait for more.
 *
 * <p>Timing: the call's media clock runs in real time whether or not samples are queued. The call
 * takes each frame up to 20 ms before its send time, so a producer pushing in real time should keep
 * at least 40–60 ms queued to avoid gaps; pushing faster than real time is fine up to the queue
 * limit ({@link #offer} then returns false, {@link #put} blocks). While less than a frame is
 * queued the call sends, per {@link WhenEmpty}, encoded silence or nothing. While the call is
 * paused or has no connection the queue is not read (it fills up to its limit).
 *
 * <p>Threads: any number of threads may push, query, clear and close; the pushes of one thread are
 * queued in order. One call (or one mix) reads a source at a time; playing it in a second place
 * while the first still plays is refused with {@link InvalidParamsException} (field
 * {@code source}). If nothing reads the source (it was replaced, or the call ended), {@link #put}
 * blocks until room is made by {@link #clear()} or it is {@link #close() closed}.
 *
 * <p>Buffers: the pushed samples are copied before the method returns; the caller keeps its array.
 */
public final class PcmPushSource {
  static {
    PcmAccess.install(new PcmAccess.Accessor() {
      @Override
      public PcmQueue queue(PcmPushSource source) {
        return source.queue;
      }

      @Override
      public boolean silenceWhenEmpty(PcmPushSource source) {
        return source.whenEmpty == WhenEmpty.SILENCE;
      }
    });
  }

  /** What the call sends while less than one 20 ms frame is queued. */
  public enum WhenEmpty {
    /**
     * Encoded silence, one packet every 20 ms: the receiver hears a continuous stream. The choice
     * for a source that pauses between utterances but should stay "on".
     */
    SILENCE,
    /**
     * No packets at all (discontinuous transmission, RFC 3551 §4.1): the 20 ms slot passes, the RTP
     * timestamp advances by 960 and the first packet after the gap carries the marker bit. The
     * stream does not end.
     */
    NOTHING
  }

  private final PcmQueue queue;
  private final WhenEmpty whenEmpty;

  private PcmPushSource(PcmQueue queue, WhenEmpty whenEmpty) {
    this.queue = queue;
    this.whenEmpty = whenEmpty;
  }

  /**
   * @param channels 1 (mono) or 2 (stereo, interleaved left, right)
   * @param queueLimitMillis the most audio the queue holds, ms, 1 to 3,600,000; a limit under
   *     20 ms is raised to one 20 ms frame
   * @param whenEmpty what the call sends while the queue holds less than a frame
   * @return a new, open source with an empty queue
   * @throws IllegalArgumentException if channels is not 1 or 2 or queueLimitMillis is out of range
   * @throws NullPointerException if whenEmpty is null
   */
  public static PcmPushSource create(int channels, long queueLimitMillis, WhenEmpty whenEmpty) {
    Objects.requireNonNull(whenEmpty, "whenEmpty");
    return new PcmPushSource(new PcmQueue(channels, queueLimitMillis), whenEmpty);
  }

  /** @return 1 or 2 */
  public int channels() {
    return queue.channels();
  }

  /** @return the queue limit, ms */
  public long queueLimitMillis() {
    return queue.limitMillis();
  }

  /** @return what is sent while the queue is empty */
  public WhenEmpty whenEmpty() {
    return whenEmpty;
  }

  /**
   * Queues {@code samples[offset, offset + length)} if all of it fits under the limit. Never
   * blocks.
   *
   * @param samples 48 kHz signed 16-bit samples, channels interleaved
   * @param offset first sample
   * @param length number of samples (all channels counted), a multiple of {@link #channels()}
   * @return true if queued; false if it would exceed the queue limit (nothing is queued then)
   * @throws IllegalArgumentException if length is not a multiple of the channel count
   * @throws IndexOutOfBoundsException if the range lies outside the array
   * @throws IllegalStateException if the source is closed
   * @throws NullPointerException if samples is null
   */
  public boolean offer(short[] samples, int offset, int length) {
    return queue.offer(samples, offset, length);
  }

  /**
   * As {@link #offer(short[], int, int)}, for little-endian 16-bit samples ({@code s16le}); the
   * bytes are copied, the array stays the caller's. Any thread.
   *
   * @param samples 48 kHz {@code s16le} samples, channels interleaved
   * @param offset first byte
   * @param length number of bytes, a multiple of {@code 2 × channels()}
   * @return true if queued; false if it would exceed the queue limit (nothing is queued then)
   * @throws IllegalArgumentException if length is not a multiple of {@code 2 × channels()}
   * @throws IndexOutOfBoundsException if the range lies outside the array
   * @throws IllegalStateException if the source is closed
   * @throws NullPointerException if samples is null
   */
  public boolean offer(byte[] samples, int offset, int length) {
    return queue.offer(samples, offset, length);
  }

  /**
   * Queues {@code samples[offset, offset + length)}, blocking until there is room. A range longer
   * than the queue limit goes in piece by piece as the call takes frames, so this returns when the
   * last piece is queued.
   *
   * @param samples 48 kHz signed 16-bit samples, channels interleaved
   * @param offset first sample
   * @param length number of samples (all channels counted), a multiple of {@link #channels()}
   * @throws InterruptedException if the thread is interrupted while waiting; the part queued so
   *     far stays queued
   * @throws IllegalArgumentException if length is not a multiple of the channel count
   * @throws IndexOutOfBoundsException if the range lies outside the array
   * @throws IllegalStateException if the source is closed, or is closed while this waits (the part
   *     queued so far stays queued)
   * @throws NullPointerException if samples is null
   */
  public void put(short[] samples, int offset, int length) throws InterruptedException {
    queue.put(samples, offset, length);
  }

  /**
   * As {@link #put(short[], int, int)}, for little-endian 16-bit samples ({@code s16le}); the
   * bytes are copied, the array stays the caller's. Any thread.
   *
   * @param samples 48 kHz {@code s16le} samples, channels interleaved
   * @param offset first byte
   * @param length number of bytes, a multiple of {@code 2 × channels()}
   * @throws InterruptedException if interrupted while waiting; the part queued so far stays
   * @throws IllegalArgumentException if length is not a multiple of {@code 2 × channels()}
   * @throws IndexOutOfBoundsException if the range lies outside the array
   * @throws IllegalStateException if the source is closed, or is closed while this waits
   * @throws NullPointerException if samples is null
   */
  public void put(byte[] samples, int offset, int length) throws InterruptedException {
    queue.put(samples, offset, length);
  }

  /** @return audio queued and not yet taken by the call, ms (rounded down) */
  public long queuedMillis() {
    return queue.queuedMillis();
  }

  /**
   * Drops everything queued, including samples waiting to fill a frame (for example to cut speech
   * short when the user interrupts); wakes blocked {@link #put} calls. The source stays open.
   */
  public void clear() {
    queue.clear();
  }

  /**
   * Ends the source: no more pushes are accepted ({@link #offer}/{@link #put} then throw
   * {@link IllegalStateException}, including a put blocked now). The call still plays what is
   * queued (a last partial frame padded with silence); when the queue has drained the source ends,
   * which fires {@link StreamListener} for a source played alone, or ends this input of a mix. To
   * stop at once, {@link #clear()} first. Idempotent.
   */
  public void close() {
    queue.close();
  }

  /** @return whether {@link #close()} was called */
  public boolean isClosed() {
    return queue.isClosed();
  }
}
