package org.tgcalls4j.examples.voicebot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The spectral checks VoiceBotIT applies to what the peer heard tell speech from a tone. */
class SpeechChecksTest {
  @Test
  void speechIsNotTonalAndATonePlusNoiseIs() throws Exception {
    assumeTrue(TestAudio.espeakAvailable(), "espeak-ng is not installed");
    short[] speech = EspeakTts.defaults().synthesize(TestAudio.GREETING);
    double[] s = TestAudio.powerSpectrum(speech);
    short[] tone = TestAudio.mixInto(TestAudio.tone(523.25, -20, 3000),
        TestAudio.noise(-60, 3000, new Random(1)));
    double[] t = TestAudio.powerSpectrum(tone);
    System.out.printf("speech: share %.3f flatness %.5f; tone: share %.3f flatness %.6f%n",
        TestAudio.dominantShare(s), TestAudio.spectralFlatness(s), TestAudio.dominantShare(t),
        TestAudio.spectralFlatness(t));
    assertThat(TestAudio.dominantShare(s)).isLessThan(TestAudio.MAX_DOMINANT_SHARE);
    assertThat(TestAudio.spectralFlatness(s)).isGreaterThan(TestAudio.MIN_FLATNESS);
    assertThat(TestAudio.dominantShare(t)).isGreaterThan(0.9);
    assertThat(TestAudio.spectralFlatness(t)).isLessThan(TestAudio.MIN_FLATNESS);
  }
}
