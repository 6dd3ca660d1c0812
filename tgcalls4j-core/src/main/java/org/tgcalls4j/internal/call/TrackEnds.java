package org.tgcalls4j.internal.call;

import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tgcalls4j.InvalidParamsException;
import org.tgcalls4j.MediaState;
import org.tgcalls4j.StreamType;
import org.tgcalls4j.TgCallsException;

/**
 * Decides what a video stream's end means for a call with video and reports it, exactly once per
 * source, through {@link SourceSlot#endVideo} (the audio's end is reported by the audio sender
 * through {@link SourceSlot#finishedTracks}, which ends an unreported video too):
 *
 * <ul>
 *   <li>the process writing both tracks exits within the grace time: the whole source ended, and
 *       the video's end carries the source's {@link AudioVideoSource#endError()} (null at a
 *       natural end, the crash error of a killed ffmpeg); the audio's end follows with the same;
 *   <li>it goes on: the video leg ended alone while the audio plays on, a spontaneous media
 *       change: the video's end (null, or the read error) and then an {@code onUpgrade} with
 *       {@code videoStopped};
 *   <li>the source was replaced, sought or stopped meanwhile, or its video end was reported
 *       already: nothing.
 * </ul>
 *
 * <p>"The whole source ended" is the source's {@link AudioVideoSource#awaitEnd} (for a
 * {@link SeparateAvSource}: its audio leg ended) and the video's error its
 * {@link AudioVideoSource#videoEndError} (there: the video's own ffmpeg's crash). Either way the
 * source is told {@link AudioVideoSource#videoEndHandled()} afterwards.
 *
 * <p>Threads: {@link #videoEnded} runs off the call's loop (the video sender hands it to the
 * ffmpeg reader's thread, or for a file to the client's control pool) and blocks up to the grace
 * time while the source stays current; events are posted under the slot's lock, which orders them
 * before any later audio end.
 */
final class TrackEnds {
  private static final Logger log = LoggerFactory.getLogger(TrackEnds.class);
  /**
   * How long ffmpeg may take to exit after a source's video stream ended before the video counts
   * as ended alone: at a source's natural end both streams end together and ffmpeg exits at once.
   */
  static final long VIDEO_END_GRACE_MILLIS = 2_000;
  /** Step of the wait for the process, ms. */
  private static final long POLL_MILLIS = 50;

  private final SourceSlot sources;
  private final SessionEvents events;
  private final String name;
  private final long graceMillis;

  /**
   * @param sources the call's source slot
   * @param events where the ends and media changes go
   * @param name how logs name the call
   * @param graceMillis how long to wait for the source's process to exit, ms
   */
  TrackEnds(SourceSlot sources, SessionEvents events, String name, long graceMillis) {
    this.sources = sources;
    this.events = events;
    this.name = name;
    this.graceMillis = graceMillis;
  }

  /**
   * Waits up to the grace time for the source's process to exit, in steps, giving up early when
   * the source is replaced, sought or stopped.
   *
   * @return whether the whole source ended
   */
  private boolean awaitSourceEnd(AudioVideoSource av) throws InterruptedException {
    long deadline = System.nanoTime() + graceMillis * 1_000_000L;
    while (true) {
      if (av.awaitEnd(Math.min(POLL_MILLIS, graceMillis))) {
        return true;
      }
      if (System.nanoTime() - deadline >= 0 || !sources.isCurrent(av)) {
        return false;
      }
    }
  }

  /** @return the stream end's error for a video that could not be read, or null for none */
  static TgCallsException unreadable(IOException readError) {
    return readError == null ? null : new InvalidParamsException("source",
        "unreadable video: " + readError.getMessage(), readError);
  }

  /**
   * The video stream of {@code av} ended ({@link VideoSender.VideoEndListener}).
   *
   * @param av the source
   * @param readError why reading failed, or null at a clean end of stream
   * @throws InterruptedException if the video sender is closed while waiting
   */
  void videoEnded(AudioVideoSource av, IOException readError) throws InterruptedException {
    try {
      report(av, readError);
    } finally {
      av.videoEndHandled();
    }
  }

  private void report(AudioVideoSource av, IOException readError) throws InterruptedException {
    boolean sourceEnded = awaitSourceEnd(av);
    if (!sourceEnded && !sources.isCurrent(av)) {
      return; // replaced, sought or stopped meanwhile: nothing to report; its successor plays on
    }
    TgCallsException error = av.videoEndError(sourceEnded, readError);
    boolean reported = sources.endVideo(av, () -> {
      events.onStreamEnd(StreamType.VIDEO, error);
      if (!sourceEnded) {
        events.onUpgrade(new MediaState(sources.isMuted(), sources.isPaused(), true));
      }
    });
    if (reported) {
      log.debug("{}: video ended{}{}", name, sourceEnded ? "" : " while the audio goes on",
          error == null ? "" : ": " + error.getMessage());
    }
  }
}
