package org.tgcalls4j.internal.call;

import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadFactory;

/**
 * Reads a source that waits on ffmpeg's pipe a few packets ahead on a thread of its own, so that
 * the call's event loop takes packets with {@link #poll()} and never waits. The thread is the one
 * an ffmpeg child needs; it ends when the source ends or is closed, or on {@link #stop()}. At the
 * source's end it also asks the source's {@link OpusFrameSource#endError()} (which may wait for
 * ffmpeg to exit and for a video track to drain), so the loop reads the answer from
 * {@link #endError()} without waiting.
 *
 * <p>Threads: the reader thread fills the queue; one other thread (the loop) polls.
 */
final class ReadAhead {
  /** Packets read ahead: 160 ms of 20 ms packets, enough to ride out a slow pipe. */
  static final int CAPACITY = 8;

  private final OpusFrameSource source;
  private final ArrayBlockingQueue<byte[]> packets = new ArrayBlockingQueue<>(CAPACITY);
  private final Thread thread;
  private volatile boolean ended;
  private volatile IOException failure;
  /** The source's {@link OpusFrameSource#endError()}, asked on this thread: it may wait. */
  private volatile org.tgcalls4j.TgCallsException endError;

  private ReadAhead(OpusFrameSource source, ThreadFactory threads, String name) {
    this.source = source;
    this.thread = threads.newThread(this::run);
    thread.setName(name);
    thread.setDaemon(true);
  }

  /**
   * @param source the source to read; not closed here (its owner closes it)
   * @param threads makes the reader thread
   * @param name the thread's name
   * @return the started reader
   */
  static ReadAhead start(OpusFrameSource source, ThreadFactory threads, String name) {
    ReadAhead readAhead = new ReadAhead(source, threads, name);
    readAhead.thread.start();
    return readAhead;
  }

  /** @return the source being read */
  OpusFrameSource source() {
    return source;
  }

  /**
   * @return the next packet (possibly {@link OpusFrameSource#NOTHING}), null when the source
   *     ended, or {@link OpusFrameSource#NOT_READY} if the reader has none yet
   * @throws IOException if the source failed (after the packets read before the failure)
   */
  byte[] poll() throws IOException {
    byte[] packet = packets.poll();
    if (packet != null) {
      return packet;
    }
    if (!ended) {
      return OpusFrameSource.NOT_READY;
    }
    packet = packets.poll(); // one may have been queued just before the end was marked
    if (packet != null) {
      return packet;
    }
    if (failure != null) {
      throw failure;
    }
    return null;
  }

  /**
   * @return why the source ended abnormally, or null; meaningful once {@link #poll()} returned null
   *     or threw
   */
  org.tgcalls4j.TgCallsException endError() {
    return endError;
  }

  /** Stops the reader thread without closing the source; it ends promptly. Any thread. */
  void stop() {
    ended = true;
    thread.interrupt();
  }

  private void run() {
    try {
      while (!ended) {
        byte[] packet = source.nextFrame();
        if (packet == null) {
          break;
        }
        packets.put(packet);
      }
      endError = ended ? null : source.endError();
    } catch (IOException e) {
      failure = e;
      endError = source.endError();
    } catch (InterruptedException e) {
      // stop()
    } finally {
      ended = true; // after endError: poll() reports the end only once it is known
    }
  }
}
