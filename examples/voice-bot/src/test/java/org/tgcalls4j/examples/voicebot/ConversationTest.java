package org.tgcalls4j.examples.voicebot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ConversationTest {
  @BeforeAll
  static void needEspeak() {
    assumeTrue(TestAudio.espeakAvailable(), "espeak-ng is not installed");
  }

  static final class FakeSpeaker implements Conversation.Speaker {
    final List<short[]> played = new ArrayList<>();
    boolean speaking;

    @Override
    public void play(short[] pcm) {
      played.add(pcm);
    }

    @Override
    public boolean isSpeaking() {
      return speaking;
    }
  }

  /** Feeds the signal in uneven chunks (as frames of other sizes would arrive). */
  static void feed(Conversation c, short[] signal) throws InterruptedException {
    int[] sizes = {960, 480, 1441, 960, 7};
    int i = 0;
    for (int k = 0; i < signal.length; k++) {
      int n = Math.min(sizes[k % sizes.length], signal.length - i);
      short[] chunk = new short[n];
      System.arraycopy(signal, i, chunk, 0, n);
      c.onAudio(chunk);
      i += n;
    }
  }

  @Test
  void greetsThenAnswersEachUtteranceWithSpeechOfTheReply() throws Exception {
    EspeakTts tts = EspeakTts.defaults();
    FakeSpeaker speaker = new FakeSpeaker();
    List<Conversation.Turn> turns = new ArrayList<>();
    Conversation c = new Conversation(tts, new LoudnessSpeechToText(), t -> "You said: " + t,
        VoiceActivityDetector.withDefaults(), speaker, turns::add);

    long greetingMillis = c.say("Hello, say something.");
    assertThat(speaker.played).hasSize(1);
    assertThat(greetingMillis).isEqualTo(speaker.played.get(0).length / 48);

    short[] caller = tts.synthesize("What a lovely day it is today.");
    long span = TestAudio.voicedSpanMillis(caller, 48_000, -45);
    short[] signal = TestAudio.concat(TestAudio.silence(600), caller, TestAudio.silence(800),
        TestAudio.tone(300, -24, 1500), TestAudio.silence(800));
    TestAudio.mixInto(signal, TestAudio.noise(-65, signal.length / 48, new Random(9)));
    feed(c, signal);

    assertThat(turns).hasSize(2);
    Pattern p = Pattern.compile("I heard (\\d+\\.\\d) seconds at (-\\d+) dBFS");
    Matcher m = p.matcher(turns.get(0).transcript());
    assertThat(m.matches()).as(turns.get(0).transcript()).isTrue();
    // the utterance passed to recognition is pre-roll (200 ms) plus the voiced span
    assertThat(Double.parseDouble(m.group(1))).isCloseTo((span + 200) / 1000.0, within(0.2));
    assertThat(turns.get(1).transcript()).isEqualTo("I heard 1.7 seconds at -25 dBFS");
    assertThat(turns.get(1).reply()).isEqualTo("You said: I heard 1.7 seconds at -25 dBFS");

    // the spoken replies are espeak-ng's speech of the reply text
    assertThat(speaker.played).hasSize(3);
    assertThat(speaker.played.get(2)).isEqualTo(tts.synthesize(turns.get(1).reply()));
    assertThat(turns.get(1).replyMillis()).isEqualTo(speaker.played.get(2).length / 48);
  }

  @Test
  void doesNotListenWhileSpeaking() throws Exception {
    FakeSpeaker speaker = new FakeSpeaker();
    List<Conversation.Turn> turns = new ArrayList<>();
    Conversation c = new Conversation(EspeakTts.defaults(), new LoudnessSpeechToText(),
        Responder.echo(), VoiceActivityDetector.withDefaults(), speaker, turns::add);
    short[] burst = TestAudio.concat(TestAudio.silence(500), TestAudio.tone(300, -20, 600),
        TestAudio.silence(600));
    speaker.speaking = true;
    feed(c, burst);
    assertThat(turns).isEmpty();
    assertThat(c.droppedWhileSpeakingMillis()).isEqualTo(1700);
    speaker.speaking = false;
    feed(c, burst);
    assertThat(turns).hasSize(1);
  }
}
