package org.tgcalls4j.internal.rtmp;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Splits messages into chunks (RTMP specification §5.3): a type-0 chunk opens every message and
 * type-3 chunks continue it, so each message is self-describing. Timestamps of 0xFFFFFF and above
 * go in the extended timestamp field, repeated in every type-3 continuation as FFmpeg, librtmp
 * and nginx-rtmp expect. Not thread-safe; the caller serializes writes.
 */
final class ChunkWriter {
  /** Largest chunk size the specification allows (31 bits). */
  static final int MAX_CHUNK_SIZE = 0x7FFFFFFF;

  static final int MAX_MESSAGE_LENGTH = 0xFFFFFF;

  private int chunkSize = 128;

  /** @param chunkSize the size announced with Set Chunk Size, 1 to 2^31-1 bytes */
  void setChunkSize(int chunkSize) {
    if (chunkSize < 1) {
      throw new IllegalArgumentException("chunk size " + chunkSize);
    }
    this.chunkSize = chunkSize;
  }

  int chunkSize() {
    return chunkSize;
  }

  /**
   * Writes one message as chunks to {@code out} (not flushed).
   *
   * @param chunkStreamId 2 to 65599
   * @param timestamp milliseconds, taken as unsigned 32 bits
   * @throws IllegalArgumentException for a chunk stream id or length out of range
   * @throws IOException from {@code out}
   */
  void write(
      OutputStream out,
      int chunkStreamId,
      int typeId,
      int streamId,
      long timestamp,
      byte[] payload,
      int offset,
      int length)
      throws IOException {
    if (chunkStreamId < 2 || chunkStreamId > 65599) {
      throw new IllegalArgumentException("chunk stream id " + chunkStreamId);
    }
    if (length < 0 || length > MAX_MESSAGE_LENGTH || offset < 0 || offset > payload.length - length) {
      throw new IllegalArgumentException("message offset " + offset + " length " + length);
    }
    long ts = timestamp & 0xFFFFFFFFL;
    boolean extended = ts >= 0xFFFFFF;
    byte[] header = new byte[3 + 11 + 4];
    int n = basicHeader(header, 0, chunkStreamId);
    n = put(header, n, extended ? 0xFFFFFF : ts, 3);
    n = put(header, n, length, 3);
    header[n++] = (byte) typeId;
    // message stream id is little-endian (spec §5.3.1.2.1)
    for (int i = 0; i < 4; i++) {
      header[n++] = (byte) (streamId >>> (8 * i));
    }
    if (extended) {
      n = put(header, n, ts, 4);
    }
    out.write(header, 0, n);
    int first = Math.min(length, chunkSize);
    out.write(payload, offset, first);
    for (int written = first; written < length; ) {
      int m = basicHeader(header, 0, chunkStreamId);
      header[0] |= (byte) 0xC0; // fmt 3
      if (extended) {
        m = put(header, m, ts, 4);
      }
      out.write(header, 0, m);
      int size = Math.min(length - written, chunkSize);
      out.write(payload, offset + written, size);
      written += size;
    }
  }

  /** Writes a fmt-0 basic header (spec §5.3.1.1); returns the index after it. */
  private static int basicHeader(byte[] b, int i, int chunkStreamId) {
    if (chunkStreamId <= 63) {
      b[i++] = (byte) chunkStreamId;
    } else if (chunkStreamId <= 319) {
      b[i++] = 0;
      b[i++] = (byte) (chunkStreamId - 64);
    } else {
      b[i++] = 1;
      b[i++] = (byte) (chunkStreamId - 64);
      b[i++] = (byte) ((chunkStreamId - 64) >>> 8);
    }
    return i;
  }

  private static int put(byte[] b, int i, long value, int bytes) {
    for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
      b[i++] = (byte) (value >>> shift);
    }
    return i;
  }
}
