package org.tgcalls4j.internal.audio;

import org.tgcalls4j.AudioFrame;
import org.tgcalls4j.internal.fuzz.FuzzTarget;

/**
 * Fuzz target {@code opus-receive}: received Opus payloads through {@link OpusStreamDecoder} (its
 * jitter buffer, Concentus, FEC and concealment), as the receive path feeds them. Byte 0: bit 0
 * picks stereo output, bit 1 turns FEC off. Then records {@code [h][n][n payload bytes]}: the
 * sequence number moves by {@code (h & 7) - 1} (a repeat, reordering, gaps), the RTP timestamp by
 * 960 per step, and the clock by {@code (h >>> 3) * 5} ms, pulling a frame every 20 ms of it; 500 ms
 * of pulls follow the last record. Nothing is declared: the decoder counts and conceals. Checks
 * every frame's SSRC and length (20 ms at the chosen channels), and stops after
 * {@value #MAX_FRAMES} frames. Concentus allocates 25-50 kB each time it decodes or conceals
 * 20 ms, and every 2-byte record can make it do so: the allocation limit is 1 MiB plus 32 kB per
 * input byte, not the parsers' 64 bytes.
 */
public final class OpusReceiveFuzz implements FuzzTarget {
  private static final int SSRC = 0x0A0B0C0D;
  private static final int MAX_FRAMES = 16;
  private int frames;

  @Override
  public long allocationLimitBytes(int length) {
    return (1 << 20) + 32_768L * length;
  }

  @Override
  public void fuzz(byte[] data) {
    if (data.length == 0) {
      return;
    }
    frames = 0;
    int channels = (data[0] & 1) != 0 ? 2 : 1;
    OpusStreamDecoder decoder = new OpusStreamDecoder(SSRC, channels, new JitterBuffer());
    decoder.setFecEnabled((data[0] & 2) == 0);
    int sequence = 1000;
    int timestamp = 0;
    long nowMillis = 0;
    long pulledMillis = 0;
    int position = 1;
    while (position + 2 <= data.length && frames < MAX_FRAMES) {
      int h = data[position] & 0xFF;
      int n = Math.min(data[position + 1] & 0xFF, data.length - position - 2);
      byte[] payload = java.util.Arrays.copyOfRange(data, position + 2, position + 2 + n);
      position += 2 + n;
      int step = (h & 7) - 1;
      sequence = (sequence + step) & 0xFFFF;
      timestamp += 960 * step;
      nowMillis += (h >>> 3) * 5L;
      decoder.onPacket(sequence, timestamp, payload, nowMillis * 1_000_000);
      for (; pulledMillis <= nowMillis; pulledMillis += 20) {
        check(decoder.pull(pulledMillis), channels);
      }
    }
    for (long end = nowMillis + 500; pulledMillis <= end && frames < MAX_FRAMES; pulledMillis += 20) {
      check(decoder.pull(pulledMillis), channels);
    }
  }

  private void check(AudioFrame frame, int channels) {
    if (frame == null) {
      return;
    }
    frames++;
    if (frame.ssrc() != SSRC || frame.channels() != channels
        || frame.samples().length != AudioFrame.SAMPLES_PER_CHANNEL * channels) {
      throw new IllegalStateException("frame of SSRC " + frame.ssrc() + ", " + frame.channels()
          + " channels, " + frame.samples().length + " samples");
    }
  }
}
