package org.tgcalls4j;

import java.util.Objects;

/**
 * 20 ms of received audio: decoded Opus from one participant, or the mix of all of them
 * ({@link TgCalls.Builder#mixIncomingAudio}).
 *
 * <p>Ownership: {@code samples} is a new array for every frame; the frame and its array belong to
 * the listener, which may keep or modify them. The record does not copy it.
 *
 * @param ssrc the RTP synchronization source the audio came from (unsigned 32-bit in an int); 0
 *     for a mixed frame
 * @param samples signed 16-bit PCM at 48 kHz, channels interleaved: 960 samples per channel
 * @param channels 1 or 2
 * @param audioLevelDbov the frame's level as in RFC 6464 §3: 0 (loudest, 0 dBov) to 127 (−127
 *     dBov or quieter, silence)
 * @param concealed true if any part of the frame was made up by packet-loss concealment or from
 *     forward error correction because a packet was lost or late (RFC 6716 §4.4); for a mixed
 *     frame, if every contributing stream's frame was
 */
public record AudioFrame(int ssrc, short[] samples, int channels, int audioLevelDbov,
    boolean concealed) {
  /** Samples per channel in one frame: 20 ms at 48 kHz. */
  public static final int SAMPLES_PER_CHANNEL = 960;

  /**
   * @throws NullPointerException if samples is null
   * @throws IllegalArgumentException if channels is not 1 or 2, the array is not 960 samples per
   *     channel, or the level is outside 0..127
   */
  public AudioFrame {
    Objects.requireNonNull(samples, "samples");
    if (channels != 1 && channels != 2) {
      throw new IllegalArgumentException("channels must be 1 or 2: " + channels);
    }
    if (samples.length != SAMPLES_PER_CHANNEL * channels) {
      throw new IllegalArgumentException("a frame holds " + SAMPLES_PER_CHANNEL * channels
          + " samples for " + channels + " channel(s), not " + samples.length);
    }
    if (audioLevelDbov < 0 || audioLevelDbov > 127) {
      throw new IllegalArgumentException("audio level must be 0..127 -dBov: " + audioLevelDbov);
    }
  }
}
