package org.tgcalls4j.examples.voicebot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tgcalls4j.examples.voicebot.VoiceActivityDetector.EndReason;
import org.tgcalls4j.examples.voicebot.VoiceActivityDetector.Event;
import org.tgcalls4j.examples.voicebot.VoiceActivityDetector.SpeechEnded;
import org.tgcalls4j.examples.voicebot.VoiceActivityDetector.SpeechStarted;

class VoiceActivityDetectorTest {
  /** An event and the time (ms) of the end of the frame that produced it. */
  record Timed(Event event, long atMillis) {}

  static List<Timed> run(VoiceActivityDetector vad, short[] signal) {
    List<Timed> out = new ArrayList<>();
    for (int f = 0; (f + 1) * 960 <= signal.length; f++) {
      Event e = vad.process(signal, f * 960);
      if (e != null) {
        out.add(new Timed(e, (f + 1) * 20L));
      }
    }
    return out;
  }

  static List<SpeechEnded> ends(List<Timed> events) {
    return events.stream().map(Timed::event).filter(e -> e instanceof SpeechEnded)
        .map(e -> (SpeechEnded) e).toList();
  }

  @Test
  void toneBurstsOverNoiseAreFoundWithTheirTimes() {
    Random rnd = new Random(42);
    // 1 s of noise at -60 dBFS, then 4 bursts of 600 ms at -20 dBFS, 800 ms apart
    List<short[]> parts = new ArrayList<>();
    parts.add(TestAudio.silence(1000));
    long[] starts = new long[4];
    long t = 1000;
    for (int i = 0; i < 4; i++) {
      starts[i] = t;
      parts.add(TestAudio.tone(200 + 100 * i, -20, 600));
      parts.add(TestAudio.silence(800));
      t += 1400;
    }
    short[] signal = TestAudio.concat(parts.toArray(short[][]::new));
    TestAudio.mixInto(signal, TestAudio.noise(-60, signal.length / 48, rnd));

    List<Timed> events = run(VoiceActivityDetector.withDefaults(), signal);
    List<SpeechEnded> ends = ends(events);
    assertThat(ends).hasSize(4);
    assertThat(events).hasSize(8);
    for (int i = 0; i < 4; i++) {
      SpeechEnded e = ends.get(i);
      assertThat(events.get(2 * i).event()).isInstanceOf(SpeechStarted.class);
      assertThat(((SpeechStarted) events.get(2 * i).event()).startMillis())
          .isCloseTo(starts[i], within(20L));
      assertThat(e.startMillis()).isCloseTo(starts[i], within(20L));
      assertThat(e.endMillis()).isCloseTo(starts[i] + 600, within(20L));
      assertThat(e.reason()).isEqualTo(EndReason.SILENCE);
      // reported after the 300 ms hangover, not before
      assertThat(events.get(2 * i + 1).atMillis()).isCloseTo(starts[i] + 600 + 300, within(40L));
      // the utterance's audio: 200 ms pre-roll plus the burst
      assertThat(e.pcm().length / 48).isCloseTo(800, within(40));
      assertThat(Pcm.dbfs(e.pcm(), e.pcm().length - 960 * 20, 960 * 20)).isCloseTo(-20, within(0.5));
    }
    assertThat(VoiceActivityDetector.withDefaults().noiseFloorDbfs()).isNaN();
  }

  @Test
  void gapShorterThanHangoverDoesNotSplit() {
    short[] signal = TestAudio.concat(TestAudio.silence(500), TestAudio.tone(300, -25, 400),
        TestAudio.silence(200), TestAudio.tone(300, -25, 400), TestAudio.silence(1000));
    TestAudio.mixInto(signal, TestAudio.noise(-65, signal.length / 48, new Random(1)));
    List<SpeechEnded> ends = ends(run(VoiceActivityDetector.withDefaults(), signal));
    assertThat(ends).hasSize(1);
    assertThat(ends.get(0).durationMillis()).isCloseTo(1000, within(40L));
  }

  @Test
  void clicksShorterThanTheStartTimeAreIgnored() {
    short[] signal = TestAudio.concat(TestAudio.silence(500), TestAudio.tone(1000, -10, 40),
        TestAudio.silence(1000));
    TestAudio.mixInto(signal, TestAudio.noise(-65, signal.length / 48, new Random(2)));
    assertThat(run(VoiceActivityDetector.withDefaults(), signal)).isEmpty();
  }

  @Test
  void slowlyRisingNoiseIsFollowedAndSpeechAboveItStillFound() {
    Random rnd = new Random(3);
    int ms = 10_000;
    short[] ramp = new short[ms * 48];
    for (int i = 0; i < ramp.length; i++) {
      // white noise from -65 to -40 dBFS over 10 s (2.5 dB/s, slower than the floor's 3 dB/s)
      double db = -65 + 25.0 * i / ramp.length;
      ramp[i] = (short) Math.round(32768 * Math.pow(10, db / 20) * rnd.nextGaussian());
    }
    short[] after = TestAudio.noise(-40, 3000, rnd);
    TestAudio.mixInto(after, TestAudio.concat(TestAudio.silence(1000), TestAudio.tone(250, -22, 700)));
    VoiceActivityDetector vad = VoiceActivityDetector.withDefaults();
    assertThat(run(vad, ramp)).isEmpty();
    assertThat(vad.noiseFloorDbfs()).isCloseTo(-40, within(3.0));
    List<SpeechEnded> ends = ends(run(vad, after));
    assertThat(ends).hasSize(1);
    assertThat(ends.get(0).durationMillis()).isCloseTo(700, within(40L));
  }

  @Test
  void maxLengthCutsAndAPersistentLoudBackgroundBecomesTheFloor() {
    VoiceActivityDetector vad = new VoiceActivityDetector(
        VoiceActivityDetector.Settings.defaults().withMaxUtteranceMillis(5_000));
    short[] signal = TestAudio.concat(TestAudio.silence(1000), TestAudio.tone(300, -20, 12_000));
    TestAudio.mixInto(signal, TestAudio.noise(-65, signal.length / 48, new Random(4)));
    List<Timed> events = run(vad, signal);
    List<SpeechEnded> ends = ends(events);
    assertThat(ends).hasSize(1);
    assertThat(ends.get(0).reason()).isEqualTo(EndReason.MAX_LENGTH);
    assertThat(ends.get(0).durationMillis()).isEqualTo(5_000);
    assertThat(events.get(1).atMillis()).isCloseTo(6_000, within(20L));
    assertThat(vad.noiseFloorDbfs()).isCloseTo(-20, within(1.0));
    assertThat(vad.inSpeech()).isFalse();
  }

  @Test
  void flushEndsAnUtteranceInProgress() {
    VoiceActivityDetector vad = VoiceActivityDetector.withDefaults();
    short[] signal = TestAudio.concat(TestAudio.silence(500), TestAudio.tone(300, -20, 500));
    assertThat(ends(run(vad, signal))).isEmpty();
    assertThat(vad.inSpeech()).isTrue();
    SpeechEnded e = vad.flush();
    assertThat(e.reason()).isEqualTo(EndReason.FLUSH);
    assertThat(e.durationMillis()).isCloseTo(500, within(20L));
    assertThat(vad.flush()).isNull();
  }

  @Test
  void espeakSpeechWithPausesIsOneUtterancePerPhrase() throws Exception {
    assumeTrue(TestAudio.espeakAvailable(), "espeak-ng is not installed");
    EspeakTts tts = EspeakTts.defaults();
    String[] phrases = {"Good morning, this is the first sentence.",
        "And here, after a pause, comes the second one.", "Three."};
    List<short[]> parts = new ArrayList<>();
    long[] expectedStart = new long[phrases.length];
    long[] expectedSpan = new long[phrases.length];
    long t = 0;
    for (int i = 0; i < phrases.length; i++) {
      short[] pcm = tts.synthesize(phrases[i]);
      parts.add(TestAudio.silence(1000));
      t += 1000;
      // independent measurement: first and last 10 ms window above -45 dBFS
      expectedStart[i] = t + TestAudio.firstVoicedMillis(pcm, 48_000, -45);
      expectedSpan[i] = TestAudio.voicedSpanMillis(pcm, 48_000, -45);
      parts.add(pcm);
      t += pcm.length / 48;
    }
    parts.add(TestAudio.silence(1000));
    short[] signal = TestAudio.concat(parts.toArray(short[][]::new));
    TestAudio.mixInto(signal, TestAudio.noise(-65, signal.length / 48, new Random(5)));

    List<SpeechEnded> ends = ends(run(VoiceActivityDetector.withDefaults(), signal));
    assertThat(ends).as("utterances %s", ends.stream()
        .map(e -> e.startMillis() + "+" + e.durationMillis()).toList()).hasSize(3);
    for (int i = 0; i < 3; i++) {
      assertThat(ends.get(i).reason()).isEqualTo(EndReason.SILENCE);
      assertThat(ends.get(i).startMillis()).isCloseTo(expectedStart[i], within(80L));
      assertThat(ends.get(i).durationMillis()).isCloseTo(expectedSpan[i], within(150L));
    }
  }
}
