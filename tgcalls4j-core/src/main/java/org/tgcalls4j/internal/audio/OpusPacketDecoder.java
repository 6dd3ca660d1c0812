package org.tgcalls4j.internal.audio;

import io.github.jaredmdobson.concentus.OpusDecoder;
import io.github.jaredmdobson.concentus.OpusException;

/**
 * Concentus's Opus decoder (48 kHz) behind one method that never throws for a packet it cannot
 * decode, since every packet it gets comes from outside (a peer, a file).
 *
 * <p>Concentus reports a malformed packet with {@link OpusException}, sometimes with a
 * {@link RuntimeException}, and for some malformed packets with an {@link AssertionError}: its
 * ported libopus asserts are always on (Concentus 1.0.2: {@code Inlines.OpusAssert}, reached from
 * {@code silk_MLA} and {@code celt_ilog2}; random packets hit them about once in 20,000 decodes).
 * All three mean "not decodable" here. After an error the decoder's state is reset, since an
 * assert can fire halfway through updating it. Not thread-safe: one thread at a time.
 */
public final class OpusPacketDecoder {
  private static final int SAMPLE_RATE_HZ = 48_000;

  private final OpusDecoder decoder;
  private long rejected;

  /**
   * @param channels 1 or 2, the interleaved channels of the PCM written
   * @throws IllegalArgumentException if channels is not 1 or 2
   * @throws IllegalStateException if Concentus refuses 48 kHz with that many channels (it
   *     never has)
   */
  public OpusPacketDecoder(int channels) {
    if (channels != 1 && channels != 2) {
      throw new IllegalArgumentException("channels must be 1 or 2: " + channels);
    }
    try {
      this.decoder = new OpusDecoder(SAMPLE_RATE_HZ, channels);
    } catch (OpusException e) {
      throw new IllegalStateException("Concentus refused 48 kHz, " + channels + " channel(s)", e);
    }
  }

  /**
   * Decodes one Opus packet (RFC 6716), its in-band FEC data, or conceals a loss.
   *
   * @param packet the packet, or null to conceal {@code maxSamples} of loss (packet-loss
   *     concealment); read only, not kept
   * @param offset where the packet starts
   * @param length its length in bytes (0 with a null packet)
   * @param pcm where the interleaved 16-bit samples go
   * @param pcmOffset the first value written, in shorts
   * @param maxSamples room in {@code pcm} per channel (at 48 kHz); with FEC or concealment, the
   *     duration to produce
   * @param fec decode the packet's in-band FEC data (the previous packet) instead of the packet
   * @return samples per channel written, or -1 if the decoder could not decode the input (counted
   *     in {@link #rejected()}; nothing usable was written)
   */
  public int decode(byte[] packet, int offset, int length, short[] pcm, int pcmOffset,
      int maxSamples, boolean fec) {
    try {
      return decoder.decode(packet, offset, length, pcm, pcmOffset, maxSamples, fec);
    } catch (OpusException | RuntimeException e) {
      rejected++;
      return -1;
    } catch (AssertionError e) {
      rejected++;
      decoder.resetState();
      return -1;
    }
  }

  /** @return inputs {@link #decode} could not decode so far; on the decoding thread */
  public long rejected() {
    return rejected;
  }
}
