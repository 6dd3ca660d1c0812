package org.tgcalls4j.internal.p2p;

import java.util.Objects;
import java.util.Set;

/**
 * The sender's mute, battery and video state (p2p-call.md §4.4). tgcalls V2Impl sends it on the
 * in-band data channel; it goes through the same JSON codec.
 *
 * @param muted whether the sender's microphone is muted
 * @param lowBattery whether the sender's battery is low
 * @param videoState the camera: {@code "inactive"}, {@code "suspended"} or {@code "active"}
 * @param screencastState the screencast, same values
 * @param videoRotation the camera rotation in degrees: 0, 90, 180 or 270
 */
public record MediaState(boolean muted, boolean lowBattery, String videoState, String screencastState,
    int videoRotation) implements SignalingMessage {
  /** The allowed {@code videoState} and {@code screencastState} values. */
  public static final Set<String> VIDEO_STATES = Set.of("inactive", "suspended", "active");

  /**
   * @throws NullPointerException if a state is null
   * @throws IllegalArgumentException if a state or the rotation is not an allowed value
   */
  public MediaState {
    Objects.requireNonNull(videoState, "videoState");
    Objects.requireNonNull(screencastState, "screencastState");
    if (!VIDEO_STATES.contains(videoState) || !VIDEO_STATES.contains(screencastState)) {
      throw new IllegalArgumentException("video states must be inactive, suspended or active: "
          + videoState + ", " + screencastState);
    }
    if (videoRotation != 0 && videoRotation != 90 && videoRotation != 180 && videoRotation != 270) {
      throw new IllegalArgumentException("videoRotation must be 0, 90, 180 or 270: " + videoRotation);
    }
  }
}
