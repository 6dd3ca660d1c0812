package org.tgcalls4j.internal.flv;

import java.util.Objects;

/**
 * One FLV tag: type, timestamp and body (the tag's payload without the 11-byte tag header).
 * Source: Adobe FLV File Format Specification v10.1, Annex E.4.
 *
 * <p>The body array is owned by the tag; callers must not modify it.
 *
 * @param type {@link #AUDIO} (8), {@link #VIDEO} (9) or {@link #SCRIPT_DATA} (18)
 * @param timestampMillis decode timestamp in milliseconds, 32 bits (the extended byte included)
 * @param body the tag payload, never null
 */
public record FlvTag(int type, long timestampMillis, byte[] body) {
  /** Tag type of an audio tag. */
  public static final int AUDIO = 8;
  /** Tag type of a video tag. */
  public static final int VIDEO = 9;
  /** Tag type of a script data tag (onMetaData). */
  public static final int SCRIPT_DATA = 18;

  private static final int SOUND_FORMAT_AAC = 10;
  private static final int CODEC_ID_AVC = 7;
  private static final int FRAME_TYPE_KEY = 1;

  /** @throws NullPointerException if body is null */
  public FlvTag {
    Objects.requireNonNull(body, "body");
  }

  /** @return true for an AVC sequence header: video, CodecID 7, AVCPacketType 0 (E.4.3.1) */
  public boolean isAvcSequenceHeader() {
    return type == VIDEO && body.length >= 2 && (body[0] & 0x0F) == CODEC_ID_AVC && body[1] == 0;
  }

  /** @return true for an AVC end of sequence: video, CodecID 7, AVCPacketType 2 (E.4.3.1) */
  public boolean isAvcEndOfSequence() {
    return type == VIDEO && body.length >= 2 && (body[0] & 0x0F) == CODEC_ID_AVC && body[1] == 2;
  }

  /** @return true for a video tag whose FrameType is 1 (keyframe), E.4.3.1 */
  public boolean isKeyframe() {
    return type == VIDEO && body.length >= 1 && ((body[0] & 0xF0) >> 4) == FRAME_TYPE_KEY;
  }

  /** @return true for an AAC sequence header: audio, SoundFormat 10, AACPacketType 0 (E.4.2.1) */
  public boolean isAacSequenceHeader() {
    return type == AUDIO && body.length >= 2 && ((body[0] & 0xF0) >> 4) == SOUND_FORMAT_AAC
        && body[1] == 0;
  }

  /** @return true for an AVC or AAC sequence header */
  public boolean isSequenceHeader() {
    return isAvcSequenceHeader() || isAacSequenceHeader();
  }

  /**
   * @param newTimestampMillis the timestamp of the copy
   * @return a tag sharing this body with another timestamp
   */
  public FlvTag withTimestamp(long newTimestampMillis) {
    return new FlvTag(type, newTimestampMillis, body);
  }
}
