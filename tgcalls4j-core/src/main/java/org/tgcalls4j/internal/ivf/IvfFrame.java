package org.tgcalls4j.internal.ivf;

/**
 * One frame of an IVF stream, copied out of {@link IvfReader}'s buffer.
 *
 * @param index position in the stream, from 0
 * @param pts presentation timestamp in the file header's time base units ({@link
 *     IvfHeader#ptsTo90kHz} converts)
 * @param data the frame's bytes (one VP8 frame, RFC 6386 §9), owned by the caller
 */
public record IvfFrame(long index, long pts, byte[] data) {}
