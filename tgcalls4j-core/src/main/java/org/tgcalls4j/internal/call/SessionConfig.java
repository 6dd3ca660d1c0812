package org.tgcalls4j.internal.call;

import java.nio.file.Path;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import org.tgcalls4j.DtlsSetup;
import org.tgcalls4j.NetworkOptions;
import org.tgcalls4j.internal.audio.AudioReceiveScheduler;
import org.tgcalls4j.internal.dtls.DtlsCertificate;
import org.tgcalls4j.internal.pacing.PacingOverload;
import org.tgcalls4j.internal.transport.EventLoops;
import org.tgcalls4j.internal.transport.SharedUdpPort;

/**
 * Settings shared by every group call of one client.
 *
 * @param ffmpeg the ffmpeg binary used to transcode sources
 * @param network where to bind and which candidates to use
 * @param connectTimeoutMillis budget for ICE + DTLS in {@code connect}, ms
 * @param threads creates the threads a call still needs of its own (ffmpeg's pipes, a video sender)
 * @param loops the client's event loops; each call is pinned to one for its sockets, timers and
 *     audio pacing
 * @param dtlsSetup our DTLS role as announced in the join JSON
 * @param audioBitrateKbps Opus bitrate when ffmpeg transcodes, kbit/s
 * @param random source of SSRCs, credentials and initial RTP sequence numbers
 * @param wallClockMillis wall clock for RTCP sender-report NTP timestamps, ms since the epoch
 * @param certificate the client's DTLS certificate, shared by all its calls
 * @param control the client's bounded pool for DTLS handshakes and lifecycle work
 * @param rejoinWindowMillis how long a call that lost its connection waits in DISCONNECTED for a
 *     rejoin before it fails, ms; 0: it fails at once
 * @param consentTimeoutMillis how long without an answer to ICE consent checks before a connected
 *     call's connection counts as lost (RFC 7675 §5.1), ms; positive
 * @param audioIn the client's thread for received audio, or null when the client has no
 *     incoming-audio listener (received RTP is then not decoded)
 * @param mixIncomingAudio deliver one mixed frame per 20 ms instead of one per SSRC
 * @param sharedPort the client's single UDP port for group calls, or null (a socket per call)
 * @param pacingOverload the client's lateness limit for its senders and the report of frames
 *     dropped beyond it
 */
public record SessionConfig(Path ffmpeg, NetworkOptions network, long connectTimeoutMillis,
    ThreadFactory threads, EventLoops loops, DtlsSetup dtlsSetup, int audioBitrateKbps, RandomGenerator random,
    LongSupplier wallClockMillis, DtlsCertificate certificate, Executor control,
    long rejoinWindowMillis, long consentTimeoutMillis, AudioReceiveScheduler audioIn,
    boolean mixIncomingAudio, SharedUdpPort sharedPort, PacingOverload pacingOverload) {

  /** Settings with the default lateness limit (200 ms) and a report of their own (tests). */
  public SessionConfig(Path ffmpeg, NetworkOptions network, long connectTimeoutMillis,
      ThreadFactory threads, EventLoops loops, DtlsSetup dtlsSetup, int audioBitrateKbps,
      RandomGenerator random, LongSupplier wallClockMillis, DtlsCertificate certificate,
      Executor control, long rejoinWindowMillis, long consentTimeoutMillis,
      AudioReceiveScheduler audioIn, boolean mixIncomingAudio, SharedUdpPort sharedPort) {
    this(ffmpeg, network, connectTimeoutMillis, threads, loops, dtlsSetup, audioBitrateKbps, random,
        wallClockMillis, certificate, control, rejoinWindowMillis, consentTimeoutMillis, audioIn,
        mixIncomingAudio, sharedPort, PacingOverload.withDefaultLimit());
  }
}
