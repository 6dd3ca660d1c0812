package org.tgcalls4j;

/**
 * The device a track stands for in Telegram's model (py-tgcalls' and ntgcalls' vocabulary): what
 * other participants see the track as. tgcalls4j sends media, never captures it, so the device
 * follows from the call and the track: see {@link #of}.
 */
public enum StreamDevice {
  /** Outgoing audio: the audio track of a group call, presentation or private call. */
  MICROPHONE,
  /**
   * Audio played to us (received audio). tgcalls4j reports no stream end for it today; named for
   * parity with py-tgcalls, whose recordings use it.
   */
  SPEAKER,
  /** The video track of a group call's main connection. */
  CAMERA,
  /** The video track of a presentation ({@link CallKind#PRESENTATION}, the screen share). */
  SCREEN;

  /**
   * @param kind the call's kind
   * @param type the track
   * @return {@link #SCREEN} for a presentation's video, {@link #CAMERA} for any other video,
   *     {@link #MICROPHONE} for audio
   */
  public static StreamDevice of(CallKind kind, StreamType type) {
    if (type == StreamType.AUDIO) {
      return MICROPHONE;
    }
    return kind == CallKind.PRESENTATION ? SCREEN : CAMERA;
  }
}
