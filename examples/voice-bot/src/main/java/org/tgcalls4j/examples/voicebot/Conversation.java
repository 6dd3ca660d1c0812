package org.tgcalls4j.examples.voicebot;

import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bot's half-duplex dialogue, independent of any call: the caller's audio goes in
 * ({@link #onAudio}), the {@link VoiceActivityDetector} cuts it into utterances, each goes through
 * {@link SpeechToText}, {@link Responder} and {@link EspeakTts}, and the reply's PCM goes to a
 * {@link Speaker}. While the bot speaks it does not listen (the caller's device may echo the bot),
 * so the VAD is reset and frames are dropped until the speaker is idle.
 *
 * <p>Not thread-safe: one worker thread calls everything; speech synthesis and recognition block
 * it, so it must not be a tgcalls4j client thread.
 */
public final class Conversation {
  private static final Logger LOG = LoggerFactory.getLogger(Conversation.class);

  /** Where the bot's speech goes (in a call: a {@code PcmPushSource}). */
  public interface Speaker {
    /**
     * Queues speech; may block until there is room.
     *
     * @param pcm48kMono 48 kHz mono; owned by the speaker
     * @throws InterruptedException if interrupted while waiting for room
     */
    void play(short[] pcm48kMono) throws InterruptedException;

    /** @return whether queued speech is still playing */
    boolean isSpeaking();
  }

  /**
   * One exchange.
   *
   * @param startMillis when the caller's utterance began, ms since the first frame heard
   * @param durationMillis the utterance's voiced length, ms
   * @param transcript what the recognizer made of it
   * @param reply what the bot said back, or null if nothing
   * @param replyMillis the reply's length, ms (0 if nothing was said)
   */
  public record Turn(long startMillis, long durationMillis, String transcript, String reply,
      long replyMillis) {}

  private final EspeakTts tts;
  private final SpeechToText stt;
  private final Responder responder;
  private final VoiceActivityDetector vad;
  private final Speaker speaker;
  private final Consumer<Turn> onTurn;
  private final short[] pending = new short[VoiceActivityDetector.FRAME];
  private int pendingLen;
  private long droppedWhileSpeakingMillis;

  /**
   * @param tts speaks greetings and replies
   * @param stt recognizes utterances
   * @param responder makes replies
   * @param vad cuts the caller's audio; owned by the conversation from now on
   * @param speaker plays the bot's speech
   * @param onTurn told about every exchange, on the worker thread
   */
  public Conversation(EspeakTts tts, SpeechToText stt, Responder responder,
      VoiceActivityDetector vad, Speaker speaker, Consumer<Turn> onTurn) {
    this.tts = Objects.requireNonNull(tts, "tts");
    this.stt = Objects.requireNonNull(stt, "stt");
    this.responder = Objects.requireNonNull(responder, "responder");
    this.vad = Objects.requireNonNull(vad, "vad");
    this.speaker = Objects.requireNonNull(speaker, "speaker");
    this.onTurn = Objects.requireNonNull(onTurn, "onTurn");
  }

  /**
   * Says a text (the greeting).
   *
   * @param text what to say
   * @return the speech's length, ms
   * @throws EspeakTts.TtsException if espeak-ng failed
   * @throws InterruptedException if interrupted
   */
  public long say(String text) throws EspeakTts.TtsException, InterruptedException {
    short[] pcm = tts.synthesize(text);
    speaker.play(pcm);
    return pcm.length * 1000L / Pcm.RATE_48K;
  }

  /**
   * Feeds the caller's audio: any number of samples; whole 20 ms frames go to the VAD, the rest
   * waits for the next call. May block for recognition, the reply and its synthesis.
   *
   * @param pcm48kMono 48 kHz mono; not kept
   * @throws InterruptedException if interrupted while queuing a reply
   */
  public void onAudio(short[] pcm48kMono) throws InterruptedException {
    int i = 0;
    while (i < pcm48kMono.length) {
      int n = Math.min(pcm48kMono.length - i, pending.length - pendingLen);
      System.arraycopy(pcm48kMono, i, pending, pendingLen, n);
      pendingLen += n;
      i += n;
      if (pendingLen == pending.length) {
        pendingLen = 0;
        onFrame(pending);
      }
    }
  }

  /** @return how much of the caller's audio was ignored because the bot was speaking, ms */
  public long droppedWhileSpeakingMillis() {
    return droppedWhileSpeakingMillis;
  }

  private void onFrame(short[] frame) throws InterruptedException {
    if (speaker.isSpeaking()) {
      droppedWhileSpeakingMillis += VoiceActivityDetector.FRAME_MILLIS;
      vad.flush(); // an utterance cut by our own speech is dropped
      return;
    }
    VoiceActivityDetector.Event e = vad.process(frame, 0);
    if (e instanceof VoiceActivityDetector.SpeechEnded end) {
      answer(end);
    }
  }

  private void answer(VoiceActivityDetector.SpeechEnded end) throws InterruptedException {
    String transcript;
    try {
      transcript = stt.transcribe(end.pcm());
    } catch (InterruptedException ie) {
      throw ie;
    } catch (Exception ex) {
      LOG.warn("speech recognition failed for an utterance of {} ms: {}", end.durationMillis(),
          ex.toString());
      return;
    }
    String reply = null;
    long replyMillis = 0;
    try {
      reply = responder.reply(transcript);
      if (reply != null && !reply.isBlank()) {
        replyMillis = say(reply);
      }
    } catch (InterruptedException ie) {
      throw ie;
    } catch (Exception ex) {
      LOG.warn("no reply to an utterance of {} ms: {}", end.durationMillis(), ex.toString());
    }
    onTurn.accept(new Turn(end.startMillis(), end.durationMillis(), transcript, reply, replyMillis));
  }
}
