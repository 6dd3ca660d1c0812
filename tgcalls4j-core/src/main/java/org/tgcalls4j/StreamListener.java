package org.tgcalls4j;

/**
 * Told when a call's current source ends. Called exactly once per source on the client's
 * dispatcher thread (the same thread as {@link ConnectionListener}).
 */
@FunctionalInterface
public interface StreamListener {
  /**
   * @param chatId the call's chat
   * @param error null when the source reached its end normally; otherwise why it ended (for
   *     example {@link FfmpegCrashedException} with ffmpeg's stderr tail)
   */
  void onStreamEnd(long chatId, TgCallsException error);
}
