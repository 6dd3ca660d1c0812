package org.tgcalls4j.testsfu;

/**
 * One VP8 frame the test SFU reassembled from the participant's video SSRC, in the order they were
 * completed (the order they are written to the IVF file, so the n-th arrival is the IVF's n-th
 * frame).
 *
 * @param arrivalNanos {@link System#nanoTime()} when its last missing packet arrived
 * @param rtpTimestamp its RTP timestamp, 90 kHz, unsigned
 * @param keyFrame whether it is a keyframe (RFC 7741 §4.3)
 */
public record VideoFrameArrival(long arrivalNanos, long rtpTimestamp, boolean keyFrame) {}
