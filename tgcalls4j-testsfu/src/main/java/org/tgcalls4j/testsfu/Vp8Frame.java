package org.tgcalls4j.testsfu;

/**
 * One VP8 frame reassembled by {@link Vp8Depacketizer}.
 *
 * @param rtpTimestamp the RTP timestamp of its packets, 90 kHz, unsigned 32-bit value in an int
 * @param pts90kHz the timestamp unwrapped and relative to the first frame the depacketizer
 *     returned (which has 0), in 90 kHz units
 * @param pictureId the 15- or 7-bit PictureID of the payload descriptor, -1 if the packets carry
 *     none
 * @param keyFrame whether the frame's P bit is 0 (RFC 7741 §4.3)
 * @param width for a keyframe the 14-bit width from its header, else 0
 * @param height for a keyframe the 14-bit height from its header, else 0
 * @param data the frame: the packets' payloads after their descriptors, in sequence order
 */
public record Vp8Frame(int rtpTimestamp, long pts90kHz, int pictureId, boolean keyFrame, int width,
    int height, byte[] data) {}
