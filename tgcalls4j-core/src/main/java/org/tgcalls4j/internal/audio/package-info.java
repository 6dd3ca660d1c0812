/**
 * In-process audio. Sending: the bounded PCM queue behind {@link org.tgcalls4j.PcmPushSource},
 * and the bridge that lets the call read it without widening the public API. Receiving: per-SSRC
 * jitter buffers, Opus decoding with packet-loss concealment and in-band FEC, RFC 6464 levels,
 * RFC 3550 receive statistics, and the one client-wide thread that pulls every call's receivers
 * every 20 ms. The receiving cores ({@link org.tgcalls4j.internal.audio.JitterBuffer},
 * {@link org.tgcalls4j.internal.audio.OpusStreamDecoder},
 * {@link org.tgcalls4j.internal.audio.ReceiveStatistics}) are sans-I/O: time is passed in.
 */
package org.tgcalls4j.internal.audio;
