package org.tgcalls4j;

/**
 * A snapshot of one call's sending side.
 *
 * @param packetsSent RTP packets sent (after SRTP)
 * @param bytesSent RTP payload bytes sent (Opus data, excluding headers)
 * @param rtcpPacketsSent RTCP compound packets sent
 * @param connectToFirstPacketMillis time from {@code connect} to the first RTP packet on the wire,
 *     or -1 if none was sent yet
 * @param mediaTimeMillis media time sent so far, in ms (packets x 20 ms for Opus)
 * @param droppedIncoming incoming datagrams dropped (unknown type, failed authentication, replay)
 */
public record CallStats(long packetsSent, long bytesSent, long rtcpPacketsSent,
    long connectToFirstPacketMillis, long mediaTimeMillis, long droppedIncoming) {}
