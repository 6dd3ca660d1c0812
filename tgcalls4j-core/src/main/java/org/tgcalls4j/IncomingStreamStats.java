package org.tgcalls4j;

/**
 * Receive counters of one incoming RTP stream (one participant's audio SSRC), RFC 3550 §6.4.1.
 *
 * @param ssrc the stream's synchronization source (unsigned 32-bit in an int)
 * @param packets RTP packets received with the Opus payload type (duplicates included)
 * @param lost cumulative packets lost: expected from the highest sequence number minus received
 *     (RFC 3550 §A.3), at least 0
 * @param jitterMillis interarrival jitter (RFC 3550 §A.8), ms
 * @param concealedFrames 20 ms frames delivered that were concealed (packet-loss concealment or
 *     forward error correction)
 */
public record IncomingStreamStats(int ssrc, long packets, long lost, double jitterMillis,
    long concealedFrames) {}
