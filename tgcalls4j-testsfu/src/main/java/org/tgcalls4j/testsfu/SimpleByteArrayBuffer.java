package org.tgcalls4j.testsfu;

import org.jitsi.utils.ByteArrayBuffer;

/** A plain growable {@link ByteArrayBuffer} for jitsi-srtp; not thread-safe. */
final class SimpleByteArrayBuffer implements ByteArrayBuffer {
  private byte[] buffer;
  private int offset;
  private int length;

  /** Copies {@code length} bytes and leaves {@code spare} bytes for an auth tag. */
  SimpleByteArrayBuffer(byte[] data, int offset, int length, int spare) {
    this.buffer = new byte[length + spare];
    System.arraycopy(data, offset, buffer, 0, length);
    this.length = length;
  }

  byte[] toArray() {
    byte[] copy = new byte[length];
    System.arraycopy(buffer, offset, copy, 0, length);
    return copy;
  }

  @Override
  public byte[] getBuffer() {
    return buffer;
  }

  @Override
  public int getOffset() {
    return offset;
  }

  @Override
  public int getLength() {
    return length;
  }

  @Override
  public void setLength(int length) {
    if (length < 0 || offset + length > buffer.length) {
      throw new IllegalArgumentException("length " + length);
    }
    this.length = length;
  }

  @Override
  public void setOffset(int offset) {
    if (offset < 0 || offset + length > buffer.length) {
      throw new IllegalArgumentException("offset " + offset);
    }
    this.offset = offset;
  }

  @Override
  public boolean isInvalid() {
    return false;
  }

  @Override
  public void readRegionToBuff(int off, int len, byte[] out) {
    System.arraycopy(buffer, offset + off, out, 0, len);
  }

  @Override
  public void grow(int howMuch) {
    if (howMuch < 0) {
      throw new IllegalArgumentException("howMuch " + howMuch);
    }
    if (offset + length + howMuch > buffer.length) {
      byte[] bigger = new byte[length + howMuch];
      System.arraycopy(buffer, offset, bigger, 0, length);
      buffer = bigger;
      offset = 0;
    }
  }

  @Override
  public void append(byte[] data, int len) {
    grow(len);
    System.arraycopy(data, 0, buffer, offset + length, len);
    length += len;
  }

  @Override
  public void shrink(int len) {
    length = Math.max(0, length - Math.max(0, len));
  }
}
