package org.tgcalls4j.examples.voicebot;

import java.util.ArrayDeque;
import java.util.Objects;

/**
 * Energy-based voice-activity detector on 20 ms frames of 48 kHz mono PCM, sans-I/O: frames go in
 * through {@link #process}, {@link Event}s come out; no threads, no clock (time is the frame
 * count).
 *
 * <p>Per frame it computes the RMS level (dBFS, {@link Pcm#dbfs}) and compares it with an adaptive
 * noise floor, which starts at the first frame's level. Outside speech the floor follows quieter frames at once and louder ones slowly
 * ({@link Settings#floorRiseDbPerSecond}), so it settles on the background and a voice does not
 * drag it up. A frame is voiced when it is {@link Settings#startMarginDb} above the floor (and
 * louder than {@link Settings#minSpeechDbfs}); {@link Settings#startFrames} voiced frames in a row
 * start an utterance, which takes with it {@link Settings#preRollMillis} of audio before them.
 * Inside speech a frame counts as voiced when it is {@link Settings#endMarginDb} above the floor
 * (hysteresis); {@link Settings#endSilenceMillis} of unvoiced frames end the utterance (the
 * hangover), and so does {@link Settings#maxUtteranceMillis}; an utterance cut there raises the
 * floor to its quietest frame, so that a sudden lasting rise of the background costs one cut
 * utterance and not an endless series.
 *
 * <p>Not thread-safe: one thread feeds it.
 */
public final class VoiceActivityDetector {
  /** Frame length, samples at 48 kHz (20 ms). */
  public static final int FRAME = Pcm.FRAME_48K;
  /** Frame length, ms. */
  public static final int FRAME_MILLIS = 20;

  /**
   * Tuning, all levels in dB.
   *
   * @param startMarginDb how far above the floor a frame must be to start speech, dB
   * @param endMarginDb how far above the floor a frame must be to continue speech, dB
   * @param minSpeechDbfs frames quieter than this never count as voiced, dBFS
   * @param startFrames voiced frames in a row that start an utterance, at least 1
   * @param endSilenceMillis unvoiced time that ends an utterance, ms (rounded up to frames)
   * @param maxUtteranceMillis the longest utterance, ms; a longer one is cut there
   * @param preRollMillis audio kept before the first voiced frame, ms
   * @param floorRiseDbPerSecond how fast the floor follows louder background, dB/s
   */
  public record Settings(double startMarginDb, double endMarginDb, double minSpeechDbfs,
      int startFrames, int endSilenceMillis, int maxUtteranceMillis, int preRollMillis,
      double floorRiseDbPerSecond) {
    /** @throws IllegalArgumentException if a value is out of range */
    public Settings {
      if (startMarginDb <= 0 || endMarginDb <= 0 || endMarginDb > startMarginDb) {
        throw new IllegalArgumentException("need 0 < endMarginDb <= startMarginDb, got "
            + endMarginDb + " and " + startMarginDb);
      }
      if (startFrames < 1 || endSilenceMillis < FRAME_MILLIS || preRollMillis < 0
          || maxUtteranceMillis < FRAME_MILLIS * (startFrames + 1) || floorRiseDbPerSecond <= 0) {
        throw new IllegalArgumentException("bad VAD settings: startFrames=" + startFrames
            + ", endSilenceMillis=" + endSilenceMillis + ", maxUtteranceMillis=" + maxUtteranceMillis
            + ", preRollMillis=" + preRollMillis + ", floorRiseDbPerSecond=" + floorRiseDbPerSecond);
      }
    }

    /**
     * @return margins 12/6 dB over the floor, voice above -55 dBFS, 3 frames (60 ms) to start,
     *     300 ms of silence to end, 15 s at most, 200 ms pre-roll, floor rising 3 dB/s
     */
    public static Settings defaults() {
      return new Settings(12, 6, -55, 3, 300, 15_000, 200, 3);
    }

    /**
     * @param millis the new {@link #maxUtteranceMillis}
     * @return a copy with it
     */
    public Settings withMaxUtteranceMillis(int millis) {
      return new Settings(startMarginDb, endMarginDb, minSpeechDbfs, startFrames, endSilenceMillis,
          millis, preRollMillis, floorRiseDbPerSecond);
    }

    /**
     * @param millis the new {@link #endSilenceMillis}
     * @return a copy with it
     */
    public Settings withEndSilenceMillis(int millis) {
      return new Settings(startMarginDb, endMarginDb, minSpeechDbfs, startFrames, millis,
          maxUtteranceMillis, preRollMillis, floorRiseDbPerSecond);
    }
  }

  /** What {@link #process} reports. */
  public sealed interface Event permits SpeechStarted, SpeechEnded {}

  /**
   * An utterance started.
   *
   * @param startMillis when its first voiced frame began, ms since the first frame processed
   */
  public record SpeechStarted(long startMillis) implements Event {}

  /** Why an utterance ended. */
  public enum EndReason {
    /** {@link Settings#endSilenceMillis} of silence followed it. */
    SILENCE,
    /** It reached {@link Settings#maxUtteranceMillis}. */
    MAX_LENGTH,
    /** {@link #flush()} was called in the middle of it. */
    FLUSH
  }

  /**
   * An utterance ended.
   *
   * @param startMillis when its first voiced frame began, ms since the first frame processed
   * @param endMillis when its last voiced frame ended, ms (the hangover is not included)
   * @param pcm its audio, 48 kHz mono: pre-roll, then from the first to the last voiced frame;
   *     owned by the receiver
   * @param reason why it ended
   */
  public record SpeechEnded(long startMillis, long endMillis, short[] pcm, EndReason reason)
      implements Event {
    /** @return endMillis - startMillis, ms */
    public long durationMillis() {
      return endMillis - startMillis;
    }
  }

  private final Settings settings;
  private final int endFrames;
  private final int maxFrames;
  private final int preRollFrames;
  private final double floorRisePerFrame;

  private double floorDbfs = Double.NaN; // the first frame sets it
  private double minLevelInSpeech;
  private long frameIndex;
  private int voicedRun;
  private final ArrayDeque<short[]> recent = new ArrayDeque<>(); // pre-roll + start candidates
  private boolean inSpeech;
  private long speechStartFrame;
  private long lastVoicedFrame;
  private short[] utterance = new short[0];
  private int utteranceLen; // samples up to and including the last voiced frame
  private int bufferedLen;  // samples including the unvoiced tail

  /** @param settings the tuning */
  public VoiceActivityDetector(Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.endFrames = (settings.endSilenceMillis() + FRAME_MILLIS - 1) / FRAME_MILLIS;
    this.maxFrames = settings.maxUtteranceMillis() / FRAME_MILLIS;
    this.preRollFrames = settings.preRollMillis() / FRAME_MILLIS;
    this.floorRisePerFrame = settings.floorRiseDbPerSecond() * FRAME_MILLIS / 1000.0;
  }

  /** @return a detector with {@link Settings#defaults()} */
  public static VoiceActivityDetector withDefaults() {
    return new VoiceActivityDetector(Settings.defaults());
  }

  /** @return the current noise floor, dBFS (NaN before the first frame) */
  public double noiseFloorDbfs() {
    return floorDbfs;
  }

  /** @return whether an utterance is in progress */
  public boolean inSpeech() {
    return inSpeech;
  }

  /**
   * Processes one 20 ms frame.
   *
   * @param frame 48 kHz mono samples
   * @param offset first sample of the frame
   * @return the event this frame caused, or null (at most one per frame: an utterance cut at
   *     {@link Settings#maxUtteranceMillis} restarts no earlier than the next frame)
   * @throws IndexOutOfBoundsException if the array holds fewer than {@link #FRAME} samples from
   *     offset
   */
  public Event process(short[] frame, int offset) {
    Objects.checkFromIndexSize(offset, FRAME, frame.length);
    short[] copy = new short[FRAME];
    System.arraycopy(frame, offset, copy, 0, FRAME);
    double level = Pcm.dbfs(copy, 0, FRAME);
    long index = frameIndex++;
    if (Double.isNaN(floorDbfs)) {
      floorDbfs = level;
    }
    if (!inSpeech) {
      boolean voiced = level >= settings.minSpeechDbfs()
          && level >= floorDbfs + settings.startMarginDb();
      recent.addLast(copy);
      if (recent.size() > preRollFrames + settings.startFrames()) {
        recent.removeFirst();
      }
      if (!voiced) {
        voicedRun = 0;
        floorDbfs = level < floorDbfs ? level : Math.min(level, floorDbfs + floorRisePerFrame);
        return null;
      }
      if (++voicedRun < settings.startFrames()) {
        return null;
      }
      inSpeech = true;
      minLevelInSpeech = level;
      speechStartFrame = index - settings.startFrames() + 1;
      lastVoicedFrame = index;
      utterance = new short[FRAME * (recent.size() + 64)];
      bufferedLen = 0;
      for (short[] f : recent) {
        append(f);
      }
      utteranceLen = bufferedLen;
      recent.clear();
      return new SpeechStarted(speechStartFrame * FRAME_MILLIS);
    }
    boolean voiced = level >= settings.minSpeechDbfs() && level >= floorDbfs + settings.endMarginDb();
    append(copy);
    minLevelInSpeech = Math.min(minLevelInSpeech, level);
    if (voiced) {
      lastVoicedFrame = index;
      utteranceLen = bufferedLen;
    }
    if (index - speechStartFrame + 1 >= maxFrames) {
      // speech has pauses near the floor; an "utterance" with no quiet frame in it is most likely
      // louder background: take its quietest frame as the new floor
      floorDbfs = Math.max(floorDbfs, minLevelInSpeech);
      return end(EndReason.MAX_LENGTH);
    }
    if (index - lastVoicedFrame >= endFrames) {
      return end(EndReason.SILENCE);
    }
    return null;
  }

  /**
   * Ends an utterance in progress (the caller hung up, or the bot starts talking).
   *
   * @return its {@link SpeechEnded} with {@link EndReason#FLUSH}, or null if none was in progress
   */
  public SpeechEnded flush() {
    voicedRun = 0;
    recent.clear();
    return inSpeech ? end(EndReason.FLUSH) : null;
  }

  private SpeechEnded end(EndReason reason) {
    short[] pcm = java.util.Arrays.copyOf(utterance, utteranceLen);
    SpeechEnded e = new SpeechEnded(speechStartFrame * FRAME_MILLIS,
        (lastVoicedFrame + 1) * FRAME_MILLIS, pcm, reason);
    inSpeech = false;
    voicedRun = 0;
    utterance = new short[0];
    utteranceLen = 0;
    bufferedLen = 0;
    return e;
  }

  private void append(short[] f) {
    if (bufferedLen + FRAME > utterance.length) {
      utterance = java.util.Arrays.copyOf(utterance, Math.max(utterance.length * 2, bufferedLen + FRAME));
    }
    System.arraycopy(f, 0, utterance, bufferedLen, FRAME);
    bufferedLen += FRAME;
  }
}
