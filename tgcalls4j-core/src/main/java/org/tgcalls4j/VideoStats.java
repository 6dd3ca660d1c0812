package org.tgcalls4j;

/**
 * A snapshot of a group call's camera video counters ({@link GroupCall#videoStats()}).
 *
 * @param ssrc the video SSRC ({@code audio SSRC + 1}, group-call.md §5.3), unsigned 32-bit in an int
 * @param rtxSsrc its retransmission (RTX) SSRC, the FID partner ({@code ssrc + 1})
 * @param framesSent VP8 frames sent
 * @param keyFramesSent of which keyframes
 * @param packetsSent RTP packets sent on the video SSRC (media and keep-alive padding)
 * @param payloadBytesSent RTP payload bytes of those (VP8 descriptors and data, no headers)
 * @param rtxPacketsSent retransmissions sent on the RTX SSRC in answer to NACKs (RFC 4588)
 * @param nacksReceived generic NACK messages received for the video SSRC (RFC 4585 §6.2.1)
 * @param nackedPacketsMissing NACKed packets no longer in the send history (or no RTX negotiated)
 * @param pliReceived picture loss indications received (RFC 4585 §6.3.1)
 * @param firReceived full intra requests received (RFC 5104 §4.3.1)
 * @param keyFrameRequestsCoalesced PLI/FIR that arrived while an earlier request still waited
 *     for its keyframe (they are served by the same keyframe)
 * @param lastKeyFrameDelayMillis time from the latest served PLI/FIR to the keyframe that followed,
 *     ms; -1 if none was served yet. ffmpeg cannot be asked for a keyframe while running, so this is
 *     bounded by the source's keyframe interval (1 s)
 * @param maxKeyFrameDelayMillis the largest such delay so far, ms; -1 if none
 * @param rembBitrateBps the latest REMB estimate from the SFU in bit/s, -1 if none received
 * @param transportCcFeedbackReceived transport-cc feedback messages received about the video
 * @param rtcpPacketsSent sender reports sent for the video SSRC
 * @param keepalivesSent padding-only keep-alive packets sent during stretches without video
 * @param framesSkippedMuted frames read on schedule but not sent because of
 *     {@link GroupCall#mute()}: those due while muted, and after the unmute the delta frames
 *     dropped until the next keyframe (at most the source's keyframe interval, 1 s)
 * @param framesDroppedLate frames not sent because the sender reached them more than the client's
 *     lateness limit after their deadline ({@link TgCalls.Builder#pacingLatenessLimit}, default
 *     200 ms) although the source had them in time (an overloaded machine, a long GC pause), and
 *     the delta frames after such a drop until the next keyframe (receivers could not decode them
 *     without the dropped frame; ffmpeg cannot be asked for a keyframe, so this waits at most the
 *     source's keyframe interval, 1 s)
 */
public record VideoStats(int ssrc, int rtxSsrc, long framesSent, long keyFramesSent,
    long packetsSent, long payloadBytesSent, long rtxPacketsSent, long nacksReceived,
    long nackedPacketsMissing, long pliReceived, long firReceived, long keyFrameRequestsCoalesced,
    long lastKeyFrameDelayMillis, long maxKeyFrameDelayMillis, long rembBitrateBps,
    long transportCcFeedbackReceived, long rtcpPacketsSent, long keepalivesSent,
    long framesSkippedMuted, long framesDroppedLate) {

  /**
   * The counters without {@code framesDroppedLate} (0), as before drops existed; parameters as in
   * the record's own constructor.
   */
  public VideoStats(int ssrc, int rtxSsrc, long framesSent, long keyFramesSent, long packetsSent,
      long payloadBytesSent, long rtxPacketsSent, long nacksReceived, long nackedPacketsMissing,
      long pliReceived, long firReceived, long keyFrameRequestsCoalesced,
      long lastKeyFrameDelayMillis, long maxKeyFrameDelayMillis, long rembBitrateBps,
      long transportCcFeedbackReceived, long rtcpPacketsSent, long keepalivesSent,
      long framesSkippedMuted) {
    this(ssrc, rtxSsrc, framesSent, keyFramesSent, packetsSent, payloadBytesSent, rtxPacketsSent,
        nacksReceived, nackedPacketsMissing, pliReceived, firReceived, keyFrameRequestsCoalesced,
        lastKeyFrameDelayMillis, maxKeyFrameDelayMillis, rembBitrateBps,
        transportCcFeedbackReceived, rtcpPacketsSent, keepalivesSent, framesSkippedMuted, 0);
  }
}
