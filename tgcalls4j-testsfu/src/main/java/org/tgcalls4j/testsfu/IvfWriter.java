package org.tgcalls4j.testsfu;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes VP8 frames into an IVF file (the container of libvpx and ffmpeg's {@code -f ivf}): a
 * 32-byte header "DKIF", version 0, header length 32, FourCC "VP80", width, height, time base
 * 1/90000 (rate 90000, scale 1, so pts are RTP timestamps), frame count, then per frame its size
 * (LE32), pts (LE64) and bytes. The frame count is written on {@link #close()}. Not thread-safe.
 */
public final class IvfWriter implements Closeable {
  private static final int HEADER_BYTES = 32;
  private static final int TIMEBASE_RATE = 90_000;

  private final FileChannel channel;
  private long frames;
  private boolean closed;

  /**
   * Creates (or truncates) {@code file} and writes the header.
   *
   * @param width frame width in pixels for the header, 0..65535 (decoders take the real one from
   *     each keyframe)
   * @param height frame height in pixels for the header, 0..65535
   * @throws IOException if the file cannot be written
   */
  public IvfWriter(Path file, int width, int height) throws IOException {
    if (width < 0 || width > 0xFFFF || height < 0 || height > 0xFFFF) {
      throw new IllegalArgumentException("width and height must be 0..65535: " + width + "x" + height);
    }
    channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING);
    ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    h.put("DKIF".getBytes(StandardCharsets.US_ASCII)).putShort((short) 0).putShort((short) HEADER_BYTES)
        .put("VP80".getBytes(StandardCharsets.US_ASCII)).putShort((short) width).putShort((short) height)
        .putInt(TIMEBASE_RATE).putInt(1).putInt(0).putInt(0).flip();
    try {
      writeFully(h);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /**
   * Appends one frame.
   *
   * @param pts90kHz the frame's pts in 90 kHz units (e.g. {@link Vp8Frame#pts90kHz()})
   * @param frame the frame's bytes, at least one
   * @throws IOException if writing fails
   */
  public void write(long pts90kHz, byte[] frame) throws IOException {
    if (frame.length == 0) {
      throw new IllegalArgumentException("frame is empty");
    }
    ByteBuffer b = ByteBuffer.allocate(12 + frame.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(frame.length).putLong(pts90kHz).put(frame).flip();
    writeFully(b);
    frames++;
  }

  /** @return frames written so far */
  public long frames() {
    return frames;
  }

  /** Writes the frame count into the header and closes the file; idempotent. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try (FileChannel c = channel) {
      ByteBuffer count = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) frames).flip();
      while (count.hasRemaining()) {
        c.write(count, 24 + count.position());
      }
    }
  }

  private void writeFully(ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      channel.write(b);
    }
  }
}
