package org.tgcalls4j.internal.call;

import org.tgcalls4j.AudioFrame;
import org.tgcalls4j.ConnectionState;
import org.tgcalls4j.MediaState;
import org.tgcalls4j.StreamType;
import org.tgcalls4j.TgCallsException;

/**
 * What a call reports to its client. Invoked on the call's own threads; the client re-posts each
 * event to its dispatcher thread. States arrive in the order
 * of the call's transitions: CONNECTING and CONNECTED again after each rejoin, FAILED, TIMEOUT or CLOSED
 * once and last.
 */
public interface SessionEvents {
  /**
   * @param state the new state
   * @param cause set for {@link ConnectionState#FAILED}, {@link ConnectionState#TIMEOUT} and
   *     {@link ConnectionState#DISCONNECTED}, else null
   */
  void onState(ConnectionState state, TgCallsException cause);

  /**
   * The audio track's end (what {@link #onStreamEnd(StreamType, TgCallsException)} forwards).
   *
   * @param error null when the source ended normally, else why it ended
   */
  void onStreamEnd(TgCallsException error);

  /**
   * One track of the current source ended on its own; once per track and source, never for a
   * stop, a replaced source or a seek. A source with video reports VIDEO before AUDIO. By default
   * AUDIO is forwarded to {@link #onStreamEnd(TgCallsException)} and VIDEO is dropped.
   *
   * @param type the track
   * @param error null when it ended normally, else why it ended
   */
  default void onStreamEnd(StreamType type, TgCallsException error) {
    if (type == StreamType.AUDIO) {
      onStreamEnd(error);
    }
  }

  /**
   * A spontaneous media change (the video leg ended while the audio goes on), after the
   * corresponding stream end. Does nothing by default.
   *
   * @param state what the call sends now
   */
  default void onUpgrade(MediaState state) {}

  /**
   * 20 ms of received audio (only when {@link SessionConfig#audioIn()} is set); on the client's
   * audio-in thread, not the dispatcher. Exceptions are logged and contained by the caller.
   *
   * @param frame a new frame, owned by the callee
   */
  default void onAudioFrame(AudioFrame frame) {}

  /**
   * The call's senders dropped frames they reached more than the client's lateness limit after
   * their deadline (the loop was overloaded); at most once a second per call. Does nothing by
   * default. Invoked on the call's loop: the client re-posts it to its dispatcher.
   *
   * @param framesDropped frames dropped since the last such event (audio and video)
   * @param limitMillis the lateness limit, ms
   */
  default void onPacingOverload(long framesDropped, long limitMillis) {}
}
