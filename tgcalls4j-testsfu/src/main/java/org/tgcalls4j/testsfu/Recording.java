package org.tgcalls4j.testsfu;

import java.util.Map;

/**
 * A snapshot of what the test SFU received from its participant; immutable once returned by
 * {@link TestSfu#recording()} (the map is unmodifiable, the PCM array is a private copy).
 *
 * @param audioSsrcDeclared the join's {@code ssrc} (0 before a join was answered)
 * @param packetsBySsrc authenticated RTP packets per declared SSRC
 * @param packetsDroppedUndeclaredSsrc RTP packets dropped because their SSRC was not declared in the
 *     join ({@code ssrc} or any {@code ssrc-groups} source), as the real SFU appears to do
 * @param srtpFailures SRTP or SRTCP packets that failed authentication, replay or parsing
 * @param pcm48kStereo Opus audio of the declared audio SSRC decoded with Concentus: 48 kHz,
 *     2 channels interleaved, capped at 5 minutes
 * @param firstPacketNanos {@link System#nanoTime()} of the first authenticated RTP packet, 0 if none
 * @param lostPackets audio SSRC packets missing from the sequence range (RFC 3550 A.3: expected -
 *     received, not negative)
 * @param jitterMillis RFC 3550 §6.4.1 interarrival jitter of the audio SSRC, in milliseconds
 * @param rtcpPacketsReceived authenticated SRTCP packets (compound or reduced-size)
 * @param lastCname the last SDES CNAME seen in RTCP, null if none
 * @param payloadTypeSeen RTP payload type of the last audio SSRC packet, -1 if none
 * @param audioLevelExtensionSeen whether an audio SSRC packet carried the one-byte header
 *     extension id 1 (RFC 6464 audio level, §5.4)
 * @param video what arrived on the declared video SSRC and its RTX partner
 */
public record Recording(
    int audioSsrcDeclared,
    Map<Integer, Long> packetsBySsrc,
    long packetsDroppedUndeclaredSsrc,
    long srtpFailures,
    short[] pcm48kStereo,
    long firstPacketNanos,
    long lostPackets,
    double jitterMillis,
    int rtcpPacketsReceived,
    String lastCname,
    int payloadTypeSeen,
    boolean audioLevelExtensionSeen,
    VideoRecording video) {}
