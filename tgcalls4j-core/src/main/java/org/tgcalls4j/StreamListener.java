package org.tgcalls4j;

/**
 * Told when a call's current source ends. Called exactly once per source on the client's
 * dispatcher thread (the same thread as {@link ConnectionListener}, in order with its events); a
 * listener that throws is logged and later events are still delivered.
 */
@FunctionalInterface
public interface StreamListener {
  /**
   * @param chatId the call's chat
   * @param error null when the source reached its end normally; otherwise why it ended (for
   *     example {@link FfmpegCrashedException} with ffmpeg's stderr tail)
   */
  void onStreamEnd(long chatId, TgCallsException error);

  /**
   * The client calls this variant; by default it forwards to the chat-id variant.
   *
   * @param call the call whose source ended
   * @param error as in {@link #onStreamEnd(long, TgCallsException)}
   */
  default void onStreamEnd(Call call, TgCallsException error) {
    onStreamEnd(call.chatId(), error);
  }
}
