package org.tgcalls4j;

/** Which track of a call's source a {@link StreamListener#onStreamEnd(Call, StreamType, StreamDevice, TgCallsException)} is about. */
public enum StreamType {
  /** The Opus audio track: every call has one. */
  AUDIO,
  /**
   * The VP8 video track of a group call or presentation playing a source with video
   * ({@link MediaSource#withVideo}, {@link MediaSource#shells}, {@link MediaSource#ivf(java.nio.file.Path)}).
   */
  VIDEO
}
