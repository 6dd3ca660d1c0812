package org.tgcalls4j.internal.ogg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class DominantFrequencyTest {

  @Test
  void findsTheStrongerOfTwoSines() {
    short[] pcm = new short[48_000];
    for (int i = 0; i < pcm.length; i++) {
      double t = i / 48_000.0;
      pcm[i] = (short) (8000 * Math.sin(2 * Math.PI * 1234 * t) + 3000 * Math.sin(2 * Math.PI * 440 * t));
    }

    assertThat(DominantFrequency.estimate(pcm, 48_000, 50, 4000, 1)).isCloseTo(1234, within(1.0));
  }
}
