package org.tgcalls4j.internal.audio;

import org.tgcalls4j.AudioFrame;
import org.tgcalls4j.internal.ogg.OpusPacket;

/**
 * One received Opus stream (one SSRC): its {@link JitterBuffer} and an Opus decoder (Concentus, a port of libopus), turned into 20 ms frames of 48 kHz PCM.
 *
 * <p>A decoded packet of 20/40/60 ms (or any Opus duration up to 120 ms, RFC 6716 §3.2.5) is split
 * into 20 ms frames. A lost packet is concealed: with the in-band FEC (LBRR) data of the next
 * packet when that one is held (RFC 6716 §2.1.7; libopus decodes PLC for all but the last frame's
 * worth and FEC for that), else with the decoder's packet-loss concealment. When the jitter buffer
 * runs empty, up to {@value #MAX_UNDERRUN_FRAMES} frames (100 ms) are concealed, then nothing is
 * delivered until packets come again (the participant stopped sending, or muted).
 *
 * <p>Threads: {@link #onPacket} on the receiving (socket) thread; {@link #pull} and the counters
 * on one other thread at a time. Nothing is thrown for a malformed packet: one whose TOC is
 * invalid is counted ({@link #malformed}) and played as a loss; one the decoder rejects past its
 * TOC is concealed for the duration its TOC gives.
 */
public final class OpusStreamDecoder {
  /** Frames concealed in a row on an underrun before the stream counts as paused. */
  static final int MAX_UNDERRUN_FRAMES = 5;
  private static final int FRAME = AudioFrame.SAMPLES_PER_CHANNEL;
  private static final int MAX_PACKET = 5760; // 120 ms at 48 kHz
  private static final int UNIT = 120; // 2.5 ms, the smallest Opus frame

  private final int ssrc;
  private final int channels;
  private final JitterBuffer jitterBuffer;
  private final OpusPacketDecoder decoder;
  /** Decoded, not yet delivered PCM, interleaved. */
  private final short[] pending;
  /** Per 2.5 ms unit of {@link #pending}: whether it was concealed. */
  private final boolean[] pendingConcealed;
  private int pendingSamples; // per channel

  // pull thread only
  private boolean fecEnabled = true;
  private boolean active;
  private int underrunFrames;
  private volatile long concealedFrames;
  private volatile long fecPackets;
  private volatile long malformed;

  /**
   * @param ssrc the stream's SSRC, put into every frame
   * @param channels 1 or 2: the PCM delivered (a mono stream is duplicated, a stereo one mixed down)
   * @param jitterBuffer the stream's buffer (a fresh one)
   * @throws IllegalArgumentException if channels is not 1 or 2
   */
  public OpusStreamDecoder(int ssrc, int channels, JitterBuffer jitterBuffer) {
    if (channels != 1 && channels != 2) {
      throw new IllegalArgumentException("channels must be 1 or 2: " + channels);
    }
    this.ssrc = ssrc;
    this.channels = channels;
    this.jitterBuffer = jitterBuffer;
    this.decoder = new OpusPacketDecoder(channels);
    this.pending = new short[(FRAME + MAX_PACKET) * channels];
    this.pendingConcealed = new boolean[(FRAME + MAX_PACKET) / UNIT];
  }

  /**
   * @param enabled whether a lost packet is concealed from the next packet's FEC data when held
   *     (default true); off, the decoder's PLC conceals it all (for comparisons)
   */
  public void setFecEnabled(boolean enabled) {
    this.fecEnabled = enabled;
  }

  /**
   * Takes one received packet's payload.
   *
   * @param sequenceNumber RTP sequence number
   * @param timestamp RTP timestamp (48 kHz)
   * @param payload the Opus packet; kept (the caller hands it over)
   * @param nowNanos arrival time, ns ({@link System#nanoTime()} origin; {@link #pull}'s
   *     milliseconds must have the same origin)
   */
  public void onPacket(int sequenceNumber, int timestamp, byte[] payload, long nowNanos) {
    int duration = payload.length == 0 ? -1 : OpusPacket.samplesAt48kHz(payload);
    if (duration <= 0 || duration % UNIT != 0) {
      malformed++; // RFC 6716 §3.4 [R1]-[R7]: not decodable; played as a loss when its turn comes
      return;
    }
    jitterBuffer.insert(sequenceNumber, timestamp, payload, duration, Math.floorDiv(nowNanos, 1_000_000));
  }

  /**
   * The next 20 ms, if there is one.
   *
   * @param nowMillis the current time, ms (the origin of {@link #onPacket}'s nanoseconds)
   * @return a new frame, or null while buffering or paused
   */
  public AudioFrame pull(long nowMillis) {
    while (pendingSamples < FRAME) {
      JitterBuffer.Entry e = jitterBuffer.poll(nowMillis);
      if (e == null) {
        break;
      }
      decode(e);
    }
    if (pendingSamples < FRAME) {
      if (!active || underrunFrames >= MAX_UNDERRUN_FRAMES) {
        active = false;
        pendingSamples = 0;
        return null;
      }
      underrunFrames++;
      conceal(FRAME - pendingSamples, null);
    }
    return emit();
  }

  private void decode(JitterBuffer.Entry e) {
    if (!e.lost()) {
      int n = decoder.decode(e.payload(), 0, e.payload().length, pending,
          pendingSamples * channels, MAX_PACKET, false);
      if (n >= 0) {
        mark(pendingSamples, n, false);
        pendingSamples += n;
        active = true;
        underrunFrames = 0;
        return;
      } // else corrupt beyond the TOC: conceal its duration instead
    }
    conceal(e.durationSamples(), e.lost() && fecEnabled ? e.next() : null);
  }

  /** Conceals {@code samples} per channel (rounded to 2.5 ms units), from FEC data if given. */
  private void conceal(int samples, byte[] fecSource) {
    int size = Math.max(UNIT, Math.min(MAX_PACKET, samples - samples % UNIT));
    size = Math.min(size, pending.length / channels - pendingSamples);
    size -= size % UNIT;
    if (size <= 0) {
      return;
    }
    int n = -1;
    if (fecSource != null) {
      n = decoder.decode(fecSource, 0, fecSource.length, pending, pendingSamples * channels,
          size, true);
      if (n >= 0) {
        fecPackets++;
      }
    }
    if (n <= 0) {
      n = decoder.decode(null, 0, 0, pending, pendingSamples * channels, size, false);
    }
    if (n <= 0) { // the decoder could not conceal: silence
      n = size;
      java.util.Arrays.fill(pending, pendingSamples * channels, (pendingSamples + n) * channels,
          (short) 0);
    }
    mark(pendingSamples, n, true);
    pendingSamples += n;
  }

  private void mark(int from, int samples, boolean concealed) {
    int first = from / UNIT;
    int last = (from + samples + UNIT - 1) / UNIT;
    for (int u = first; u < last && u < pendingConcealed.length; u++) {
      pendingConcealed[u] = concealed;
    }
  }

  private AudioFrame emit() {
    short[] out = new short[FRAME * channels];
    System.arraycopy(pending, 0, out, 0, out.length);
    boolean concealed = false;
    for (int u = 0; u < FRAME / UNIT; u++) {
      concealed |= pendingConcealed[u];
    }
    int rest = pendingSamples - FRAME;
    System.arraycopy(pending, out.length, pending, 0, rest * channels);
    int units = FRAME / UNIT;
    System.arraycopy(pendingConcealed, units, pendingConcealed, 0, pendingConcealed.length - units);
    pendingSamples = rest;
    if (concealed) {
      concealedFrames++;
    }
    return new AudioFrame(ssrc, out, channels, AudioLevels.dbov(out, out.length), concealed);
  }

  /** @return frames delivered that were concealed in part or whole */
  public long concealedFrames() {
    return concealedFrames;
  }

  /**
   * @return losses concealed by decoding the next packet in FEC mode (libopus, and so Concentus,
   *     falls back to PLC inside that call when the packet carries no LBRR data for it)
   */
  public long fecPackets() {
    return fecPackets;
  }

  /** @return packets dropped on arrival because their TOC was invalid (RFC 6716 §3.4) */
  public long malformed() {
    return malformed;
  }
}
