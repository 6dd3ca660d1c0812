package org.tgcalls4j.internal.audio;

/**
 * Receive statistics of one RTP stream (RFC 3550 §6.4.1): packets received, cumulative packets
 * lost from the extended highest sequence number (§A.1, §A.3) and the interarrival jitter (§A.8).
 *
 * <p>Thread-safe (the socket's thread updates, any thread reads).
 */
public final class ReceiveStatistics {
  /** RFC 3550 §A.1: a forward jump up to this many packets is a loss, not a restart. */
  private static final int MAX_DROPOUT = 3000;
  /** RFC 3550 §A.1: a backward jump up to this many packets is reordering. */
  private static final int MAX_MISORDER = 100;

  private final int clockRateHz;

  // guarded by this
  private boolean started;
  private int baseSeq;
  private int maxSeq;
  private long cycles;
  private int badSeq = -1;
  private long received;
  private long receivedAtBase; // received before the last restart
  private double jitter; // RTP timestamp units
  private boolean haveTransit;
  private double lastArrivalUnits;
  private int lastTimestamp;

  /** @param clockRateHz the RTP clock rate, Hz (48000 for Opus, RFC 7587 §4.1) */
  public ReceiveStatistics(int clockRateHz) {
    if (clockRateHz <= 0) {
      throw new IllegalArgumentException("clock rate must be positive: " + clockRateHz);
    }
    this.clockRateHz = clockRateHz;
  }

  /**
   * Counts one received packet.
   *
   * @param sequenceNumber RTP sequence number, 0..65535 (higher bits ignored)
   * @param timestamp RTP timestamp, unsigned 32-bit in an int
   * @param arrivalNanos arrival time, ns, any monotonic origin
   */
  public synchronized void onPacket(int sequenceNumber, int timestamp, long arrivalNanos) {
    int seq = sequenceNumber & 0xffff;
    if (!started) {
      restart(seq);
      started = true;
    } else {
      int udelta = (seq - maxSeq) & 0xffff;
      if (udelta < MAX_DROPOUT) {
        if (seq < maxSeq) {
          cycles += 1 << 16; // wrapped
        }
        maxSeq = seq;
      } else if (udelta <= (1 << 16) - MAX_MISORDER) {
        // a very large jump: restart only if the next packet confirms it (§A.1)
        if (seq == badSeq) {
          receivedAtBase += received;
          restart(seq);
        } else {
          badSeq = (seq + 1) & 0xffff;
          return;
        }
      }
      // else a duplicate or reordered packet: counted below
    }
    received++;
    // §A.8: D(i-1,i) = (Rj - Ri) - (Sj - Si), in timestamp units; J += (|D| - J) / 16
    double arrivalUnits = arrivalNanos * (clockRateHz / 1e9);
    if (haveTransit) {
      double d = (arrivalUnits - lastArrivalUnits) - (timestamp - lastTimestamp);
      jitter += (Math.abs(d) - jitter) / 16;
    }
    haveTransit = true;
    lastArrivalUnits = arrivalUnits;
    lastTimestamp = timestamp;
  }

  private void restart(int seq) {
    baseSeq = seq;
    maxSeq = seq;
    cycles = 0;
    badSeq = -1;
    received = 0;
  }

  /** @return packets counted (duplicates included, as RFC 3550 §A.3 counts them) */
  public synchronized long packets() {
    return receivedAtBase + received;
  }

  /**
   * @return packets lost since the first (or since a sequence restart): expected from the extended
   *     highest sequence number minus received (RFC 3550 §A.3), never below 0
   */
  public synchronized long lost() {
    if (!started) {
      return 0;
    }
    long expected = cycles + maxSeq - baseSeq + 1;
    return Math.max(0, expected - received);
  }

  /** @return the interarrival jitter estimate (RFC 3550 §A.8), ms */
  public synchronized double jitterMillis() {
    return jitter * 1000.0 / clockRateHz;
  }

  /** @return the jitter estimate in RTP timestamp units, as a receiver report carries it */
  public synchronized long jitterUnits() {
    return (long) jitter;
  }
}
