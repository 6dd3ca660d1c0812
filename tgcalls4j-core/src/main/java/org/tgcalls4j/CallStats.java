package org.tgcalls4j;

import java.util.List;

/**
 * A snapshot of one group call's counters.
 *
 * @param packetsSent RTP packets sent
 * @param payloadBytesSent RTP payload bytes sent (Opus data, excluding RTP headers and SRTP tags)
 * @param rtcpPacketsSent RTCP compound packets sent (sender reports)
 * @param packetsReceived SRTP packets received from the SFU that passed authentication
 * @param rtcpPacketsReceived SRTCP packets received from the SFU that passed authentication
 * @param droppedIncoming incoming datagrams dropped: unknown first byte, failed SRTP
 *     authentication or replay, malformed STUN, and received RTP of another payload type than
 *     the answer's Opus (counted only with an {@link IncomingAudioListener})
 * @param connectToFirstPacketMillis time from the start of {@code connect} to the first RTP
 *     packet on the wire in ms, or -1 if none was sent yet
 * @param mediaTimeMillis media time sent so far over all sources, ms (Opus samples / 48)
 * @param remoteFractionLost the fraction of our packets the SFU reported lost in its latest RTCP
 *     receiver report (0.0 to 1.0), or -1 if it sent none
 * @param remoteJitterMillis the interarrival jitter the SFU reported for our stream in ms, or -1
 * @param incoming per received audio stream (SSRC): packets, loss, jitter, concealed frames; empty
 *     unless the client has an {@link IncomingAudioListener}; immutable
 * @param pacing how punctually the sender released its frames (lateness p50/p99/max, µs)
 */
public record CallStats(long packetsSent, long payloadBytesSent, long rtcpPacketsSent,
    long packetsReceived, long rtcpPacketsReceived, long droppedIncoming,
    long connectToFirstPacketMillis, long mediaTimeMillis, double remoteFractionLost,
    double remoteJitterMillis, List<IncomingStreamStats> incoming, PacingStats pacing) {
  /** @throws NullPointerException if incoming or pacing is null */
  public CallStats {
    incoming = List.copyOf(incoming);
    java.util.Objects.requireNonNull(pacing, "pacing");
  }
}
