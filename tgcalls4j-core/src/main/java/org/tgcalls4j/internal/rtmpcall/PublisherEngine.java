package org.tgcalls4j.internal.rtmpcall;

import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.tgcalls4j.ClientClosedException;
import org.tgcalls4j.ConnectionState;
import org.tgcalls4j.FfmpegCrashedException;
import org.tgcalls4j.FfmpegSpawnException;
import org.tgcalls4j.MediaSource;
import org.tgcalls4j.NotConnectedException;
import org.tgcalls4j.RtmpException;
import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.internal.ffmpeg.FfmpegCommand;
import org.tgcalls4j.internal.ffmpeg.FfmpegProcess;
import org.tgcalls4j.internal.flv.FlvReader;
import org.tgcalls4j.internal.flv.FlvTag;
import org.tgcalls4j.internal.rtmp.RtmpOptions;
import org.tgcalls4j.internal.rtmp.RtmpPublisher;
import org.tgcalls4j.internal.rtmp.RtmpUrl;

/**
 * Keeps one RTMP publish session and feeds it FLV tags from a sequence of segments: an ffmpeg
 * transcode of the current source (from a start position), or the in-memory {@link HoldStream}
 * while paused or without a source.
 *
 * <p>Threads: one sender thread ({@code Config.threadFactory}) owns the publisher, reads ffmpeg's
 * stdout, rebases timestamps and paces tags against one monotonic clock. Control methods run on
 * any thread; they change the plan under {@link #lock}, bump {@link #generation} and kill the
 * current ffmpeg, and the sender notices and starts the next segment.
 *
 * <p>Timestamps: a segment's tag is sent at {@code base + (tag ts - first ts of the segment)},
 * where {@code base} is the later of "last sent + one frame" and the running clock (so a source
 * slower than real time leaves a timestamp gap at the next switch rather than the stream falling
 * behind). The result never decreases. While a new ffmpeg starts up (typically 0.2-0.5 s) the
 * hold stream fills in, so the ingest never goes without media.
 */
final class PublisherEngine implements Engine {
  /**
   * Longest ffmpeg start-up covered by the hold stream; a slower source (a network stream that
   * takes long to open) is then waited for without sending.
   */
  private static final long FILL_LIMIT_MILLIS = 10_000;

  private final RtmpUrl url;
  private final RtmpOptions options;
  private final RtmpCall.Config config;
  private final EventSink events;
  private final long frameMillis;

  private final Object lock = new Object();
  // Guarded by lock.
  private MediaSource source;
  private boolean paused;
  private long sourceStartMillis;
  private int generation;
  private FfmpegProcess process;
  private boolean started;
  private boolean running;
  private boolean closed;
  private boolean failed;
  private int connectionId;
  private RtmpException disconnected;

  private volatile long positionMillis;
  private volatile long streamTimeMillis;
  // Written under lock (so that close() either sees it or the sender sees closed), read freely.
  private volatile RtmpPublisher publisher;
  private Thread sender;

  // Set by start() before the sender thread starts, then sender thread only.
  private HoldStream hold;
  private long clockOriginNanos;
  private long lastTs = -1;
  private FlvTag avcHeader;
  private FlvTag aacHeader;
  private boolean awaitKeyframe;

  PublisherEngine(RtmpUrl url, RtmpOptions options, RtmpCall.Config config, EventSink events) {
    this.url = url;
    this.options = options;
    this.config = config;
    this.events = events;
    this.frameMillis = Math.max(1, 1000 / config.encoding().fps());
  }

  @Override
  public void start() throws TgCallsException {
    synchronized (lock) {
      if (closed) {
        throw new ClientClosedException();
      }
      if (started) {
        throw new IllegalStateException("already started");
      }
      started = true;
    }
    RtmpPublisher connected;
    try {
      hold = HoldStream.generate(config.ffmpeg(), config.encoding(), config.threadFactory());
      connected = connectPublisher();
    } catch (TgCallsException e) {
      synchronized (lock) {
        failed = true;
      }
      throw e;
    }
    synchronized (lock) {
      if (closed) {
        connected.close();
        throw new ClientClosedException();
      }
      publisher = connected;
      running = true;
      events.connection(ConnectionState.CONNECTED, null);
      clockOriginNanos = System.nanoTime();
      sender = config.threadFactory().newThread(this::run);
      sender.start();
    }
  }

  @Override
  public void setSource(MediaSource newSource) throws TgCallsException {
    FfmpegProcess kill;
    synchronized (lock) {
      requireRunning();
      source = newSource; // a paused stream stays paused: the new source starts on resume
      sourceStartMillis = 0;
      positionMillis = 0;
      kill = replan();
    }
    closeQuietly(kill);
  }

  @Override
  public boolean pause() {
    FfmpegProcess kill = null;
    synchronized (lock) {
      if (paused || closed) {
        return false;
      }
      paused = true;
      if (source != null) {
        sourceStartMillis = positionMillis;
        kill = replan();
      }
    }
    closeQuietly(kill);
    return true;
  }

  @Override
  public boolean resume() {
    FfmpegProcess kill = null;
    synchronized (lock) {
      if (!paused || closed) {
        return false;
      }
      paused = false;
      if (source != null) {
        kill = replan();
      }
    }
    closeQuietly(kill);
    return true;
  }

  @Override
  public void seek(long position) {
    FfmpegProcess kill = null;
    synchronized (lock) {
      if (closed) {
        return;
      }
      sourceStartMillis = position;
      positionMillis = position;
      if (source != null && !paused) {
        kill = replan();
      }
    }
    closeQuietly(kill);
  }

  @Override
  public long positionMillis() {
    return positionMillis;
  }

  @Override
  public long streamTimeMillis() {
    return streamTimeMillis;
  }

  /**
   * Closes the publisher before joining the sender, so that a write stalled on a full socket is
   * released. A publisher the sender connects after this point is closed by the sender itself
   * ({@link #reconnect}), and every event the sender posts is checked against {@link #closed}
   * under the lock, so nothing follows CLOSED.
   */
  @Override
  public boolean close() {
    FfmpegProcess kill;
    Thread senderThread;
    RtmpPublisher current;
    boolean wasRunning;
    synchronized (lock) {
      if (closed) {
        return false;
      }
      closed = true;
      wasRunning = running;
      kill = replan();
      senderThread = sender;
      current = publisher;
    }
    closeQuietly(kill);
    if (current != null) {
      current.close();
    }
    if (senderThread != null) {
      try {
        senderThread.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return wasRunning;
  }

  private void requireRunning() throws TgCallsException {
    if (closed) {
      throw new ClientClosedException();
    }
    if (!started || failed) {
      throw new NotConnectedException(failed
          ? "the RTMP connection failed" : "start() not called");
    }
  }

  /** Makes the sender drop its segment; returns the ffmpeg to kill outside the lock. */
  private FfmpegProcess replan() {
    generation++;
    FfmpegProcess kill = process;
    process = null;
    lock.notifyAll();
    return kill;
  }

  private static void closeQuietly(FfmpegProcess p) {
    if (p != null) {
      p.close();
    }
  }

  private RtmpPublisher connectPublisher() throws RtmpException {
    int id;
    synchronized (lock) {
      id = ++connectionId;
      disconnected = null;
    }
    RtmpPublisher p = RtmpPublisher.connect(url, options, cause -> {
      synchronized (lock) {
        if (connectionId == id && disconnected == null) {
          disconnected = cause;
          lock.notifyAll();
        }
      }
    });
    try {
      p.sendMetaData(metaData());
    } catch (RtmpException e) {
      p.close();
      throw e;
    }
    return p;
  }

  // E.5 onMetaData (FLV spec v10.1): codec ids 7 (AVC) and 10 (AAC).
  private Map<String, Object> metaData() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("width", (double) config.encoding().width());
    m.put("height", (double) config.encoding().height());
    m.put("framerate", (double) config.encoding().fps());
    m.put("videocodecid", 7.0);
    m.put("videodatarate", (double) config.encoding().videoBitrateKbps());
    m.put("audiocodecid", 10.0);
    m.put("audiodatarate", (double) config.encoding().audioBitrateKbps());
    m.put("audiosamplerate", (double) config.encoding().audioSampleRateHz());
    m.put("audiosamplesize", 16.0);
    m.put("stereo", Boolean.TRUE);
    m.put("encoder", "tgcalls4j");
    return m;
  }

  /** Thrown on the sender thread when the call is closed or has failed. */
  private static final class Stopped extends Exception {
    private static final long serialVersionUID = 1L;

    Stopped() {
      super(null, null, false, false);
    }
  }

  private record Plan(int generation, MediaSource source, long startMillis) {}

  /** Timestamp mapping of one segment; base fixed when its first tag is sent. */
  private static final class Segment {
    long firstTs = -1;
    long base;
  }

  private void run() {
    try {
      while (true) {
        Plan plan;
        synchronized (lock) {
          if (closed) {
            return;
          }
          plan = new Plan(generation, paused ? null : source, sourceStartMillis);
        }
        if (plan.source() == null) {
          playHold(plan.generation());
        } else {
          playSource(plan);
        }
      }
    } catch (Stopped stopped) {
      // closed, or failed after reporting FAILED
    }
  }

  private void playHold(int gen) throws Stopped {
    Segment segment = new Segment();
    for (Iterator<FlvTag> tags = hold.play(); emit(tags.next(), segment, gen); ) {
      // until superseded
    }
  }

  /**
   * Plays the hold stream until ffmpeg's first output is readable or it exits (at most
   * {@link #FILL_LIMIT_MILLIS}), so that its start-up time leaves no gap.
   *
   * @return false if the segment was superseded meanwhile
   */
  private boolean fillUntilReadable(FfmpegProcess ffmpeg, int gen) throws Stopped {
    Segment segment = new Segment();
    Iterator<FlvTag> tags = hold.play();
    long limitNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FILL_LIMIT_MILLIS);
    InputStream stdout = ffmpeg.stdout();
    ProcessHandle handle = ProcessHandle.of(ffmpeg.pid()).orElse(null);
    try {
      while (stdout.available() == 0 && handle != null && handle.isAlive()
          && System.nanoTime() < limitNanos) {
        if (!emit(tags.next(), segment, gen)) {
          return false;
        }
      }
    } catch (IOException e) {
      // the reader reports it
    }
    return true;
  }

  private void playSource(Plan plan) throws Stopped {
    FfmpegProcess ffmpeg;
    try {
      ffmpeg = FfmpegProcess.start(FfmpegCommand.flvH264Aac(config.ffmpeg(), plan.source(),
          config.encoding(), plan.startMillis(), false), config.threadFactory());
    } catch (FfmpegSpawnException e) {
      endSource(plan.generation(), e);
      return;
    }
    try {
      synchronized (lock) {
        if (generation != plan.generation()) {
          return;
        }
        process = ffmpeg;
      }
      if (!fillUntilReadable(ffmpeg, plan.generation())) {
        return;
      }
      FlvReader reader = new FlvReader(ffmpeg.stdout());
      Segment segment = new Segment();
      while (true) {
        FlvTag tag;
        try {
          tag = reader.next();
        } catch (IOException e) {
          if (isCurrent(plan.generation())) {
            FfmpegCrashedException crash = ffmpeg.crashError();
            endSource(plan.generation(), crash != null ? crash
                : new FfmpegCrashedException(-1, "unreadable FLV from ffmpeg: " + e.getMessage()));
          }
          return;
        }
        if (tag == null) {
          endSource(plan.generation(), ffmpeg.crashError());
          return;
        }
        // The stream goes on after this source, so its end of sequence is not passed on.
        if (tag.type() == FlvTag.SCRIPT_DATA || tag.isAvcEndOfSequence()) {
          continue;
        }
        if (!emit(tag, segment, plan.generation())) {
          return;
        }
        if (!tag.isSequenceHeader()) {
          synchronized (lock) {
            if (generation == plan.generation()) {
              positionMillis = plan.startMillis() + (tag.timestampMillis() - segment.firstTs);
            }
          }
        }
      }
    } finally {
      synchronized (lock) {
        if (process == ffmpeg) {
          process = null;
        }
      }
      ffmpeg.close();
    }
  }

  private boolean isCurrent(int gen) {
    synchronized (lock) {
      return generation == gen && !closed;
    }
  }

  private void endSource(int gen, TgCallsException error) {
    synchronized (lock) {
      if (generation != gen || closed) {
        return;
      }
      source = null;
      generation++;
      // Posted under the lock so that it cannot follow close()'s CLOSED.
      events.streamEnd(error);
    }
  }

  /**
   * Rebases, paces and sends one tag of the segment; returns false if the segment was superseded.
   */
  private boolean emit(FlvTag tag, Segment segment, int gen) throws Stopped {
    if (segment.firstTs < 0) {
      segment.firstTs = tag.timestampMillis();
      segment.base = lastTs < 0 ? elapsedMillis() : Math.max(lastTs + frameMillis, elapsedMillis());
    }
    long ts = Math.max(Math.max(lastTs, 0), segment.base + tag.timestampMillis() - segment.firstTs);
    if (!paceUntil(ts, gen)) {
      return false;
    }
    if (awaitKeyframe && tag.type() == FlvTag.VIDEO && !tag.isSequenceHeader()) {
      if (!tag.isKeyframe()) {
        return true;
      }
      awaitKeyframe = false;
    }
    if (tag.isAvcSequenceHeader()) {
      avcHeader = tag;
    } else if (tag.isAacSequenceHeader()) {
      aacHeader = tag;
    }
    while (true) {
      RtmpException lost;
      synchronized (lock) {
        lost = disconnected;
      }
      if (lost == null) {
        try {
          send(tag, ts);
          break;
        } catch (RtmpException e) {
          lost = e;
        }
      }
      reconnect(lost);
    }
    lastTs = ts;
    streamTimeMillis = ts;
    return true;
  }

  private void send(FlvTag tag, long ts) throws RtmpException {
    // RTMP timestamps are 32 bits and wrap (RTMP spec 1.0 §5.3.1.2.1).
    int rtmpTs = (int) ts;
    if (tag.type() == FlvTag.AUDIO) {
      publisher.sendAudio(rtmpTs, tag.body(), 0, tag.body().length);
    } else {
      publisher.sendVideo(rtmpTs, tag.body(), 0, tag.body().length);
    }
  }

  private long elapsedMillis() {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - clockOriginNanos);
  }

  /** Waits until the tag's time; false if the plan changed, true early on a lost connection. */
  private boolean paceUntil(long ts, int gen) throws Stopped {
    long dueNanos = clockOriginNanos + TimeUnit.MILLISECONDS.toNanos(ts);
    synchronized (lock) {
      while (true) {
        if (closed || failed) {
          throw new Stopped();
        }
        if (generation != gen) {
          return false;
        }
        long waitNanos = dueNanos - System.nanoTime();
        if (waitNanos <= 0 || disconnected != null) {
          return true;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(lock, waitNanos);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new Stopped();
        }
      }
    }
  }

  /**
   * Replaces the lost publisher: reports CONNECTING, retries with exponential backoff, then
   * resends metadata and sequence headers and reports CONNECTED; the clock is shifted by the
   * outage so that pacing continues from the current position. After the last failed attempt,
   * reports FAILED and stops. Once {@link #close()} has run it reports nothing, closes any
   * publisher it has just connected and stops.
   */
  private void reconnect(RtmpException cause) throws Stopped {
    publisher.close();
    synchronized (lock) {
      if (closed) {
        throw new Stopped();
      }
      events.connection(ConnectionState.CONNECTING, cause);
    }
    long outageStartNanos = System.nanoTime();
    long backoffMillis = config.reconnectInitialBackoffMillis();
    RtmpException last = cause;
    for (int attempt = 1; attempt <= config.maxReconnectAttempts(); attempt++) {
      sleepOrStop(backoffMillis);
      RtmpPublisher p = null;
      try {
        p = connectPublisher();
        adopt(p);
        long ts = Math.max(lastTs, 0);
        if (avcHeader != null) {
          p.sendVideo((int) ts, avcHeader.body(), 0, avcHeader.body().length);
        }
        if (aacHeader != null) {
          p.sendAudio((int) ts, aacHeader.body(), 0, aacHeader.body().length);
        }
        synchronized (lock) {
          if (closed) {
            throw new Stopped(); // close() has closed p
          }
          awaitKeyframe = true;
          clockOriginNanos += System.nanoTime() - outageStartNanos;
          events.connection(ConnectionState.CONNECTED, null);
        }
        return;
      } catch (RtmpException e) {
        last = e;
        if (p != null) {
          p.close();
        }
        backoffMillis = Math.min(backoffMillis * 2, config.reconnectMaxBackoffMillis());
      }
    }
    FfmpegProcess kill;
    synchronized (lock) {
      if (closed) {
        throw new Stopped();
      }
      failed = true;
      kill = replan();
      events.connection(ConnectionState.FAILED, last);
    }
    closeQuietly(kill);
    throw new Stopped();
  }

  /** Makes {@code p} the current publisher, or closes it and stops if the call was closed. */
  private void adopt(RtmpPublisher p) throws Stopped {
    synchronized (lock) {
      if (!closed) {
        publisher = p;
        return;
      }
    }
    p.close();
    throw new Stopped();
  }

  private void sleepOrStop(long millis) throws Stopped {
    long dueNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    synchronized (lock) {
      while (!closed) {
        long waitNanos = dueNanos - System.nanoTime();
        if (waitNanos <= 0) {
          return;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(lock, waitNanos);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new Stopped();
        }
      }
    }
    throw new Stopped();
  }
}
