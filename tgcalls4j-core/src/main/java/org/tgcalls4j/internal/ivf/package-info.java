/**
 * IVF reading: the simple container libvpx and ffmpeg ({@code -f ivf}) write VP8 frames into, a
 * 32-byte file header and a 12-byte header before each frame (the layout of libvpx's
 * {@code ivfenc.c}, also described in RFC 6386's reference decoder). No I/O of its own: it reads
 * the stream it is given.
 */
package org.tgcalls4j.internal.ivf;
