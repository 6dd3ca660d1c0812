package org.tgcalls4j.internal.audio;

import java.util.Map;
import java.util.TreeMap;

/**
 * The jitter buffer of one received RTP stream: packets in, in RTP sequence order out, losses
 * named. Keyed by the extended sequence number (RFC 3550 §A.1 unwrapping of the 16-bit field);
 * RTP timestamps (unsigned 32-bit, compared modulo 2^32) give the duration of a lost packet.
 *
 * <p>Playout: the buffer starts {@link #targetDelayMillis()} after the first packet arrived, so
 * each packet has that much slack beyond its own duration. When it runs empty while playing (an
 * underrun: {@link #poll} returns null and the decoder conceals), it keeps playing for up to
 * {@value #MAX_UNDERRUN_MILLIS} ms, so a packet that comes late or a loss named by a later packet
 * continues the stream; after that the sender counts as paused and the buffer starts over like
 * at first. The target starts at the minimum (60 ms by default), grows by 20 ms on each underrun
 * up to the maximum, and shrinks by 20 ms after 10 s without one. When more than target + 120 ms is
 * buffered the oldest packets are discarded (latency bound). A missing packet is declared lost
 * only when the decoder needs it and a later one is present; a run of more than
 * {@value #MAX_CONCEALED_RUN} missing packets is skipped over instead of concealed.
 *
 * <p>Thread-safe: one thread (the socket's) inserts while another polls; each method holds the
 * buffer's lock for a few map operations only. Payload arrays are kept as given (the caller hands
 * them over) and handed on to the poller.
 */
public final class JitterBuffer {
  /** Default minimum target delay, ms. */
  public static final int DEFAULT_MIN_DELAY_MILLIS = 60;
  /** Default maximum target delay, ms. */
  public static final int DEFAULT_MAX_DELAY_MILLIS = 200;
  /** RFC 3550 §A.1 MAX_DROPOUT: a larger forward jump restarts the sequence. */
  static final int MAX_DROPOUT = 3000;
  /** RFC 3550 §A.1 MAX_MISORDER: a backward step up to this is reordering. */
  static final int MAX_MISORDER = 100;
  /** A longer run of missing packets is skipped, not concealed. */
  static final int MAX_CONCEALED_RUN = 25;
  /** At most this many packets are held; more are refused. */
  static final int MAX_PACKETS = 128;
  private static final int STEP_MILLIS = 20;
  private static final long DECREASE_AFTER_MILLIS = 10_000;
  private static final int OVERFLOW_SLACK_MILLIS = 120;
  /** An underrun longer than this ends playout until packets come again, ms. */
  static final int MAX_UNDERRUN_MILLIS = 100;

  /** What {@link #insert} did with a packet. */
  public enum Insert {
    /** Stored for playout. */
    ACCEPTED,
    /** A packet with this sequence number is already held; dropped. */
    DUPLICATE,
    /** Its sequence number was already played or concealed; dropped. */
    LATE,
    /** The buffer holds {@value #MAX_PACKETS} packets already; dropped. */
    FULL,
    /**
     * More than {@value #MAX_DROPOUT} ahead or {@value #MAX_MISORDER} behind: dropped; if the next
     * packet follows it, the sequence restarts there (RFC 3550 §A.1)
     */
    JUMP
  }

  /**
   * The next thing to decode.
   *
   * @param lost true: the packet {@code sequence} is missing and must be concealed
   * @param sequence extended sequence number
   * @param timestamp RTP timestamp of the packet (for a lost one: where it should have started)
   * @param durationSamples duration at 48 kHz: the packet's, or for a lost one the estimate from
   *     the timestamps around it (else the last packet's duration)
   * @param payload the packet's payload; null when lost
   * @param next when lost and the following packet is held: its payload (for in-band FEC,
   *     RFC 6716 §2.1.7); else null
   */
  public record Entry(boolean lost, long sequence, int timestamp, int durationSamples,
      byte[] payload, byte[] next) {}

  private record Packet(int timestamp, int durationSamples, byte[] payload) {}

  private final int minDelayMillis;
  private final int maxDelayMillis;
  private final TreeMap<Long, Packet> packets = new TreeMap<>();

  // guarded by this
  private boolean playing;
  private long highestSeq = Long.MIN_VALUE; // extended; MIN_VALUE before the first packet
  private int badSeq = -1;
  private long nextSeq = Long.MIN_VALUE; // extended; the next one to play once playing
  private int expectedTimestamp;
  private int lastDurationSamples = 960;
  private long bufferingSinceMillis = Long.MIN_VALUE;
  private int targetDelayMillis;
  private long lastUnderrunMillis = Long.MIN_VALUE; // or the last decrease
  private long underrunSinceMillis = Long.MIN_VALUE;
  private long underruns;
  private long discarded;
  private long skipped;
  private int bufferedSamples;

  /** A buffer with the default delays (60 ms, adaptive up to 200 ms). */
  public JitterBuffer() {
    this(DEFAULT_MIN_DELAY_MILLIS, DEFAULT_MAX_DELAY_MILLIS);
  }

  /**
   * @param minDelayMillis the starting and smallest target delay, ms, at least 0
   * @param maxDelayMillis the largest target delay, ms, at least minDelayMillis
   * @throws IllegalArgumentException if the bounds are out of order or negative
   */
  public JitterBuffer(int minDelayMillis, int maxDelayMillis) {
    if (minDelayMillis < 0 || maxDelayMillis < minDelayMillis) {
      throw new IllegalArgumentException("delay bounds must satisfy 0 <= min <= max: "
          + minDelayMillis + ", " + maxDelayMillis);
    }
    this.minDelayMillis = minDelayMillis;
    this.maxDelayMillis = maxDelayMillis;
    this.targetDelayMillis = minDelayMillis;
  }

  /**
   * Stores one received packet.
   *
   * @param sequenceNumber the RTP sequence number, 0..65535 (higher bits ignored)
   * @param timestamp the RTP timestamp (48 kHz clock), unsigned 32-bit in an int
   * @param payload the payload; the buffer keeps this array (the caller must not reuse it)
   * @param durationSamples the payload's duration at 48 kHz, positive
   * @param nowMillis arrival time, ms, any monotonic origin
   * @return what happened to the packet
   */
  public synchronized Insert insert(int sequenceNumber, int timestamp, byte[] payload,
      int durationSamples, long nowMillis) {
    int seq16 = sequenceNumber & 0xffff;
    long seq;
    if (highestSeq == Long.MIN_VALUE) {
      seq = seq16;
      highestSeq = seq;
    } else {
      // RFC 3550 §A.1: forward within MAX_DROPOUT, backward within MAX_MISORDER, else a jump
      int udelta = (seq16 - (int) (highestSeq & 0xffff)) & 0xffff;
      if (udelta < MAX_DROPOUT) {
        seq = highestSeq + udelta;
      } else if (udelta > (1 << 16) - MAX_MISORDER) {
        seq = highestSeq - ((1 << 16) - udelta);
      } else if (seq16 != badSeq) {
        badSeq = (seq16 + 1) & 0xffff; // restart only if the next packet confirms it
        return Insert.JUMP;
      } else {
        // the sender restarted its sequence: start over from this packet
        packets.clear();
        bufferedSamples = 0;
        playing = false;
        bufferingSinceMillis = Long.MIN_VALUE;
        nextSeq = Long.MIN_VALUE;
        seq = seq16;
        highestSeq = seq;
      }
    }
    badSeq = -1;
    if (nextSeq != Long.MIN_VALUE && seq < nextSeq) {
      return Insert.LATE;
    }
    if (packets.containsKey(seq)) {
      return Insert.DUPLICATE;
    }
    if (packets.size() >= MAX_PACKETS) {
      return Insert.FULL;
    }
    packets.put(seq, new Packet(timestamp, durationSamples, payload));
    bufferedSamples += durationSamples;
    highestSeq = Math.max(highestSeq, seq);
    if (!playing && bufferingSinceMillis == Long.MIN_VALUE) {
      bufferingSinceMillis = nowMillis;
    }
    return Insert.ACCEPTED;
  }

  /**
   * The next packet to decode, or the next loss to conceal; called when the decoder needs more
   * audio.
   *
   * @param nowMillis the current time, ms, same origin as {@link #insert}
   * @return the entry, or null while buffering (before the first start or after an underrun: the
   *     decoder then has nothing to play)
   */
  public synchronized Entry poll(long nowMillis) {
    if (!playing) {
      if (packets.isEmpty()) {
        return null;
      }
      boolean waited = nowMillis - bufferingSinceMillis >= targetDelayMillis;
      boolean enough = bufferedSamples >= (targetDelayMillis + 60) * 48;
      if (!waited && !enough) {
        return null;
      }
      playing = true;
      if (lastUnderrunMillis == Long.MIN_VALUE) {
        lastUnderrunMillis = nowMillis;
      }
      Map.Entry<Long, Packet> first = packets.firstEntry();
      nextSeq = first.getKey(); // what went missing while buffering was already concealed
      expectedTimestamp = first.getValue().timestamp();
    }
    if (nowMillis - lastUnderrunMillis >= DECREASE_AFTER_MILLIS
        && targetDelayMillis > minDelayMillis) {
      targetDelayMillis = Math.max(minDelayMillis, targetDelayMillis - STEP_MILLIS);
      lastUnderrunMillis = nowMillis;
    }
    // latency bound: drop the oldest while far more than the target is waiting
    while (bufferedSamples > (targetDelayMillis + OVERFLOW_SLACK_MILLIS) * 48 && packets.size() > 1) {
      Map.Entry<Long, Packet> oldest = packets.pollFirstEntry();
      bufferedSamples -= oldest.getValue().durationSamples();
      discarded++;
      nextSeq = oldest.getKey() + 1;
      expectedTimestamp = oldest.getValue().timestamp() + oldest.getValue().durationSamples();
    }
    if (packets.isEmpty()) {
      // underrun: the decoder conceals; a late packet may still come, so keep playing a while
      if (underrunSinceMillis == Long.MIN_VALUE) {
        underrunSinceMillis = nowMillis;
        underruns++;
        targetDelayMillis = Math.min(maxDelayMillis, targetDelayMillis + STEP_MILLIS);
        lastUnderrunMillis = nowMillis;
      } else if (nowMillis - underrunSinceMillis >= MAX_UNDERRUN_MILLIS) {
        playing = false; // the sender paused (muted, or gone): rebuffer when packets come again
        bufferingSinceMillis = Long.MIN_VALUE;
        underrunSinceMillis = Long.MIN_VALUE;
      }
      return null;
    }
    underrunSinceMillis = Long.MIN_VALUE;
    Map.Entry<Long, Packet> first = packets.firstEntry();
    long firstSeq = first.getKey();
    Packet p = first.getValue();
    long missing = firstSeq - nextSeq;
    if (missing == 0 || missing > MAX_CONCEALED_RUN) {
      skipped += missing;
      packets.pollFirstEntry();
      bufferedSamples -= p.durationSamples();
      nextSeq = firstSeq + 1;
      expectedTimestamp = p.timestamp() + p.durationSamples();
      lastDurationSamples = p.durationSamples();
      return new Entry(false, firstSeq, p.timestamp(), p.durationSamples(), p.payload(), null);
    }
    int span = p.timestamp() - expectedTimestamp; // modulo 2^32
    int duration = lastDurationSamples;
    if (span > 0) {
      long perPacket = span / missing;
      if (perPacket >= 120 && perPacket <= 5760) {
        duration = (int) perPacket;
      }
    }
    Entry lost = new Entry(true, nextSeq, expectedTimestamp, duration, null,
        missing == 1 ? p.payload() : null);
    nextSeq++;
    expectedTimestamp += duration;
    return lost;
  }

  /** @return the current target delay, ms */
  public synchronized int targetDelayMillis() {
    return targetDelayMillis;
  }

  /** @return audio held, ms (sum of the held packets' durations) */
  public synchronized int bufferedMillis() {
    return bufferedSamples / 48;
  }

  /** @return how often the buffer ran empty while playing */
  public synchronized long underruns() {
    return underruns;
  }

  /** @return packets dropped unplayed by the latency bound */
  public synchronized long discarded() {
    return discarded;
  }

  /** @return missing packets passed over without concealment (runs over {@value #MAX_CONCEALED_RUN}) */
  public synchronized long skipped() {
    return skipped;
  }

  /** @return whether the buffer is playing (false while buffering) */
  public synchronized boolean playing() {
    return playing;
  }
}
