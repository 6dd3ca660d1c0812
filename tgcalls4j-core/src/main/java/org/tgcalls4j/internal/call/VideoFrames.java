package org.tgcalls4j.internal.call;

import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import org.tgcalls4j.internal.ivf.IvfHeader;
import org.tgcalls4j.internal.ivf.IvfReader;

/**
 * The VP8 frames of one source's video as the video sender takes them on the call's event loop,
 * never waiting: either read from the IVF stream on the loop itself ({@link #direct}, for a file,
 * as Ogg files are read for audio) or read a few frames ahead by a thread of its own
 * ({@link #readAhead}, for a stream an ffmpeg child writes over a loopback socket: the thread
 * that child needs anyway, the video's sibling of the audio's {@link ReadAhead}). What follows the
 * stream's end may wait (for ffmpeg to exit), so it runs off the loop too ({@link #afterEnd}).
 *
 * <p>Threads: {@link #poll()} and {@link #afterEnd} on the loop only; {@link #stop()} from any
 * thread.
 */
abstract class VideoFrames {
  /** Frames read ahead: about 130 ms at 30 fps, enough to ride out a slow pipe. */
  static final int CAPACITY = 4;

  /** {@link #poll()}'s answer while the reader has no frame yet; compare by identity. */
  static final Frame NOT_READY = new Frame(new byte[0], 0, 0);

  /**
   * One frame.
   *
   * @param data the frame's bytes from offset 0; for {@link #direct} the reader's buffer, valid
   *     until the next {@link #poll()}
   * @param length the frame's length in bytes
   * @param pts90k its presentation time on the 90 kHz clock (0 = the source's first audio sample)
   */
  record Frame(byte[] data, int length, long pts90k) {}

  private VideoFrames() {}

  /**
   * @return the next frame, null when the stream ended cleanly, or {@link #NOT_READY} if none is
   *     read yet
   * @throws IOException if reading failed (after the frames read before the failure)
   */
  abstract Frame poll() throws IOException;

  /**
   * Runs {@code report} off the loop; once, after {@link #poll()} returned null or threw: on the
   * read-ahead's thread (which waits for it after the stream's end), or on {@code pool} for a
   * stream read directly. Nothing if the pool refuses it (the client is closing).
   *
   * @param report what the stream's end leads to; may wait, and should end when interrupted
   * @param pool where a directly read stream's report runs
   */
  abstract void afterEnd(Runnable report, Executor pool);

  /**
   * Stops reading without closing the stream (the source's owner closes it), and interrupts a
   * report from {@link #afterEnd} that is waiting. Idempotent.
   */
  abstract void stop();

  /**
   * @param video a stream that never waits long (a file); read on the caller's thread
   * @return frames read on each {@link #poll()}
   */
  static VideoFrames direct(IvfReader video) {
    return new Direct(video);
  }

  /**
   * @param video a stream that may wait (an ffmpeg child's output)
   * @param threads makes the reader thread
   * @param name the thread's name
   * @return frames read ahead by a started thread, which ends on {@link #stop()}, or once the
   *     stream ended (or was closed) and the report handed to {@link #afterEnd} ran
   */
  static VideoFrames readAhead(IvfReader video, ThreadFactory threads, String name) {
    ReadingAhead frames = new ReadingAhead(video, threads, name);
    frames.thread.start();
    return frames;
  }

  private static final class Direct extends VideoFrames {
    private final IvfReader video;
    private IvfHeader header;
    private volatile FutureTask<Void> report;

    Direct(IvfReader video) {
      this.video = video;
    }

    @Override
    Frame poll() throws IOException {
      if (header == null) {
        header = video.header();
      }
      if (!video.nextFrame()) {
        return null;
      }
      return new Frame(video.frameBuffer(), video.frameLength(),
          header.ptsTo90kHz(video.framePts()));
    }

    @Override
    void afterEnd(Runnable report, Executor pool) {
      FutureTask<Void> task = new FutureTask<>(report, null);
      this.report = task;
      try {
        pool.execute(task);
      } catch (RejectedExecutionException e) {
        // the client is closing
      }
    }

    @Override
    void stop() {
      FutureTask<Void> task = report;
      if (task != null) {
        task.cancel(true);
      }
    }
  }

  private static final class ReadingAhead extends VideoFrames {
    private final IvfReader video;
    private final ArrayBlockingQueue<Frame> frames = new ArrayBlockingQueue<>(CAPACITY);
    /** The report {@link #afterEnd} hands to the thread, which waits for it after the end. */
    private final ArrayBlockingQueue<Runnable> report = new ArrayBlockingQueue<>(1);
    private final Thread thread;
    private volatile boolean stopped;
    private volatile boolean ended;
    private volatile IOException failure;

    ReadingAhead(IvfReader video, ThreadFactory threads, String name) {
      this.video = video;
      this.thread = threads.newThread(this::run);
      thread.setName(name);
      thread.setDaemon(true);
    }

    @Override
    Frame poll() throws IOException {
      Frame frame = frames.poll();
      if (frame != null) {
        return frame;
      }
      if (!ended) {
        return NOT_READY;
      }
      frame = frames.poll(); // one may have been queued just before the end was marked
      if (frame != null) {
        return frame;
      }
      if (failure != null) {
        throw failure;
      }
      return null;
    }

    @Override
    void afterEnd(Runnable report, Executor pool) {
      this.report.offer(report);
    }

    @Override
    void stop() {
      stopped = true;
      ended = true;
      thread.interrupt();
    }

    private void run() {
      try {
        IvfHeader header = video.header();
        while (!stopped && video.nextFrame()) {
          // the reader reuses its buffer: the queue keeps copies
          byte[] copy = Arrays.copyOf(video.frameBuffer(), video.frameLength());
          frames.put(new Frame(copy, copy.length, header.ptsTo90kHz(video.framePts())));
        }
      } catch (IOException e) {
        failure = e;
      } catch (InterruptedException e) {
        return; // stop()
      } finally {
        ended = true; // after failure: poll() reports the end only once it is known
      }
      try {
        // the loop takes the end after the frames before it were sent, then hands over what the
        // end leads to (until then, or a stop(), this thread waits)
        report.take().run();
      } catch (InterruptedException e) {
        // stop()
      }
    }
  }
}
