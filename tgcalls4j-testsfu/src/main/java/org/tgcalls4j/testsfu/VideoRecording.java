package org.tgcalls4j.testsfu;

import java.nio.file.Path;
import java.util.List;

/**
 * What the test SFU received on the participant's declared video SSRCs (the first FID group of its
 * join, group-call.md §2.2/§5.3); immutable.
 *
 * @param videoSsrc the FID group's media SSRC, 0 if the join declared no video
 * @param rtxSsrc its RTX partner, 0 if none
 * @param packets authenticated RTP packets on the video SSRC (media and padding)
 * @param paddingOnlyPackets of which packets without payload (keep-alives, group-call.md §5.6)
 * @param payloadTypeSeen payload type of the last media packet, -1 if none
 * @param absSendTimeSeen whether a media packet carried one-byte extension id 2 (abs-send-time)
 * @param framesCompleted frames reassembled by the {@link Vp8Depacketizer} and written to the IVF
 * @param keyFrameRtpTimestamps RTP timestamps (unsigned) of the keyframes reassembled, in order
 * @param lastRtpTimestamp RTP timestamp (unsigned) of the last media packet, -1 if none
 * @param width width of the first keyframe, 0 if none
 * @param height height of the first keyframe, 0 if none
 * @param ivfFile where the frames were written, null when no IVF was requested
 * @param rtxPackets authenticated RTP packets on the RTX SSRC
 * @param rtxOriginalSequenceNumbers the OSN (RFC 4588 §4) of each RTX packet, in arrival order
 * @param rtxPayloadMismatches RTX packets whose payload after the OSN differs from the media packet
 *     with that sequence number
 * @param rtxPayloadTypeSeen payload type of the last RTX packet, -1 if none
 * @param avSyncOffsetMillis video media position minus audio media position at one NTP instant,
 *     from the latest sender report of each track (RFC 3550 §6.4.1), positions counted from each
 *     track's first packet: how far a receiver doing lip sync would see video ahead of audio; NaN
 *     until both tracks sent a report
 * @param autoNackedPackets sequence numbers the SFU found missing on the video SSRC and NACKed by
 *     itself, as a real SFU would (loopback UDP drops packets on a loaded machine)
 * @param rtxRecoveredPackets RTX packets that repaired a media packet never received, which were
 *     then depacketized like the original
 */
public record VideoRecording(int videoSsrc, int rtxSsrc, long packets, long paddingOnlyPackets,
    int payloadTypeSeen, boolean absSendTimeSeen, long framesCompleted,
    List<Long> keyFrameRtpTimestamps, long lastRtpTimestamp, int width, int height, Path ivfFile,
    long rtxPackets, List<Integer> rtxOriginalSequenceNumbers, long rtxPayloadMismatches,
    int rtxPayloadTypeSeen, double avSyncOffsetMillis, long autoNackedPackets,
    long rtxRecoveredPackets) {
  /** @return a recording of nothing, for a join without video or before the connection */
  static VideoRecording empty(int videoSsrc, int rtxSsrc, Path ivfFile) {
    return new VideoRecording(videoSsrc, rtxSsrc, 0, 0, -1, false, 0, List.of(), -1, 0, 0, ivfFile,
        0, List.of(), 0, -1, Double.NaN, 0, 0);
  }
}
