package org.tgcalls4j.internal.rtp;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Wraps Opus frames of one outgoing SSRC into plain (unprotected) RTP packets, RFC 3550 §5.1 with
 * the Opus payload format of RFC 7587 and, optionally, the RFC 6464 audio level in an RFC 8285
 * one-byte header extension.
 *
 * <p>The first packet, and the first after a {@link #skip gap}, carry the marker bit (RFC 3551
 * §4.1: the first packet of a talkspurt); sequence number and timestamp start at random values
 * (RFC 3550 §5.1) and the timestamp advances by each frame's duration at 48 kHz (RFC 7587 §4.1).
 * Not thread-safe: one sending thread owns an instance.
 */
public final class OpusRtpPacketizer {
  /** RTP fixed header size in bytes (no CSRCs), RFC 3550 §5.1. */
  static final int FIXED_HEADER_BYTES = 12;
  /** One-byte extension block: 4-byte header + one word holding the audio-level element. */
  static final int AUDIO_LEVEL_EXTENSION_BYTES = 8;
  /** "Defined by profile" value of the RFC 8285 §4.2 one-byte header form. */
  static final int ONE_BYTE_PROFILE = 0xBEDE;

  private final int ssrc;
  private final int payloadType;
  private final int audioLevelExtensionId;
  private int sequenceNumber;
  private int nextTimestamp;
  private int lastRtpTimestamp;
  private long packetCount;
  private long octetCount;
  private boolean markNext = true;

  /**
   * @param ssrc the SSRC put in every packet (the join {@code ssrc}; any 32-bit value)
   * @param payloadType the Opus payload type from the answer, 0..127 (Telegram uses 111)
   * @param audioLevelExtensionId the RFC 8285 id negotiated for
   *     {@code urn:ietf:params:rtp-hdrext:ssrc-audio-level}, 1..14, or 0 to send no extension
   * @param random source of the initial sequence number and timestamp (RFC 3550 §5.1)
   * @throws IllegalArgumentException if the payload type or extension id is out of range
   */
  public OpusRtpPacketizer(int ssrc, int payloadType, int audioLevelExtensionId, RandomGenerator random) {
    if (payloadType < 0 || payloadType > 127) {
      throw new IllegalArgumentException("payloadType must be 0..127: " + payloadType);
    }
    if (audioLevelExtensionId < 0 || audioLevelExtensionId > 14) {
      throw new IllegalArgumentException("audioLevelExtensionId must be 0..14: " + audioLevelExtensionId);
    }
    Objects.requireNonNull(random, "random");
    this.ssrc = ssrc;
    this.payloadType = payloadType;
    this.audioLevelExtensionId = audioLevelExtensionId;
    this.sequenceNumber = random.nextInt(0x10000);
    this.nextTimestamp = random.nextInt();
    this.lastRtpTimestamp = nextTimestamp;
  }

  /**
   * Builds the next RTP packet in a new array; see {@link #packetizeInto} for the rules.
   *
   * @param opusFrame one Opus packet (RFC 6716 §3), at least one byte; copied, the caller keeps it
   * @param samplesAt48kHz the frame's duration in 48 kHz samples (960 for 20 ms), positive; the
   *     next packet's timestamp is this packet's plus this value
   * @param audioLevelDbov audio level in −dBov, 0 (loudest) .. 127; larger values are sent as 127,
   *     which RFC 6464 §3 defines as "−127 dBov or less". Ignored when no extension id was given
   * @param voiceActivity the RFC 6464 V flag
   * @return a new array holding exactly the RTP packet; owned by the caller
   * @throws IllegalArgumentException if the frame is empty, the sample count not positive or the
   *     level negative
   */
  public byte[] packetize(byte[] opusFrame, int samplesAt48kHz, int audioLevelDbov, boolean voiceActivity) {
    if (opusFrame.length == 0) {
      throw new IllegalArgumentException("opusFrame is empty");
    }
    byte[] packet = new byte[headerBytes() + opusFrame.length];
    packetizeInto(opusFrame, 0, opusFrame.length, samplesAt48kHz, audioLevelDbov, voiceActivity,
        packet, 0);
    return packet;
  }

  /** @return the length of every packet's header in bytes: 12, or 20 with the audio-level extension */
  public int headerBytes() {
    return FIXED_HEADER_BYTES + (audioLevelExtensionId != 0 ? AUDIO_LEVEL_EXTENSION_BYTES : 0);
  }

  /**
   * Builds the next RTP packet into the caller's buffer; allocates nothing. A buffer of
   * {@link #headerBytes()} {@code +} the frame length {@code +} the SRTP tag can be protected in
   * place afterwards.
   *
   * @param frame holds one Opus packet (RFC 6716 §3); read only, not kept
   * @param frameOffset where the Opus packet starts in {@code frame}
   * @param frameLength its length in bytes, at least one
   * @param samplesAt48kHz the frame's duration in 48 kHz samples (960 for 20 ms), positive; the
   *     next packet's timestamp is this packet's plus this value
   * @param audioLevelDbov audio level in −dBov, 0 (loudest) .. 127; larger values are sent as 127,
   *     which RFC 6464 §3 defines as "−127 dBov or less". Ignored when no extension id was given
   * @param voiceActivity the RFC 6464 V flag
   * @param out receives the packet at {@code outOffset}; owned by the caller, not kept. Must not
   *     overlap the frame
   * @param outOffset where the packet starts in {@code out}
   * @return the packet's length in bytes: {@link #headerBytes()} {@code + frameLength}
   * @throws IllegalArgumentException if the frame is empty, the sample count not positive or the
   *     level negative (nothing is written and the state does not advance)
   * @throws IndexOutOfBoundsException if the frame lies outside {@code frame} or the packet does
   *     not fit in {@code out} (nothing is written)
   */
  public int packetizeInto(byte[] frame, int frameOffset, int frameLength, int samplesAt48kHz,
      int audioLevelDbov, boolean voiceActivity, byte[] out, int outOffset) {
    if (frameLength <= 0) {
      throw new IllegalArgumentException("opusFrame is empty");
    }
    if (samplesAt48kHz <= 0) {
      throw new IllegalArgumentException("samplesAt48kHz must be positive: " + samplesAt48kHz);
    }
    if (audioLevelDbov < 0) {
      throw new IllegalArgumentException("audioLevelDbov must be 0..127: " + audioLevelDbov);
    }
    boolean extension = audioLevelExtensionId != 0;
    int headerBytes = headerBytes();
    Objects.checkFromIndexSize(frameOffset, frameLength, frame.length);
    Objects.checkFromIndexSize(outOffset, headerBytes + frameLength, out.length);
    int timestamp = nextTimestamp;
    // RFC 3550 §5.1: V=2, P=0, X, CC=0 | M, PT | sequence number | timestamp | SSRC
    out[outOffset] = (byte) (0x80 | (extension ? 0x10 : 0));
    out[outOffset + 1] = (byte) ((markNext ? 0x80 : 0) | payloadType);
    putShort(out, outOffset + 2, sequenceNumber);
    putInt(out, outOffset + 4, timestamp);
    putInt(out, outOffset + 8, ssrc);
    if (extension) {
      // RFC 8285 §4.2: 0xBEDE, length 1 word; element: ID | L=0 (one data byte), then 2 zero pad bytes.
      putShort(out, outOffset + 12, ONE_BYTE_PROFILE);
      putShort(out, outOffset + 14, 1);
      out[outOffset + 16] = (byte) (audioLevelExtensionId << 4);
      // RFC 6464 §3: V bit then 7-bit level in −dBov.
      out[outOffset + 17] = (byte) ((voiceActivity ? 0x80 : 0) | Math.min(audioLevelDbov, 127));
      out[outOffset + 18] = 0;
      out[outOffset + 19] = 0;
    }
    System.arraycopy(frame, frameOffset, out, outOffset + headerBytes, frameLength);

    lastRtpTimestamp = timestamp;
    nextTimestamp = timestamp + samplesAt48kHz;
    sequenceNumber = (sequenceNumber + 1) & 0xFFFF;
    markNext = false;
    packetCount++;
    octetCount += frameLength;
    return headerBytes + frameLength;
  }

  /**
   * Lets media time pass without a packet (discontinuous transmission): the next packet's
   * timestamp is later by {@code samplesAt48kHz}, its sequence number is the next one (RFC 3550
   * §5.1: sequence numbers count packets sent, so a receiver sees no loss) and it carries the
   * marker bit.
   *
   * @param samplesAt48kHz the gap's duration in 48 kHz samples, positive
   * @throws IllegalArgumentException if samplesAt48kHz is not positive
   */
  public void skip(int samplesAt48kHz) {
    if (samplesAt48kHz <= 0) {
      throw new IllegalArgumentException("samplesAt48kHz must be positive: " + samplesAt48kHz);
    }
    nextTimestamp += samplesAt48kHz;
    markNext = true;
  }

  /** @return the SSRC of every packet */
  public int ssrc() {
    return ssrc;
  }

  /** @return packets built so far (RFC 3550 §6.4.1 sender's packet count, before 32-bit wrap) */
  public long packetCount() {
    return packetCount;
  }

  /** @return payload bytes built so far, headers excluded (RFC 3550 §6.4.1 sender's octet count) */
  public long octetCount() {
    return octetCount;
  }

  /**
   * @return the RTP timestamp of the last packet built, or of the first packet to come if none was
   *     built yet; an unsigned 32-bit value in an int
   */
  public int lastRtpTimestamp() {
    return lastRtpTimestamp;
  }

  /**
   * @return the RTP timestamp the next packet will carry (after any {@link #skip}); an unsigned
   *     32-bit value in an int
   */
  public int nextRtpTimestamp() {
    return nextTimestamp;
  }

  private static void putShort(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 8);
    b[off + 1] = (byte) v;
  }

  private static void putInt(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 24);
    b[off + 1] = (byte) (v >>> 16);
    b[off + 2] = (byte) (v >>> 8);
    b[off + 3] = (byte) v;
  }
}
