package org.tgcalls4j.internal.ogg;

/**
 * The Opus identification header of an Ogg Opus stream (RFC 7845 §5.1).
 *
 * @param channels output channel count, 1..255
 * @param preSkip samples at 48 kHz to discard from the decoder output at the start
 * @param inputSampleRateHz sample rate of the original input (informational; Opus always decodes
 *     at 48 kHz here), 0 if unspecified
 * @param mappingFamily channel mapping family: 0 = mono/stereo single stream, 1 = Vorbis order, 255 = unordered
 */
public record OpusHead(int channels, int preSkip, long inputSampleRateHz, int mappingFamily) {}
