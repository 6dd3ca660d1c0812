package org.tgcalls4j.examples.voicebot;

/**
 * Produces the bot's spoken reply to one transcript (a chat model, a command parser, an echo).
 * Called on the bot's worker thread, so it may block.
 */
@FunctionalInterface
public interface Responder {
  /**
   * @param transcript what {@link SpeechToText} made of the caller's utterance
   * @return what to say back, or null or blank to stay silent
   * @throws Exception if no reply could be made; the bot logs it and stays silent
   */
  String reply(String transcript) throws Exception;

  /** @return a responder that says the transcript back */
  static Responder echo() {
    return transcript -> transcript;
  }
}
