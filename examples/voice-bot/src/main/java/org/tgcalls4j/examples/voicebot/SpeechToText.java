package org.tgcalls4j.examples.voicebot;

/**
 * Turns one utterance into text. {@link LoudnessSpeechToText} only measures it; a real model
 * (Vosk, whisper.cpp, a cloud API) is a drop-in: resample to its rate, run it, return its text.
 * Called on the bot's worker thread, one utterance at a time, so it may block.
 */
@FunctionalInterface
public interface SpeechToText {
  /**
   * @param pcm48kMono the utterance, 48 kHz mono signed 16-bit; owned by the implementation
   * @return the transcript, possibly empty; never null
   * @throws Exception if recognition failed; the bot logs it and skips the utterance
   */
  String transcribe(short[] pcm48kMono) throws Exception;
}
