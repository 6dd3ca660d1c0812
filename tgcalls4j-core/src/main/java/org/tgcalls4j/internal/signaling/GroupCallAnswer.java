package org.tgcalls4j.internal.signaling;

/**
 * The SFU's answer to a join (group-call.md §3.1): either WebRTC parameters, or "stream mode"
 * (no WebRTC; the participant may only listen through MTProto chunks), possibly in an RTMP-mode
 * call.
 *
 * @param stream true for a stream-mode answer; then transport, audio, video and videoEndpoint are
 *     null. Also true whenever {@code rtmp} is.
 * @param rtmp true only when the answer says {@code "rtmp":true} (a {@code false} is not RTMP)
 * @param transport ICE/DTLS parameters; non-null unless {@code stream}
 * @param audio audio codecs, or null when absent (a presentation answer has none)
 * @param video video codecs, or null when absent
 * @param videoEndpoint our own video endpoint id ({@code video.endpoint}), or null when absent
 */
public record GroupCallAnswer(
    boolean stream,
    boolean rtmp,
    Transport transport,
    MediaDescription audio,
    MediaDescription video,
    String videoEndpoint) {}
