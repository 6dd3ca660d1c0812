package org.tgcalls4j.internal.flv;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Objects;

/**
 * Reads FLV tags one by one from a byte stream, such as ffmpeg's {@code -f flv pipe:1} output.
 * Source: Adobe FLV File Format Specification v10.1, Annex E.2 (header) and E.3/E.4 (body, tags).
 *
 * <p>Memory: a tag body is buffered as its bytes arrive, starting at 64 KiB at most, so a tag
 * header declaring up to 16 MiB costs memory in proportion to the bytes actually sent.
 *
 * <p>Not thread-safe: one thread reads. The reader does not close the stream.
 */
public final class FlvReader {
  private static final int TAG_HEADER_BYTES = 11;
  /** Largest buffer allocated for a tag body before its bytes have arrived, in bytes. */
  static final int BODY_CHUNK_BYTES = 64 * 1024;

  private final InputStream in;
  private long offset;
  private boolean headerRead;
  private final byte[] tagHeader = new byte[TAG_HEADER_BYTES];

  /** @param in the FLV bytes, positioned at the FLV header; not closed by the reader */
  public FlvReader(InputStream in) {
    this.in = Objects.requireNonNull(in, "in");
  }

  /**
   * Reads the next audio, video or script data tag, reading the FLV header first if needed.
   * Blocks until the tag is complete.
   *
   * @return the tag, or null at a clean end of stream (after a complete tag and its
   *     PreviousTagSize)
   * @throws FlvFormatException if a field is invalid or the stream ends inside the header or a tag
   * @throws IOException if reading the stream fails
   */
  public FlvTag next() throws IOException {
    if (!headerRead) {
      readHeader();
      headerRead = true;
    }
    long tagStart = offset;
    int first = in.read();
    if (first < 0) {
      return null;
    }
    tagHeader[0] = (byte) first;
    offset++;
    readFully(tagHeader, 1, TAG_HEADER_BYTES - 1, tagStart);
    // E.4.1: Reserved(2) Filter(1) TagType(5), DataSize UI24, Timestamp UI24, TimestampExtended UI8,
    // StreamID UI24 (always 0).
    int flags = tagHeader[0] & 0xFF;
    if ((flags & 0x20) != 0) {
      throw new FlvFormatException(tagStart, "encrypted (Filter) tags are not supported");
    }
    int type = flags & 0x1F;
    if (type != FlvTag.AUDIO && type != FlvTag.VIDEO && type != FlvTag.SCRIPT_DATA) {
      throw new FlvFormatException(tagStart, "unknown TagType " + type);
    }
    int dataSize = uint24(tagHeader, 1);
    long timestamp = (uint24(tagHeader, 4) | ((tagHeader[7] & 0xFFL) << 24)) & 0xFFFFFFFFL;
    int streamId = uint24(tagHeader, 8);
    if (streamId != 0) {
      throw new FlvFormatException(tagStart + 8, "StreamID " + streamId + " is not 0");
    }
    byte[] body = readBody(dataSize, tagStart);
    long sizeOffset = offset;
    long previousTagSize = readUint32(tagStart);
    if (previousTagSize != TAG_HEADER_BYTES + dataSize) {
      throw new FlvFormatException(sizeOffset, "PreviousTagSize " + previousTagSize
          + " does not match tag size " + (TAG_HEADER_BYTES + dataSize));
    }
    return new FlvTag(type, timestamp, body);
  }

  /**
   * Reads a tag body of the declared size. DataSize is a 24-bit field (up to 16 MiB - 1), so the
   * buffer starts at no more than {@link #BODY_CHUNK_BYTES} and doubles only when full, so it is
   * never more than twice the bytes that arrived (and the copies add up to less than that again):
   * a header that declares a body the stream never sends costs at most 64 KiB.
   */
  private byte[] readBody(int dataSize, long tagStart) throws IOException {
    byte[] body = new byte[Math.min(dataSize, BODY_CHUNK_BYTES)];
    int done = 0;
    while (true) {
      readFully(body, done, body.length - done, tagStart);
      done = body.length;
      if (done == dataSize) {
        return body;
      }
      body = Arrays.copyOf(body, (int) Math.min(dataSize, 2L * done));
    }
  }

  private void readHeader() throws IOException {
    byte[] header = new byte[9];
    readFully(header, 0, 9, 0);
    // E.2: "FLV", Version, TypeFlags (reserved 5 bits, audio, reserved, video), DataOffset UI32.
    if (header[0] != 'F' || header[1] != 'L' || header[2] != 'V') {
      throw new FlvFormatException(0, "signature is not \"FLV\"");
    }
    if (header[3] != 1) {
      throw new FlvFormatException(3, "version " + (header[3] & 0xFF) + " is not 1");
    }
    if ((header[4] & 0xFA) != 0) {
      throw new FlvFormatException(4, "reserved TypeFlags bits are set");
    }
    long dataOffset = ((header[5] & 0xFFL) << 24) | ((header[6] & 0xFF) << 16)
        | ((header[7] & 0xFF) << 8) | (header[8] & 0xFF);
    if (dataOffset < 9 || dataOffset > 1024) {
      throw new FlvFormatException(5, "DataOffset " + dataOffset + " out of range 9..1024");
    }
    for (long skip = dataOffset - 9; skip > 0; skip--) {
      if (in.read() < 0) {
        throw new FlvFormatException(offset, "stream ends inside the header");
      }
      offset++;
    }
    long sizeOffset = offset;
    long previousTagSize0 = readUint32(sizeOffset);
    if (previousTagSize0 != 0) {
      throw new FlvFormatException(sizeOffset, "PreviousTagSize0 is " + previousTagSize0
          + ", not 0");
    }
  }

  private long readUint32(long structStart) throws IOException {
    byte[] b = new byte[4];
    readFully(b, 0, 4, structStart);
    return ((b[0] & 0xFFL) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
  }

  private void readFully(byte[] b, int off, int len, long structStart) throws IOException {
    int done = 0;
    while (done < len) {
      int n = in.read(b, off + done, len - done);
      if (n < 0) {
        throw new FlvFormatException(offset, "truncated: stream ends inside the structure that"
            + " starts at offset " + structStart);
      }
      done += n;
      offset += n;
    }
  }

  private static int uint24(byte[] b, int at) {
    return ((b[at] & 0xFF) << 16) | ((b[at + 1] & 0xFF) << 8) | (b[at + 2] & 0xFF);
  }
}
