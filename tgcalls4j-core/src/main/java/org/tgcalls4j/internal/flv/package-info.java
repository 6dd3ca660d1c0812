/**
 * FLV tag reading (Adobe FLV File Format Specification v10.1, Annex E) for ffmpeg's
 * {@code -f flv} output. No I/O of its own: it reads the stream it is given.
 */
package org.tgcalls4j.internal.flv;
