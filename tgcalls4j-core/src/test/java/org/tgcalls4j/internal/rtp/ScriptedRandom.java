package org.tgcalls4j.internal.rtp;

import java.util.random.RandomGenerator;

/** A RandomGenerator returning a fixed initial sequence number and timestamp, for exact header bytes. */
final class ScriptedRandom implements RandomGenerator {
  private final int sequenceNumber;
  private final int timestamp;

  ScriptedRandom(int sequenceNumber, int timestamp) {
    this.sequenceNumber = sequenceNumber;
    this.timestamp = timestamp;
  }

  @Override
  public int nextInt(int bound) {
    if (bound != 0x10000) {
      throw new AssertionError("unexpected bound " + bound);
    }
    return sequenceNumber;
  }

  @Override
  public int nextInt() {
    return timestamp;
  }

  @Override
  public long nextLong() {
    throw new AssertionError("not expected");
  }
}
