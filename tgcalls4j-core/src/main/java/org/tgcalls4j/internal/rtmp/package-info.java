/**
 * In-house RTMP(S) publisher: URL parsing, the digest ("complex") handshake, the chunk stream,
 * AMF0 and the FMLE-style publish command flow (Adobe RTMP specification 1.0, December 2012).
 *
 * <p>Chunk stream ids used for what we send: 2 protocol control and user control (required by
 * spec §5.4), 3 NetConnection/NetStream commands, 4 audio, 5 the {@code @setDataFrame} data
 * message, 6 video (the same split as FFmpeg and OBS). Every message starts with a type-0 chunk
 * and continues with type-3 chunks, which strict FMS-compatible ingests accept.
 */
package org.tgcalls4j.internal.rtmp;
