package org.tgcalls4j.internal.call;

import io.github.jaredmdobson.concentus.OpusApplication;
import io.github.jaredmdobson.concentus.OpusEncoder;
import io.github.jaredmdobson.concentus.OpusException;
import java.io.IOException;
import java.util.Arrays;
import org.tgcalls4j.internal.audio.PcmQueue;

/**
 * Encodes 20 ms frames of 48 kHz PCM to Opus (RFC 6716) in-process with Concentus:
 * {@code OPUS_APPLICATION_AUDIO}, VBR, no DTX (silence is skipped by the caller, not the codec).
 * Not thread-safe: the call's sender thread owns an instance.
 */
final class PcmEncoder {
  /** Largest packet we accept from the encoder, bytes (RFC 6716 §3.2.1 bounds a frame at 1275). */
  private static final int MAX_PACKET_BYTES = 1500;
  /** Concentus complexity 0..10; 5 keeps a stereo 20 ms frame well under a millisecond. */
  private static final int COMPLEXITY = 5;

  static {
    // The first encode in a JVM loads and compiles Concentus (tens of ms). Doing it here, on the
    // thread that opens the first in-process source (an API thread), keeps that delay off the
    // sender thread, where it would hold the first packet and make the next ones catch up. The
    // same settings as a real encoder, so the same code paths are warmed.
    try {
      PcmEncoder warmUp = new PcmEncoder(2, 64);
      for (int i = 0; i < 5; i++) {
        warmUp.encodeSilence();
      }
    } catch (IOException | RuntimeException e) {
      // the real encoder will report it
    }
  }

  private final OpusEncoder encoder;
  private final int channels;
  private final byte[] out = new byte[MAX_PACKET_BYTES];
  private short[] silence;

  /**
   * @param channels 1 or 2
   * @param bitrateKbps Opus bitrate, kbit/s, 6 to 510
   * @throws IllegalArgumentException if the encoder refuses the settings
   */
  PcmEncoder(int channels, int bitrateKbps) {
    this.channels = channels;
    try {
      encoder = new OpusEncoder(PcmQueue.SAMPLE_RATE_HZ, channels, OpusApplication.OPUS_APPLICATION_AUDIO);
    } catch (OpusException e) {
      throw new IllegalArgumentException("Opus encoder refused " + channels + " channels: " + e, e);
    }
    encoder.setBitrate(bitrateKbps * 1000);
    encoder.setComplexity(COMPLEXITY);
    encoder.setUseVBR(true);
    encoder.setUseDTX(false);
  }

  /**
   * @param pcm {@code 960 × channels} interleaved samples
   * @return one Opus packet, a new array owned by the caller
   * @throws IOException if the encoder fails (never expected with valid input)
   */
  byte[] encode(short[] pcm) throws IOException {
    try {
      int n = encoder.encode(pcm, 0, PcmQueue.FRAME_SAMPLES, out, 0, out.length);
      if (n <= 0) {
        throw new IOException("Opus encoder returned " + n);
      }
      return Arrays.copyOf(out, n);
    } catch (OpusException e) {
      throw new IOException("Opus encoder failed: " + e.getMessage(), e);
    }
  }

  /** @return one 20 ms frame of encoded silence (through the encoder, so its state stays continuous) */
  byte[] encodeSilence() throws IOException {
    if (silence == null) {
      silence = new short[PcmQueue.FRAME_SAMPLES * channels];
    }
    return encode(silence);
  }
}
