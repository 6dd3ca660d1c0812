package org.tgcalls4j.examples.voicebot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PcmTest {
  @Test
  void levelOfKnownSignals() {
    // full-scale square wave: 0 dBFS; a sine of peak A: 20 log10(A / sqrt2 / 32768)
    short[] square = new short[960];
    for (int i = 0; i < square.length; i++) {
      square[i] = (short) (i % 2 == 0 ? 32767 : -32767);
    }
    assertThat(Pcm.dbfs(square, 0, square.length)).isCloseTo(0.0, within(0.01));
    short[] sine = new short[48_000];
    for (int i = 0; i < sine.length; i++) {
      sine[i] = (short) Math.round(10_000 * Math.sin(2 * Math.PI * 1000 * i / 48_000.0));
    }
    assertThat(Pcm.dbfs(sine, 0, sine.length))
        .isCloseTo(20 * Math.log10(10_000 / Math.sqrt(2) / 32768), within(0.01));
    assertThat(Pcm.dbfs(new short[960], 0, 960)).isEqualTo(Pcm.SILENCE_DBFS);
  }

  @Test
  void toMonoAverages() {
    assertThat(Pcm.toMono(new short[] {100, 300, -32768, -32768, 1, 2}, 2))
        .containsExactly(200, -32768, 2);
  }

  @Test
  void linearResamplingOfASineIsCloseToTheAnalyticSine() {
    double hz = 1000;
    short[] in = new short[22_050];
    for (int i = 0; i < in.length; i++) {
      in[i] = (short) Math.round(16_000 * Math.sin(2 * Math.PI * hz * i / 22_050.0));
    }
    short[] out = Pcm.resampleLinear(in, 22_050, 48_000);
    assertThat(out).hasSize(48_000);
    double err = 0;
    double sig = 0;
    for (int j = 0; j < out.length - 3; j++) {
      double ideal = 16_000 * Math.sin(2 * Math.PI * hz * j / 48_000.0);
      err += (out[j] - ideal) * (out[j] - ideal);
      sig += ideal * ideal;
    }
    // linear interpolation of 1 kHz at 22.05 kHz: error about -40 dB
    assertThat(10 * Math.log10(sig / err)).isGreaterThan(35);
  }

  @Test
  void resamplingKeepsInputSamplesOnCommonInstants() {
    short[] in = new short[2205];
    java.util.Random r = new java.util.Random(1);
    for (int i = 0; i < in.length; i++) {
      in[i] = (short) r.nextInt(65536);
    }
    short[] out = Pcm.resampleLinear(in, 22_050, 48_000);
    assertThat(out).hasSize(4800);
    // 22050/48000 = 147/320: output 320k is input 147k exactly
    for (int k = 0; 320 * k < out.length; k++) {
      assertThat(out[320 * k]).isEqualTo(in[147 * k]);
    }
  }
}
