package org.tgcalls4j.internal.pacing;

/**
 * The shared baseline of one call's tracks: for the source being played, the {@link NanoClock}
 * time at which its media time 0 is (or would have been) sent. The audio sender publishes its
 * pacer's start here (after every start or rebase); the video sender paces each frame on
 * {@code origin + frame media time} of the same source, so audio and video of one ffmpeg process
 * leave together however long the call runs, and both tracks' RTCP sender reports map the same
 * NTP instant to the same media position (RFC 3550 §6.4.1, lip sync by CNAME, §6.5.1).
 *
 * <p>The origin is tagged with the source it belongs to (compared by identity), so a track never
 * paces one source's frames on another source's baseline. Thread-safe: one publisher at a time
 * replaces an immutable pair.
 */
public final class MediaTimeline {
  /** Returned by {@link #originNanos} when no origin is known for a source. */
  public static final long UNKNOWN = Long.MIN_VALUE;

  private record Origin(Object source, long nanos) {}

  private volatile Origin origin;

  /**
   * Sets the origin of a source; replaces any previous one (a rebase after a pause or stall moves
   * it forward).
   *
   * @param source the source the origin belongs to, compared by identity; not null
   * @param originNanos the clock time of its media time 0, nanoseconds
   */
  public void publish(Object source, long originNanos) {
    Origin o = origin;
    if (o == null || o.source != source || o.nanos != originNanos) { // no garbage per audio frame
      origin = new Origin(source, originNanos);
    }
  }

  /**
   * @param source the source whose baseline is wanted
   * @return the clock time of its media time 0 in nanoseconds, or {@link #UNKNOWN} if the last
   *     origin published belongs to another source (or none was published)
   */
  public long originNanos(Object source) {
    Origin o = origin;
    return o != null && o.source == source ? o.nanos : UNKNOWN;
  }
}
