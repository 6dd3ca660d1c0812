package org.tgcalls4j.internal.pacing;

import java.util.ArrayList;
import java.util.List;

/** A manual clock whose sleeper jumps straight to the deadline and records it. */
class FakeTime implements NanoClock, Sleeper {
  long nowNanos;
  final List<Long> sleepDeadlines = new ArrayList<>();

  FakeTime(long nowNanos) {
    this.nowNanos = nowNanos;
  }

  @Override
  public long nanoTime() {
    return nowNanos;
  }

  @Override
  public void sleepUntil(long deadlineNanos) {
    sleepDeadlines.add(deadlineNanos);
    nowNanos = Math.max(nowNanos, deadlineNanos);
  }

  void advanceMillis(long millis) {
    nowNanos += millis * 1_000_000L;
  }
}
