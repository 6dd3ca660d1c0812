package org.tgcalls4j.internal.rtmpcall;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
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
import org.tgcalls4j.internal.rtmp.RtmpUrl;

/**
 * Fallback mode: one ffmpeg ({@code -re [-ss pos] -i src ... -f flv <url>/<key>}) pushes the
 * current source straight to the ingest, as in group-call.md §10 (GOC). Every source change,
 * seek and resume kills it and spawns a new one, and pause only kills it: each is a new publish
 * session, and the ingest receives nothing while paused and during ffmpeg's start-up (about
 * 0.3-1 s per respawn). ffmpeg's own RTMP session cannot be observed, so the connection state is
 * CONNECTED from {@link #start()} until close, unless an ffmpeg exits with an error about the
 * ingest itself (its stderr names the ingest's address: refused, unreachable, reset): that is
 * reported FAILED with an {@link RtmpException} ({@code io}) and the call takes no more sources.
 * Any other failing ffmpeg is reported as a stream end with its {@link FfmpegCrashedException}.
 * Positions are estimated from the wall clock.
 *
 * <p>Every text that leaves this class (event causes, exception messages) goes through
 * {@link RtmpUrl#scrub}: ffmpeg's stderr quotes the publish URL with the key.
 *
 * <p>Control methods are serialized on this object; each ffmpeg gets one watcher thread that
 * waits for its exit.
 *
 * <p>Security: the stream key is part of ffmpeg's command line ({@link RtmpUrl#publishUrl()}),
 * so in this mode any local user who can list processes ({@code ps}, {@code /proc/<pid>/cmdline})
 * can read it. The normal mode keeps the key inside this JVM.
 */
final class FfmpegPushEngine implements Engine {
  private final RtmpUrl url;
  private final RtmpCall.Config config;
  private final EventSink events;

  // Guarded by this.
  private MediaSource source;
  private boolean paused;
  private long startMillis;
  private FfmpegProcess process;
  private long spawnNanos;
  private long pushedMillis;
  private int generation;
  private boolean started;
  private boolean closed;
  private boolean failed;

  FfmpegPushEngine(RtmpUrl url, RtmpCall.Config config, EventSink events) {
    this.url = url;
    this.config = config;
    this.events = events;
  }

  @Override
  public synchronized void start() throws TgCallsException {
    if (closed) {
      throw new ClientClosedException();
    }
    if (started) {
      throw new IllegalStateException("already started");
    }
    started = true;
    events.connection(ConnectionState.CONNECTED, null);
  }

  @Override
  public synchronized void setSource(MediaSource newSource) throws TgCallsException {
    if (closed) {
      throw new ClientClosedException();
    }
    if (!started || failed) {
      throw new NotConnectedException(failed
          ? "ffmpeg could not reach the RTMP ingest" : "start() not called");
    }
    kill();
    source = newSource; // a paused stream stays paused: the new source starts on resume
    startMillis = 0;
    spawn();
  }

  @Override
  public synchronized boolean pause() {
    if (paused || closed) {
      return false;
    }
    kill();
    paused = true;
    return true;
  }

  @Override
  public synchronized boolean resume() {
    if (!paused || closed) {
      return false;
    }
    paused = false;
    respawnReportingFailure();
    return true;
  }

  @Override
  public synchronized void seek(long positionMillis) {
    if (closed) {
      return;
    }
    kill();
    startMillis = positionMillis;
    respawnReportingFailure();
  }

  @Override
  public synchronized long positionMillis() {
    return process == null ? startMillis : startMillis + runningMillis();
  }

  @Override
  public synchronized long streamTimeMillis() {
    return pushedMillis + (process == null ? 0 : runningMillis());
  }

  @Override
  public synchronized boolean close() {
    if (closed) {
      return false;
    }
    kill();
    closed = true;
    return started;
  }

  private long runningMillis() {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - spawnNanos);
  }

  /** Kills the running ffmpeg, if any, keeping its position as the start of the next spawn. */
  private void kill() {
    generation++;
    if (process != null) {
      pushedMillis += runningMillis();
      startMillis += runningMillis();
      process.close();
      process = null;
    }
  }

  private void respawnReportingFailure() {
    if (failed) {
      return;
    }
    try {
      spawn();
    } catch (TgCallsException e) {
      source = null;
      events.streamEnd(scrubbed(e));
    }
  }

  private void spawn() throws TgCallsException {
    if (source == null || paused) {
      return;
    }
    List<String> command = new ArrayList<>(FfmpegCommand.flvH264Aac(config.ffmpeg(), source,
        config.encoding(), startMillis, true));
    // FfmpegCommand writes "-f flv pipe:1"; the output goes to the ingest instead.
    int output = command.lastIndexOf("pipe:1");
    if (output < 0) {
      throw new IllegalStateException("FfmpegCommand output is not pipe:1: " + command);
    }
    command.set(output, url.publishUrl());
    FfmpegProcess started;
    try {
      started = FfmpegProcess.start(command, config.threadFactory());
    } catch (TgCallsException e) {
      throw scrubbed(e);
    }
    process = started;
    spawnNanos = System.nanoTime();
    int myGeneration = ++generation;
    config.threadFactory().newThread(() -> watch(started, myGeneration)).start();
  }

  /** Waits for the ffmpeg to exit; if it was not killed, its source has ended. */
  private void watch(FfmpegProcess ffmpeg, int myGeneration) {
    try (InputStream out = ffmpeg.stdout()) {
      byte[] sink = new byte[4096];
      while (out.read(sink) >= 0) {
        // ffmpeg writes to the network, not stdout; this only waits for its exit
      }
    } catch (IOException killed) {
      // the stream was closed because the process was killed
    }
    synchronized (this) {
      if (generation != myGeneration || closed) {
        return;
      }
    }
    FfmpegCrashedException crash = ffmpeg.crashError();
    synchronized (this) {
      if (generation != myGeneration || closed) {
        return;
      }
      kill();
      source = null;
      // Posted under the lock so that it cannot follow close()'s CLOSED.
      if (crash != null && mentionsIngest(crash.stderrTail())) {
        failed = true;
        FfmpegCrashedException clean = scrubbed(crash);
        events.connection(ConnectionState.FAILED, new RtmpException("io",
            "ffmpeg could not push to the ingest " + url.host() + ":" + url.port()
                + " (exit code " + clean.exitCode() + "): " + clean.stderrTail().strip(), clean));
      } else {
        events.streamEnd(crash == null ? null : scrubbed(crash));
      }
    }
  }

  /**
   * Tells an ffmpeg error about the ingest from one about the source: ffmpeg names the output URL
   * (or the TCP/TLS connection under it) when it cannot open or write it.
   */
  private boolean mentionsIngest(String stderr) {
    String address = url.host() + ":" + url.port();
    return stderr.contains(url.publishUrl()) || stderr.contains("tcp://" + address)
        || stderr.contains("tls://" + address);
  }

  /** The same failure with the stream key and query secrets hidden in its message. */
  private FfmpegCrashedException scrubbed(FfmpegCrashedException e) {
    return new FfmpegCrashedException(e.exitCode(), url.scrub(e.stderrTail()));
  }

  private TgCallsException scrubbed(TgCallsException e) {
    if (e instanceof FfmpegCrashedException crash) {
      return scrubbed(crash);
    }
    if (e instanceof FfmpegSpawnException) {
      return new FfmpegSpawnException(url.scrub(e.getMessage()), null);
    }
    return e;
  }
}
