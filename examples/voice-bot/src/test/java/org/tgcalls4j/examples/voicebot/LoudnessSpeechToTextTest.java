package org.tgcalls4j.examples.voicebot;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LoudnessSpeechToTextTest {
  @Test
  void reportsDurationAndLevel() {
    // 2.3 s of a sine whose RMS is 18 dB below 32768
    assertThat(new LoudnessSpeechToText().transcribe(TestAudio.tone(440, -18, 2300)))
        .isEqualTo("I heard 2.3 seconds at -18 dBFS");
    assertThat(new LoudnessSpeechToText().transcribe(TestAudio.tone(300, -31.4, 640)))
        .isEqualTo("I heard 0.6 seconds at -31 dBFS");
    assertThat(new LoudnessSpeechToText().transcribe(new short[0]))
        .isEqualTo("I heard 0.0 seconds at -120 dBFS");
  }
}
