package org.tgcalls4j.internal.signaling;

import java.util.Locale;

/**
 * What a VP8 sender takes from the answer's {@code video} section (group-call.md §3.3, §5.2,
 * §5.4): the VP8 payload type, its RTX payload type (RFC 4588 §8.6, {@code apt} = the VP8 type)
 * and the ids of the one-byte header extensions it stamps. An extension id of 0 means "not
 * negotiated, do not send"; only ids 1 to 14 fit the one-byte form (RFC 8285 §4.2), so a larger
 * id also reads as 0.
 *
 * @param vp8PayloadType VP8's payload type, 0..127 (100 in every capture)
 * @param rtxPayloadType the RTX payload type whose {@code apt} is VP8's, or -1 if the answer has
 *     none (then NACKs cannot be answered)
 * @param absSendTimeId id of {@code abs-send-time}, 0 if absent
 * @param transportCcId id of the transport-wide sequence number extension, 0 if absent
 * @param videoOrientationId id of {@code urn:3gpp:video-orientation} (CVO), 0 if absent
 */
public record VideoSendParameters(int vp8PayloadType, int rtxPayloadType, int absSendTimeId,
    int transportCcId, int videoOrientationId) {
  /** abs-send-time, draft of webrtc.org (group-call.md §5.4 id 2). */
  public static final String ABS_SEND_TIME_URI =
      "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
  /** Transport-wide sequence numbers, draft-holmer-rmcat-transport-wide-cc-extensions-01 §2. */
  public static final String TRANSPORT_CC_URI =
      "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
  /** Coordination of video orientation, 3GPP TS 26.114 §7.4.5. */
  public static final String VIDEO_ORIENTATION_URI = "urn:3gpp:video-orientation";

  /**
   * Picks VP8 and its RTX from a decoded {@code video} section. The VP8 payload type is the
   * first named {@code VP8} (any case); its RTX is the first {@code rtx} whose {@code apt}
   * parameter is that type's number.
   *
   * @param video the answer's video section, or null when the answer has none
   * @return the parameters, or null if there is no video section or it lists no VP8
   */
  public static VideoSendParameters from(MediaDescription video) {
    if (video == null) {
      return null;
    }
    PayloadType vp8 = null;
    for (PayloadType p : video.payloadTypes()) {
      if (p.name().equalsIgnoreCase("VP8")) {
        vp8 = p;
        break;
      }
    }
    if (vp8 == null) {
      return null;
    }
    int rtx = -1;
    for (PayloadType p : video.payloadTypes()) {
      if (p.name().toLowerCase(Locale.ROOT).equals("rtx")
          && String.valueOf(vp8.id()).equals(p.parameters().get("apt"))) {
        rtx = p.id();
        break;
      }
    }
    return new VideoSendParameters(vp8.id(), rtx, extensionId(video, ABS_SEND_TIME_URI),
        extensionId(video, TRANSPORT_CC_URI), extensionId(video, VIDEO_ORIENTATION_URI));
  }

  private static int extensionId(MediaDescription media, String uri) {
    for (HeaderExtension e : media.headerExtensions()) {
      if (e.uri().equals(uri) && e.id() >= 1 && e.id() <= 14) {
        return e.id();
      }
    }
    return 0;
  }
}
