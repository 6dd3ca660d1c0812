package org.tgcalls4j.internal.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ReceiveStatisticsTest {
  private static final long MS = 1_000_000;

  @Test
  void jitterFollowsRfc3550A8ByHand() {
    ReceiveStatistics s = new ReceiveStatistics(48_000);
    // sent every 20 ms (960 units); arrivals 0, 20, 45, 60 ms
    s.onPacket(1, 0, 0);
    s.onPacket(2, 960, 20 * MS); // D = 960 - 960 = 0       -> J = 0
    s.onPacket(3, 1920, 45 * MS); // D = 1200 - 960 = 240   -> J = 240/16 = 15
    s.onPacket(4, 2880, 60 * MS); // |D| = |720 - 960| = 240 -> J = 15 + 225/16 = 29.0625
    assertThat(s.jitterUnits()).isEqualTo(29);
    assertThat(s.jitterMillis()).isCloseTo(29.0625 / 48, within(1e-9));
    assertThat(s.lost()).isZero();
    assertThat(s.packets()).isEqualTo(4);
  }

  @Test
  void jitterIgnoresTheTimestampWrap() {
    ReceiveStatistics s = new ReceiveStatistics(48_000);
    s.onPacket(1, -960, 0);
    s.onPacket(2, 0, 20 * MS);
    s.onPacket(3, 960, 40 * MS);
    assertThat(s.jitterMillis()).isCloseTo(0, within(1e-6));
  }

  @Test
  void countsLossFromTheExtendedHighestSequenceAcrossTheWrap() {
    ReceiveStatistics s = new ReceiveStatistics(48_000);
    long t = 0;
    for (int seq : new int[] {65533, 65534, 0, 1, 3}) { // 65535 and 2 lost
      s.onPacket(seq, 0, t += 20 * MS);
    }
    assertThat(s.packets()).isEqualTo(5);
    assertThat(s.lost()).isEqualTo(2);
    s.onPacket(65535, 0, t + 20 * MS); // arrives late: no longer lost
    assertThat(s.lost()).isEqualTo(1);
  }

  @Test
  void duplicatesNeverMakeLossNegative() {
    ReceiveStatistics s = new ReceiveStatistics(48_000);
    s.onPacket(5, 0, 0);
    s.onPacket(5, 0, 0);
    s.onPacket(6, 960, 20 * MS);
    assertThat(s.packets()).isEqualTo(3);
    assertThat(s.lost()).isZero();
  }

  @Test
  void aConfirmedJumpRestartsTheCount() {
    ReceiveStatistics s = new ReceiveStatistics(48_000);
    s.onPacket(10, 0, 0);
    s.onPacket(11, 960, 20 * MS);
    s.onPacket(30_000, 0, 40 * MS); // probation: not counted
    assertThat(s.packets()).isEqualTo(2);
    s.onPacket(30_001, 960, 60 * MS);
    s.onPacket(30_003, 2880, 100 * MS);
    assertThat(s.packets()).isEqualTo(4);
    assertThat(s.lost()).isEqualTo(1);
  }
}
