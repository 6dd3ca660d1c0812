package org.tgcalls4j.internal.call;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tgcalls4j.InvalidParamsException;
import org.tgcalls4j.MediaSource;
import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.internal.ogg.OpusPacket;
import org.tgcalls4j.internal.pacing.NanoClock;
import org.tgcalls4j.internal.pacing.Pacer;
import org.tgcalls4j.internal.pacing.Sleeper;

/**
 * One opened source played into many calls ("one encode, many calls"): a single reader thread
 * pulls the underlying {@link OpusFrameSource} (one ffmpeg process, one Ogg reader, one encoder),
 * paces it in real time on media time (like a call's sender does) and publishes each packet into a
 * small ring. Each call reads its own {@link #subscribe() view}, which starts at the live position
 * and reads the ring in order; the call's own sender packetizes, so SSRC, sequence numbers, RTP
 * timestamps and SRTP stay per call.
 *
 * <p>The hub never waits for a view: a view that falls more than the client's pacing lateness
 * limit behind (its call paused, held without a connection, or stalled) jumps to the newest frame
 * and counts what it skipped. The call then finds that frame beyond the limit on its own baseline
 * (the skipped frames do not advance its media time) and drops it, and restarts its pacing from
 * the next frame, which the hub had not published yet (a source stall from the call's view); a
 * lag within the limit is caught up by the call's pacer.
 *
 * <p>Lifetime: the reader starts at construction (the source is live from then on, whether or not
 * a call listens). When the source ends, views drain what was published and then end (each call
 * reports one stream end). The hub closes (the underlying source is closed, killing ffmpeg) on
 * {@link #close()}, when the last view closes after at least one was opened, or when the source
 * ends while no view is open.
 *
 * <p>Thread-safe; one lock (the hub's monitor) guards the ring and the view set.
 */
public final class SharedFrameHub implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SharedFrameHub.class);
  private static final int SKIPPED_SLOT_SAMPLES = 960;
  /** A frame's length for the lag limit: 20 ms, what ffmpeg and the encoders write. */
  private static final long FRAME_NANOS = 20_000_000L;
  /** Ring slots beyond the lag limit, so a view at the limit still finds its next frame. */
  private static final int RING_SPARE_FRAMES = 6;
  /**
   * The longest lag kept, 3,000 frames (60 s): the ring then keeps that many frames alive, about
   * 1 MB at 128 kbit/s.
   */
  private static final int MAX_LAG_LIMIT_FRAMES = 3_000;
  private static final AtomicInteger NAMES = new AtomicInteger();

  private final OpusFrameSource source;
  /** Frames a view may lag behind the newest before it jumps to live: the lateness limit. */
  private final int maxLagFrames;
  private final NanoClock clock;
  private final Sleeper sleeper;
  private final java.util.function.Consumer<SharedFrameHub> onClosed;
  private final Thread thread;

  // Guarded by this.
  /** Holds more than {@link #maxLagFrames} frames. */
  private final byte[][] ring;
  /** Frames published so far; frame n sits in ring[n % ring.length]. */
  private long published;
  private final List<View> views = new ArrayList<>();
  private boolean everSubscribed;
  private boolean ended;
  private TgCallsException endError;
  private boolean closed;
  private long skippedFrames;

  private volatile long positionNanos;

  /**
   * @param source the opened source; the hub owns it from now on
   * @param clock the pacing clock
   * @param sleeper waits on that clock
   * @param latenessLimitNanos the client's pacing lateness limit, ns, at least 20 ms: a view that
   *     lags more than this many 20 ms frames jumps to live
   * @param threads makes the reader thread; null to start none (tests drive {@link #publish} and
   *     {@link #end} themselves)
   * @param onClosed given this hub once after it closed (unregisters it); on the closing thread
   */
  SharedFrameHub(OpusFrameSource source, NanoClock clock, Sleeper sleeper, long latenessLimitNanos,
      ThreadFactory threads, java.util.function.Consumer<SharedFrameHub> onClosed) {
    this.maxLagFrames = (int) Math.max(1, Math.min(MAX_LAG_LIMIT_FRAMES,
        latenessLimitNanos / FRAME_NANOS));
    this.ring = new byte[maxLagFrames + RING_SPARE_FRAMES][];
    this.source = source;
    this.clock = clock;
    this.sleeper = sleeper;
    this.onClosed = onClosed;
    if (threads == null) {
      this.thread = null;
    } else {
      this.thread = threads.newThread(this::run);
      thread.setName("tgcalls4j-shared-" + NAMES.incrementAndGet());
      thread.setDaemon(true);
      thread.start();
    }
  }

  /**
   * Opens a source once for sharing, on the calling thread (so a missing file or an ffmpeg that
   * cannot start is reported to the caller), and starts its reader thread.
   *
   * @param source a file, URL, PCM or mix source
   * @param ffmpeg the ffmpeg binary
   * @param bitrateKbps Opus bitrate when transcoding or encoding, kbit/s
   * @param latenessLimitNanos the client's pacing lateness limit, ns: how far a view may lag
   * @param threads makes the reader thread and ffmpeg's stderr pump
   * @param onClosed given the hub once after it closed, which may be before this returns (a
   *     source that ends at once)
   * @return the running hub
   * @throws InvalidParamsException as {@link OpusFrameSources#open}
   * @throws org.tgcalls4j.FfmpegSpawnException if ffmpeg could not be started
   */
  public static SharedFrameHub open(MediaSource source, Path ffmpeg, int bitrateKbps,
      long latenessLimitNanos, ThreadFactory threads,
      java.util.function.Consumer<SharedFrameHub> onClosed)
      throws TgCallsException {
    OpusFrameSource frames = OpusFrameSources.open(source, ffmpeg, bitrateKbps, 0, threads);
    try {
      return new SharedFrameHub(frames, NanoClock.SYSTEM, Sleeper.parking(NanoClock.SYSTEM),
          latenessLimitNanos, threads, onClosed);
    } catch (RuntimeException e) {
      frames.close(); // no thread could be made: nothing else owns the source
      throw e;
    }
  }

  /**
   * A view that starts at the next frame to be published (at most 20 ms away), for one call.
   *
   * @return the view; closing it leaves the hub (the last view to leave closes the hub)
   * @throws InvalidParamsException (field {@code source}) if the hub is closed or its source has
   *     ended
   */
  public synchronized OpusFrameSource subscribe() throws InvalidParamsException {
    if (closed) {
      throw new InvalidParamsException("source", "the shared source is closed");
    }
    if (ended) {
      throw new InvalidParamsException("source", "the shared source has ended");
    }
    View view = new View(published);
    views.add(view);
    everSubscribed = true;
    return view;
  }

  /** @return views open now (calls playing the source) */
  public synchronized int subscribers() {
    return views.size();
  }

  /** @return frames views skipped so far because they fell too far behind, summed over views */
  public synchronized long skippedFrames() {
    return skippedFrames;
  }

  /** @return whether the hub was closed (explicitly or by its last view leaving) */
  public synchronized boolean isClosed() {
    return closed;
  }

  /** @return whether the source reached its end (or failed) */
  public synchronized boolean isEnded() {
    return ended;
  }

  /** @return media time published so far, ms (0 until the first frame) */
  public long positionMillis() {
    return positionNanos / 1_000_000L;
  }

  /** @return frames a view may lag before it jumps to live */
  int maxLagFrames() {
    return maxLagFrames;
  }

  /** @return frames published so far */
  synchronized long published() {
    return published;
  }

  /** Puts one frame (or {@link OpusFrameSource#NOTHING}) in the ring and wakes the views. */
  synchronized void publish(byte[] frame) {
    if (closed || ended) {
      return;
    }
    ring[(int) (published % ring.length)] = frame;
    published++;
    notifyAll();
  }

  /** Marks the source ended: views drain the ring, then end with {@code error}. */
  synchronized void end(TgCallsException error) {
    if (!ended && !closed) { // after close() a killed ffmpeg is no error of the source
      ended = true;
      endError = error;
      notifyAll();
    }
  }

  private void run() {
    Pacer pacer = new Pacer(clock, sleeper);
    long mediaNanos = 0;
    boolean started = false;
    TgCallsException error = null;
    try {
      while (!isClosed()) {
        byte[] frame;
        try {
          frame = source.nextFrame();
        } catch (IOException e) {
          error = source.endError();
          if (error == null && !isClosed()) {
            error = new InvalidParamsException("source", "unreadable media: " + e.getMessage(), e);
          }
          break;
        }
        if (frame == null) {
          error = source.endError();
          break;
        }
        int samples = frame.length == 0 ? SKIPPED_SLOT_SAMPLES : OpusPacket.samplesAt48kHz(frame);
        if (samples <= 0) {
          continue; // not a valid Opus packet: nobody should send it
        }
        if (!started) {
          pacer.start(clock.nanoTime());
          started = true;
        }
        pacer.awaitMediaTime(mediaNanos);
        publish(frame);
        mediaNanos += samples * 1_000_000_000L / 48_000;
        positionNanos = mediaNanos;
      }
    } catch (InterruptedException e) {
      // close() interrupts us
    } catch (RuntimeException e) {
      log.error("shared source reader failed", e);
      error = new InvalidParamsException("source", "the shared source failed: " + e, e);
    }
    end(error);
    source.close(); // ffmpeg has exited (or is killed): release it now; views drain the ring
    boolean unheard;
    synchronized (this) {
      unheard = views.isEmpty();
    }
    if (unheard) {
      close(); // nobody drains it and nobody can join an ended source: unregister it now
    }
  }

  /**
   * Closes the hub: the underlying source is closed (ffmpeg killed), the reader stops and every
   * view ends (its call reports a stream end). Idempotent, any thread; waits up to 2 s for the
   * reader unless called on it.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      views.clear();
      notifyAll();
    }
    source.close();
    if (thread != null) {
      thread.interrupt();
      if (Thread.currentThread() != thread) {
        try {
          thread.join(2000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    if (onClosed != null) {
      onClosed.accept(this);
    }
  }

  private void leave(View view) {
    boolean last;
    synchronized (this) {
      last = views.remove(view) && views.isEmpty() && everSubscribed;
    }
    if (last) {
      close();
    }
  }

  /** One call's reading position. Read by that call's event loop (or a test's thread). */
  private final class View implements OpusFrameSource {
    /** Number of the next frame this view returns. */
    private long next;
    private boolean left;

    View(long next) {
      this.next = next;
    }

    @Override
    public byte[] nextFrame() throws IOException {
      return take(true);
    }

    /** Never waits: the hub's own thread paces and publishes the frames. */
    @Override
    public boolean readsWithoutWaiting() {
      return true;
    }

    @Override
    public byte[] pollFrame() throws IOException {
      return take(false);
    }

    /** @return the next frame, null at the end, or {@link #NOT_READY} if none yet and not waiting */
    private byte[] take(boolean wait) throws IOException {
      SharedFrameHub hub = SharedFrameHub.this;
      synchronized (hub) {
        while (true) {
          if (left || closed) {
            return null;
          }
          long lag = published - next;
          if (lag > maxLagFrames) {
            skippedFrames += lag - 1;
            next = published - 1; // the newest frame: live again
          }
          if (next < published) {
            byte[] frame = ring[(int) (next % ring.length)];
            next++;
            return frame.length == 0 ? NOTHING : frame; // read-only for every view: not copied
          }
          if (ended) {
            return null;
          }
          if (!wait) {
            return NOT_READY;
          }
          try {
            hub.wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for a shared frame");
          }
        }
      }
    }

    @Override
    public TgCallsException endError() {
      synchronized (SharedFrameHub.this) {
        return endError;
      }
    }

    @Override
    public void close() {
      synchronized (SharedFrameHub.this) {
        if (left) {
          return;
        }
        left = true;
        SharedFrameHub.this.notifyAll();
      }
      leave(this);
    }
  }
}
