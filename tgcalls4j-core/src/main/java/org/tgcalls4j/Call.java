package org.tgcalls4j;

/**
 * One call of a {@link TgCalls} client: a {@link GroupCall} (the chat's voice chat or its
 * presentation) or an {@link RtmpStream}. Obtained from the client; every method may be called
 * from any thread. After {@link #stop()} (or a terminal state) every control method throws
 * {@link ConnectionNotFoundException} and the client no longer lists the call.
 */
public sealed interface Call extends AutoCloseable permits GroupCall, RtmpStream, PrivateCall {
  /** @return the chat the call belongs to */
  long chatId();

  /** @return what the call is */
  CallKind kind();

  /** @return the connection state now (the last state reported, or about to be) */
  ConnectionState state();

  /**
   * Plays a source, replacing the current one without a stream-end event. A group call may be
   * given its source before it connects; playback starts once connected. A paused call stays
   * paused: the new source starts at its beginning on {@link #resume()}. While a source plays,
   * this waits until the new one has started (ffmpeg's first output, typically 100-500 ms, at most
   * 3 s) and the old one plays on meanwhile, so the switch leaves no gap.
   *
   * @param source what to play; a {@link SharedSource} is not opened again: the call joins it at its
   *     live position (see there for pause, seek and stop on a shared source)
   * @throws InvalidParamsException if a local file is missing or unreadable; (field {@code source})
   *     if a {@link SharedSource} is closed or has ended, or an RTMP stream is given one
   * @throws FfmpegSpawnException if ffmpeg cannot be started
   * @throws ConnectionNotFoundException if the call was stopped or failed
   */
  void setSource(MediaSource source) throws TgCallsException;

  /**
   * Pauses sending; the source keeps its position. A group call stops sending audio, and video
   * if its source has some (receivers hold the last frame); an RTMP stream switches to its hold
   * stream and keeps the ingest connection.
   *
   * @return true if the call was playing and is now paused; false if it was paused already
   * @throws ConnectionNotFoundException if the call was stopped or failed
   */
  boolean pause() throws TgCallsException;

  /**
   * Resumes after {@link #pause()} from the paused position. A group call's tracks continue
   * together, paced from the resume: the paused time is a gap, not media to catch up in a burst.
   *
   * @return true if the call was paused and now plays; false if it was not paused
   * @throws ConnectionNotFoundException if the call was stopped or failed
   */
  boolean resume() throws TgCallsException;

  /**
   * Restarts the current source at a position; a paused call stays paused there.
   *
   * @param positionMillis position within the current source, ms, at least 0
   * @throws IllegalArgumentException if {@code positionMillis} is negative
   * @throws InvalidParamsException if the current source cannot seek (pushed PCM, a mix, a shell
   *     command, a {@link SharedSource}) or nothing is playing
   * @throws FfmpegSpawnException if ffmpeg cannot be started
   * @throws ConnectionNotFoundException if the call was stopped or failed
   */
  void seek(long positionMillis) throws TgCallsException;

  /**
   * Seeks relative to the current position: {@code seek(max(0, positionMillis() + deltaMillis))}.
   *
   * @param deltaMillis how far to move, ms; negative goes back
   * @throws InvalidParamsException if the current source cannot seek or nothing is playing
   * @throws FfmpegSpawnException if ffmpeg cannot be started
   * @throws ConnectionNotFoundException if the call was stopped or failed
   */
  default void seekBy(long deltaMillis) throws TgCallsException {
    seek(Math.max(0, positionMillis() + deltaMillis));
  }

  /**
   * @return the media position within the current source, ms
   * @throws ConnectionNotFoundException if the call was stopped or failed
   */
  long positionMillis() throws TgCallsException;

  /**
   * Ends the call: stops sending, kills its ffmpeg, closes its sockets and reports
   * {@link ConnectionState#CLOSED}. For a group call the application then calls
   * {@code phone.leaveGroupCall} (or {@code leaveGroupCallPresentation}). Idempotent.
   */
  void stop();

  /** Same as {@link #stop()}. */
  @Override
  void close();
}
