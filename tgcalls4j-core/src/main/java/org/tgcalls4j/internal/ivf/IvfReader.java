package org.tgcalls4j.internal.ivf;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Objects;

/**
 * Reads a VP8 IVF stream: the 32-byte file header, then one frame at a time.
 *
 * <p>Layout (little-endian, as libvpx's {@code ivfenc.c} and ffmpeg's {@code ivfenc.c} write it):
 * file header "DKIF", version (2), header length (2), FourCC (4), width (2), height (2), time base
 * rate (4), time base scale (4), frame count (4), unused (4); then per frame a 12-byte header, frame
 * size (4) and pts (8), followed by the frame's bytes.
 *
 * <p>Every length field is checked before anything is read or allocated for it: the header length
 * must be 32..{@value #MAX_HEADER_BYTES}, a frame size 1..{@code maxFrameBytes}. The frame buffer
 * is reused from frame to frame and grows only as a frame's bytes arrive (doubling from at most
 * {@value #INITIAL_BUFFER_BYTES} bytes), so a header that declares a frame the stream never sends
 * costs no more memory than the bytes that did arrive. Reads lazily: a bad frame is reported only
 * when reached. Not thread-safe: one thread owns an instance.
 */
public final class IvfReader implements AutoCloseable {
  /** Fixed part of the file header in bytes. */
  public static final int FILE_HEADER_BYTES = 32;
  /** Largest header length accepted (the bytes past 32 are skipped). */
  public static final int MAX_HEADER_BYTES = 1024;
  /** Frame header size in bytes: frame size (LE32) and pts (LE64). */
  public static final int FRAME_HEADER_BYTES = 12;
  /**
   * Default bound on one frame, in bytes: far above a VP8 keyframe of 1920×1080 at any sensible
   * quality (a few hundred KiB), small enough that a hostile size cannot exhaust the heap.
   */
  public static final int DEFAULT_MAX_FRAME_BYTES = 4 << 20;
  /** The only FourCC accepted. */
  public static final String FOURCC_VP8 = "VP80";
  static final int INITIAL_BUFFER_BYTES = 4096;

  private final InputStream in;
  private final int maxFrameBytes;
  private final byte[] frameHeader = new byte[FRAME_HEADER_BYTES];
  private byte[] frame = new byte[0];
  private int frameLength;
  private long framePts;
  private long frameOffset = -1;
  private long frameIndex = -1;
  private long offset;
  private IvfHeader header;
  private boolean ended;
  /** The first failure; the reader is unusable after it and repeats it. */
  private IOException failure;

  /**
   * Reader with a frame bound of {@link #DEFAULT_MAX_FRAME_BYTES}.
   *
   * @param in the IVF stream, positioned at its first byte; owned by this reader from now on and
   *     closed by {@link #close()}
   */
  public IvfReader(InputStream in) {
    this(in, DEFAULT_MAX_FRAME_BYTES);
  }

  /**
   * @param in the IVF stream, positioned at its first byte; owned by this reader from now on,
   *     closed by {@link #close()}
   * @param maxFrameBytes largest frame accepted, in bytes, positive; a larger declared size is an
   *     {@link IvfFormatException}
   * @throws IllegalArgumentException if maxFrameBytes is not positive
   */
  public IvfReader(InputStream in, int maxFrameBytes) {
    this.in = Objects.requireNonNull(in, "in");
    if (maxFrameBytes <= 0) {
      throw new IllegalArgumentException("maxFrameBytes must be positive: " + maxFrameBytes);
    }
    this.maxFrameBytes = maxFrameBytes;
  }

  /**
   * Returns the file header, reading it on the first call.
   *
   * @return the validated header
   * @throws IvfFormatException if the stream is shorter than the header, the signature is not
   *     "DKIF", the version is not 0, the header length is outside 32..{@value #MAX_HEADER_BYTES},
   *     the FourCC is not "VP80", width, height, time base rate or scale is 0; the offset names the
   *     field
   * @throws IOException if reading the input fails; as with {@link #nextFrame()}, a failed reader
   *     repeats its first exception
   */
  public IvfHeader header() throws IOException {
    if (header != null) {
      return header;
    }
    if (failure != null) {
      throw failure;
    }
    try {
      header = readHeader();
      return header;
    } catch (IOException e) {
      failure = e;
      throw e;
    }
  }

  private IvfHeader readHeader() throws IOException {
    byte[] h = new byte[FILE_HEADER_BYTES];
    readFully(h, FILE_HEADER_BYTES, 0, "file header");
    if (h[0] != 'D' || h[1] != 'K' || h[2] != 'I' || h[3] != 'F') {
      throw new IvfFormatException(0, "signature is not \"DKIF\"");
    }
    int version = le16(h, 4);
    if (version != 0) {
      throw new IvfFormatException(4, "version " + version + " is not 0");
    }
    int headerLength = le16(h, 6);
    if (headerLength < FILE_HEADER_BYTES || headerLength > MAX_HEADER_BYTES) {
      throw new IvfFormatException(6, "header length " + headerLength + " out of range "
          + FILE_HEADER_BYTES + ".." + MAX_HEADER_BYTES);
    }
    String fourCc = fourCc(h, 8);
    if (!FOURCC_VP8.equals(fourCc)) {
      throw new IvfFormatException(8, "FourCC \"" + fourCc + "\" is not \"" + FOURCC_VP8 + "\"");
    }
    int width = le16(h, 12);
    int height = le16(h, 14);
    if (width == 0) {
      throw new IvfFormatException(12, "width is 0");
    }
    if (height == 0) {
      throw new IvfFormatException(14, "height is 0");
    }
    long rate = le32(h, 16);
    long scale = le32(h, 20);
    if (rate == 0) {
      throw new IvfFormatException(16, "time base rate is 0");
    }
    if (scale == 0) {
      throw new IvfFormatException(20, "time base scale is 0");
    }
    long frameCount = le32(h, 24);
    for (int skip = headerLength - FILE_HEADER_BYTES; skip > 0; skip--) {
      if (in.read() < 0) {
        throw new IvfFormatException(offset, "truncated: stream ends inside the " + headerLength
            + "-byte file header");
      }
      offset++;
    }
    header = new IvfHeader(version, headerLength, fourCc, width, height, rate, scale, frameCount);
    return header;
  }

  /**
   * Reads the next frame into the reused frame buffer (reading the file header first if needed).
   *
   * @return true if a frame was read ({@link #frameBuffer()}, {@link #frameLength()},
   *     {@link #framePts()} describe it), false at a clean end of the stream (no byte after the
   *     last frame)
   * @throws IvfFormatException if the header is malformed, a frame header is truncated, declares a
   *     size of 0 or above {@code maxFrameBytes}, or the stream ends inside a frame; the offset
   *     names the frame header or the point where the stream ended
   * @throws IOException if reading the input fails. After any exception the reader is unusable:
   *     later calls throw the same exception (where the next frame would start is unknown)
   */
  public boolean nextFrame() throws IOException {
    header();
    if (failure != null) {
      throw failure; // a frame broke off: where the next one starts is unknown
    }
    if (ended) {
      return false;
    }
    try {
      return readFrameHeaderAndBody();
    } catch (IOException e) {
      failure = e;
      throw e;
    }
  }

  private boolean readFrameHeaderAndBody() throws IOException {
    long headerOffset = offset;
    int got = in.readNBytes(frameHeader, 0, FRAME_HEADER_BYTES);
    offset += got;
    if (got == 0) {
      ended = true;
      frameLength = 0;
      return false;
    }
    long index = frameIndex + 1;
    if (got < FRAME_HEADER_BYTES) {
      throw new IvfFormatException(offset, "truncated: frame " + index + " header at offset "
          + headerOffset + " needs " + FRAME_HEADER_BYTES + " bytes, the stream ended after " + got);
    }
    long size = le32(frameHeader, 0);
    if (size == 0) {
      throw new IvfFormatException(headerOffset, "frame " + index + " has size 0");
    }
    if (size > maxFrameBytes) {
      throw new IvfFormatException(headerOffset, "frame " + index + " size " + size
          + " exceeds the limit of " + maxFrameBytes + " bytes");
    }
    long pts = le64(frameHeader, 4);
    readFrameBody((int) size, headerOffset, index);
    frameIndex = index;
    frameOffset = headerOffset;
    frameLength = (int) size;
    framePts = pts;
    return true;
  }

  /**
   * Reads the next frame and returns a copy of it.
   *
   * @return the next frame in a new array with its pts, or null at a clean end of the stream
   * @throws IvfFormatException as {@link #nextFrame()}
   * @throws IOException if reading the input fails
   */
  public IvfFrame readFrame() throws IOException {
    if (!nextFrame()) {
      return null;
    }
    return new IvfFrame(frameIndex, framePts, Arrays.copyOf(frame, frameLength));
  }

  /**
   * @return the reused buffer holding the last frame read in its first {@link #frameLength()}
   *     bytes; overwritten by the next {@link #nextFrame()}, may be longer than the frame
   */
  public byte[] frameBuffer() {
    return frame;
  }

  /** @return length in bytes of the last frame read, 0 before the first and after the end */
  public int frameLength() {
    return frameLength;
  }

  /** @return pts of the last frame read, in the header's time base units */
  public long framePts() {
    return framePts;
  }

  /** @return index (from 0) of the last frame read, -1 before the first */
  public long frameIndex() {
    return frameIndex;
  }

  /** @return byte offset of the last frame's 12-byte header, -1 before the first */
  public long frameOffset() {
    return frameOffset;
  }

  /** Closes the underlying stream; idempotent. */
  @Override
  public void close() throws IOException {
    in.close();
  }

  /**
   * Reads {@code size} bytes into the reused buffer. A larger buffer is allocated only as bytes
   * arrive: it doubles from what is already filled, so it never exceeds twice the bytes read.
   */
  private void readFrameBody(int size, long headerOffset, long index) throws IOException {
    int done = 0;
    byte[] buffer = frame;
    while (done < size) {
      if (buffer.length == done) {
        int grown = (int) Math.min(size, Math.max(INITIAL_BUFFER_BYTES, 2L * done));
        buffer = Arrays.copyOf(buffer, grown);
        frame = buffer; // keep what arrived even if the rest never does
      }
      int want = Math.min(buffer.length, size) - done;
      int n = in.readNBytes(buffer, done, want);
      done += n;
      offset += n;
      if (n < want) {
        throw truncatedFrame(headerOffset, index, size, done);
      }
    }
  }

  private void readFully(byte[] b, int len, long structStart, String what) throws IOException {
    int n = in.readNBytes(b, 0, len);
    offset += n;
    if (n < len) {
      throw new IvfFormatException(offset, "truncated: " + what + " at offset " + structStart
          + " needs " + len + " bytes, the stream ended after " + n);
    }
  }

  private IvfFormatException truncatedFrame(long headerOffset, long index, int size, int got) {
    return new IvfFormatException(offset, "truncated: frame " + index + " (header at offset "
        + headerOffset + ") needs " + size + " bytes, the stream ended after " + got);
  }

  private static String fourCc(byte[] b, int off) {
    StringBuilder s = new StringBuilder(4);
    for (int i = 0; i < 4; i++) {
      int c = b[off + i] & 0xFF;
      s.append(c >= 0x20 && c < 0x7F ? (char) c : '?');
    }
    return s.toString();
  }

  private static int le16(byte[] b, int off) {
    return (b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8;
  }

  private static long le32(byte[] b, int off) {
    return ((b[off] & 0xFFL) | (b[off + 1] & 0xFF) << 8 | (b[off + 2] & 0xFF) << 16
        | (long) (b[off + 3] & 0xFF) << 24);
  }

  private static long le64(byte[] b, int off) {
    return le32(b, off) | le32(b, off + 4) << 32;
  }
}
