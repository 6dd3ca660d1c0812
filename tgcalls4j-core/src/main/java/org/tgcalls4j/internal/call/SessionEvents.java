package org.tgcalls4j.internal.call;

import org.tgcalls4j.AudioFrame;
import org.tgcalls4j.ConnectionState;
import org.tgcalls4j.TgCallsException;

/**
 * What a call reports to its client. Invoked on the call's own threads; the client re-posts each
 * event to its dispatcher thread. States arrive in the order
 * of the call's transitions: CONNECTING and CONNECTED again after each rejoin, FAILED or CLOSED
 * once and last.
 */
public interface SessionEvents {
  /**
   * @param state the new state
   * @param cause set for {@link ConnectionState#FAILED} and {@link ConnectionState#DISCONNECTED},
   *     else null
   */
  void onState(ConnectionState state, TgCallsException cause);

  /** @param error null when the source ended normally, else why it ended */
  void onStreamEnd(TgCallsException error);

  /**
   * 20 ms of received audio (only when {@link SessionConfig#audioIn()} is set); on the client's
   * audio-in thread, not the dispatcher. Exceptions are logged and contained by the caller.
   *
   * @param frame a new frame, owned by the callee
   */
  default void onAudioFrame(AudioFrame frame) {}
}
