package org.tgcalls4j.internal.audio;

import java.util.Arrays;

/**
 * A bounded FIFO of 48 kHz signed 16-bit PCM (1 or 2 interleaved channels) read in whole 20 ms
 * frames. Thread-safe: any number of threads may write; one reader takes frames. Writers block
 * (in {@link #put}) on the queue's own monitor; nothing here blocks the reader.
 *
 * <p>Storage grows with use (from one second) up to the limit, so a long limit costs memory only
 * when that much is queued. Capacity is in sample frames (one sample per channel); a 20 ms frame is
 * {@link #FRAME_SAMPLES} sample frames. A queue whose limit is under one frame still holds one
 * frame, so that the reader can make progress.
 */
public final class PcmQueue {
  /** Sample rate of every queue, Hz. */
  public static final int SAMPLE_RATE_HZ = 48_000;
  /** Sample frames (per channel) in one 20 ms Opus frame at 48 kHz. */
  public static final int FRAME_SAMPLES = 960;

  /** Result of {@link #readFrame}: a whole frame was copied out. */
  public static final int FRAME = 0;
  /** Result of {@link #readFrame}: less than a frame is queued and the queue is open. */
  public static final int EMPTY = 1;
  /** Result of {@link #readFrame}: the queue was closed and everything queued has been read. */
  public static final int END = 2;

  private final int channels;
  /** Initial storage: one second, grown by doubling up to {@link #capacity} as audio is queued. */
  private static final int INITIAL_FRAMES = SAMPLE_RATE_HZ;

  /** The limit in samples (all channels); the ring is allocated only as far as it is used. */
  private final int capacity;
  private short[] ring;
  private int head;
  private int size;
  private boolean closed;
  private boolean attached;

  /**
   * @param channels 1 (mono) or 2 (stereo, interleaved left/right)
   * @param limitMillis most audio the queue holds, ms; at least one 20 ms frame is always allowed
   * @throws IllegalArgumentException if channels is not 1 or 2, or limitMillis is not positive or
   *     over one hour
   */
  public PcmQueue(int channels, long limitMillis) {
    if (channels != 1 && channels != 2) {
      throw new IllegalArgumentException("channels must be 1 or 2: " + channels);
    }
    if (limitMillis <= 0 || limitMillis > 3_600_000L) {
      throw new IllegalArgumentException("queue limit must be 1..3600000 ms: " + limitMillis);
    }
    this.channels = channels;
    long frames = Math.max(FRAME_SAMPLES, limitMillis * (SAMPLE_RATE_HZ / 1000));
    this.capacity = Math.toIntExact(frames * channels);
    this.ring = new short[Math.min(capacity, INITIAL_FRAMES * channels)];
  }

  /** @return 1 or 2 */
  public int channels() {
    return channels;
  }

  /** @return the capacity, ms (the limit given, or 20 ms if that was less) */
  public long limitMillis() {
    return capacity / channels / (SAMPLE_RATE_HZ / 1000);
  }

  /**
   * Queues all of {@code samples[offset, offset+length)} or nothing.
   *
   * @return false if it would exceed the limit (nothing is queued then)
   * @throws IllegalArgumentException if length is not a multiple of the channel count
   * @throws IndexOutOfBoundsException if the range is outside the array
   * @throws IllegalStateException if the queue is closed
   */
  public synchronized boolean offer(short[] samples, int offset, int length) {
    check(samples.length, offset, length, channels);
    checkOpen();
    if (length > capacity - size) {
      return false;
    }
    copyIn(samples, null, offset, length);
    return true;
  }

  /** As {@link #offer(short[], int, int)} for little-endian bytes; length in bytes. */
  public synchronized boolean offer(byte[] samples, int offset, int length) {
    check(samples.length, offset, length, 2 * channels);
    checkOpen();
    if (length / 2 > capacity - size) {
      return false;
    }
    copyIn(null, samples, offset, length / 2);
    return true;
  }

  /**
   * Queues all of the range, waiting for room as often as needed; a range longer than the
   * capacity goes in piece by piece as the reader takes frames.
   *
   * @throws InterruptedException if interrupted while waiting; a prefix may have been queued
   * @throws IllegalStateException if the queue is or becomes closed (a prefix may have been queued)
   */
  public void put(short[] samples, int offset, int length) throws InterruptedException {
    check(samples.length, offset, length, channels);
    putRange(samples, null, offset, length);
  }

  /** As {@link #put(short[], int, int)} for little-endian bytes; length in bytes. */
  public void put(byte[] samples, int offset, int length) throws InterruptedException {
    check(samples.length, offset, length, 2 * channels);
    putRange(null, samples, offset, length / 2);
  }

  private void putRange(short[] s, byte[] b, int offset, int samples) throws InterruptedException {
    int done = 0;
    while (done < samples) {
      done += putChunk(s, b, offset, samples, done);
    }
  }

  /**
   * Copies at most 1 s per monitor hold, so a long push never keeps the reading sender waiting
   * for more than one such copy.
   */
  private synchronized int putChunk(short[] s, byte[] b, int offset, int samples, int done)
      throws InterruptedException {
    checkOpen();
    // whole sample frames only, so a reader never sees half a stereo pair
    int room = (capacity - size) / channels * channels;
    while (room == 0) {
      wait();
      checkOpen();
      room = (capacity - size) / channels * channels;
    }
    int n = Math.min(Math.min(room, samples - done), SAMPLE_RATE_HZ * channels);
    copyIn(s, b, s != null ? offset + done : offset + 2 * done, n);
    return n;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the PCM source is closed");
    }
  }

  private void copyIn(short[] s, byte[] b, int offset, int count) {
    checkOpen();
    if (size + count > ring.length) {
      grow(size + count);
    }
    int tail = (head + size) % ring.length;
    for (int i = 0; i < count; i++) {
      short v;
      if (s != null) {
        v = s[offset + i];
      } else {
        int p = offset + 2 * i;
        v = (short) ((b[p] & 0xFF) | (b[p + 1] << 8));
      }
      ring[tail] = v;
      if (++tail == ring.length) {
        tail = 0;
      }
    }
    size += count;
  }

  /** Reallocates the ring (at least doubling, at most the capacity) with the queue at index 0. */
  private void grow(int needed) {
    int length = (int) Math.min(capacity, Math.max(needed, 2L * ring.length));
    short[] bigger = new short[length];
    int first = Math.min(size, ring.length - head);
    System.arraycopy(ring, head, bigger, 0, first);
    System.arraycopy(ring, 0, bigger, first, size - first);
    ring = bigger;
    head = 0;
  }

  private static void check(int arrayLength, int offset, int length, int unit) {
    if (offset < 0 || length < 0 || length > arrayLength - offset) {
      throw new IndexOutOfBoundsException(
          "range [" + offset + ", " + offset + "+" + length + ") outside an array of " + arrayLength);
    }
    if (length % unit != 0) {
      throw new IllegalArgumentException("length " + length + " is not a multiple of " + unit
          + " (whole sample frames of every channel)");
    }
  }

  /** @return audio queued now, ms (rounded down) */
  public synchronized long queuedMillis() {
    return size / channels / (SAMPLE_RATE_HZ / 1000);
  }

  /** Drops everything queued, including a partial frame; wakes blocked writers. */
  public synchronized void clear() {
    head = 0;
    size = 0;
    notifyAll();
  }

  /** No more writes; the reader drains what is queued (a last partial frame padded with zeros). */
  public synchronized void close() {
    closed = true;
    notifyAll();
  }

  /** @return whether {@link #close()} was called */
  public synchronized boolean isClosed() {
    return closed;
  }

  /**
   * Claims the single reader slot.
   *
   * @return false if another reader holds it
   */
  public synchronized boolean attach() {
    if (attached) {
      return false;
    }
    attached = true;
    return true;
  }

  /** Gives up the reader slot taken by {@link #attach()}. */
  public synchronized void detach() {
    attached = false;
  }

  /**
   * Takes one 20 ms frame. Never blocks.
   *
   * @param out receives {@code FRAME_SAMPLES × channels} interleaved samples when FRAME is returned
   * @return {@link #FRAME}, {@link #EMPTY} or {@link #END}
   */
  public synchronized int readFrame(short[] out) {
    int want = FRAME_SAMPLES * channels;
    if (size == 0) {
      return closed ? END : EMPTY;
    }
    if (size < want && !closed) {
      return EMPTY;
    }
    int n = Math.min(want, size);
    int first = Math.min(n, ring.length - head);
    System.arraycopy(ring, head, out, 0, first);
    System.arraycopy(ring, 0, out, first, n - first);
    Arrays.fill(out, n, want, (short) 0);
    head = (head + n) % ring.length;
    size -= n;
    notifyAll();
    return FRAME;
  }
}
