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
 * paces one source's frames on another source's baseline, and with an epoch: the number of times
 * the source had stopped being readable (paused or held) when the publisher set it. After a pause
 * the old origin lies in the past by the paused time; a track that resumes waits for an origin of
 * the new epoch instead of catching up on the old one in a burst. Thread-safe: one publisher at a
 * time replaces an immutable triple.
 */
public final class MediaTimeline {
  /** Returned by {@link #originNanos} when no origin is known for a source. */
  public static final long UNKNOWN = Long.MIN_VALUE;

  private record Origin(Object source, long nanos, long epoch) {}

  private volatile Origin origin;

  /**
   * Sets the origin of a source, valid for every epoch; replaces any previous one (a rebase after
   * a pause or stall moves it forward).
   *
   * @param source the source the origin belongs to, compared by identity; not null
   * @param originNanos the clock time of its media time 0, nanoseconds
   */
  public void publish(Object source, long originNanos) {
    publish(source, originNanos, Long.MAX_VALUE);
  }

  /**
   * Sets the origin of a source for one epoch; replaces any previous one.
   *
   * @param source the source the origin belongs to, compared by identity; not null
   * @param originNanos the clock time of its media time 0, nanoseconds
   * @param epoch how many times the source had stopped being readable (a pause or hold began)
   *     when the publisher (re)started its pacing: its count of the source slot's stops
   */
  public void publish(Object source, long originNanos, long epoch) {
    Origin o = origin;
    if (o == null || o.source != source || o.nanos != originNanos || o.epoch != epoch) {
      origin = new Origin(source, originNanos, epoch); // no garbage per audio frame
    }
  }

  /**
   * @param source the source whose baseline is wanted
   * @return the clock time of its media time 0 in nanoseconds, or {@link #UNKNOWN} if the last
   *     origin published belongs to another source (or none was published)
   */
  public long originNanos(Object source) {
    return originNanos(source, Long.MIN_VALUE);
  }

  /**
   * @param source the source whose baseline is wanted
   * @param minEpoch the oldest epoch accepted (see {@link #publish(Object, long, long)})
   * @return the clock time of its media time 0 in nanoseconds, or {@link #UNKNOWN} if the last
   *     origin published belongs to another source, to an older epoch, or none was published
   */
  public long originNanos(Object source, long minEpoch) {
    Origin o = origin;
    return o != null && o.source == source && o.epoch >= minEpoch ? o.nanos : UNKNOWN;
  }
}
