package org.tgcalls4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The builder's lateness limit: at least 20 ms, the offending value named when refused. */
class PacingLatenessLimitTest {
  @Test
  void refusesZeroNegativeAndLimitsBelow20Ms() {
    for (Duration bad : new Duration[] {Duration.ZERO, Duration.ofMillis(-200), Duration.ofMillis(19),
        Duration.ofNanos(19_999_999)}) {
      assertThatThrownBy(() -> TgCalls.builder().pacingLatenessLimit(bad))
          .as("%s", bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(bad.toString());
    }
  }

  @Test
  void acceptsFrom20MsAndBuilds() throws Exception {
    TgCalls.builder().pacingLatenessLimit(Duration.ofMillis(20));
    try (TgCalls calls = TgCalls.builder().requireFfmpeg(false)
        .networkOptions(NetworkOptions.loopbackOnly())
        .pacingLatenessLimit(Duration.ofMillis(500)).build()) {
      assertThat(calls.createGroupCall(5).stats().pacing()).isEqualTo(PacingStats.NONE);
    }
  }

  @Test
  void theOverloadEventDoesNothingByDefault() throws Exception {
    StreamListener old = (chatId, error) -> {
      throw new AssertionError("not a stream end");
    };
    old.onPacingOverload(null, 15, 200);
  }
}
