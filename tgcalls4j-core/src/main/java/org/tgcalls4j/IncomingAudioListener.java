package org.tgcalls4j;

/**
 * Receives what the other participants of a call say, decoded ({@link TgCalls.Builder#incomingAudioListener}).
 *
 * <p>Threads: every frame of every call of a client is delivered on one client-wide thread
 * ({@code tgcalls4j-audio-in}, not the dispatcher) that ticks every 20 ms; per SSRC, frames arrive in order, one per
 * 20 ms while the participant sends. The listener must return quickly (well under 20 ms in total
 * per tick over all calls), or later frames are delivered late; hand heavy work to another thread.
 * An exception it throws is logged and dropped; the next frame comes as usual.
 */
@FunctionalInterface
public interface IncomingAudioListener {
  /**
   * @param call the call the audio was received in
   * @param frame 20 ms of audio; it and its sample array now belong to the listener
   */
  void onAudioFrame(Call call, AudioFrame frame);
}
