package org.tgcalls4j.internal.ffmpeg;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.tgcalls4j.FfmpegCrashedException;
import org.tgcalls4j.FfmpegSpawnException;

/**
 * One running ffmpeg child: its standard output for the caller to read, its standard error kept
 * as a 512-byte tail by a pump thread, and a {@link #close()} that always ends the process.
 *
 * <p>Threads: {@link #stdout()} is read by one caller thread; the other methods may be called from
 * any thread. The only thread started is the stderr pump, made by the caller's
 * {@link ThreadFactory} and named {@code tgcalls4j-ffmpeg-stderr-<pid>}; it ends when ffmpeg's
 * stderr closes, at the latest in {@link #close()}.
 */
public final class FfmpegProcess implements AutoCloseable {
  /** Name prefix of the stderr pump threads. */
  public static final String STDERR_THREAD_PREFIX = "tgcalls4j-ffmpeg-stderr-";
  /** Size of the kept stderr tail, in bytes. */
  static final int STDERR_TAIL_BYTES = 512;
  private static final long VERSION_TIMEOUT_MILLIS = 5_000;
  private static final long TERMINATE_GRACE_MILLIS = 1_000;
  private static final long KILL_WAIT_MILLIS = 5_000;
  private static final long EXIT_AFTER_EOF_WAIT_MILLIS = 2_000;
  private static final long PUMP_JOIN_MILLIS = 2_000;

  private final Process process;
  private final EofTrackingStream stdout;
  private final Thread stderrPump;
  private final byte[] tail = new byte[STDERR_TAIL_BYTES];
  private long tailWritten; // total bytes ever written; guarded by tail
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean killedByClose;

  private FfmpegProcess(Process process, ThreadFactory threads) throws FfmpegSpawnException {
    this.process = process;
    this.stdout = new EofTrackingStream(process.getInputStream());
    Thread pump = threads.newThread(this::pumpStderr);
    if (pump == null) {
      throw new FfmpegSpawnException("thread factory gave no thread for ffmpeg's stderr", null);
    }
    pump.setName(STDERR_THREAD_PREFIX + process.pid());
    this.stderrPump = pump;
  }

  /**
   * Runs {@code <ffmpeg> -version} and waits for it to succeed.
   *
   * @param ffmpeg the binary; a bare name is looked up on {@code PATH}
   * @throws FfmpegSpawnException if it cannot be started, does not exit within 5 s, or exits with a
   *     non-zero code
   * @throws NullPointerException if ffmpeg is null
   */
  public static void checkAvailable(Path ffmpeg) throws FfmpegSpawnException {
    Process p;
    try {
      p = new ProcessBuilder(ffmpeg.toString(), "-version")
          .redirectInput(ProcessBuilder.Redirect.PIPE)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
    } catch (IOException | RuntimeException e) {
      throw new FfmpegSpawnException("cannot run " + ffmpeg + ": " + e.getMessage(), e);
    }
    try {
      p.getOutputStream().close();
      if (!p.waitFor(VERSION_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
        throw new FfmpegSpawnException(
            ffmpeg + " -version did not finish within " + VERSION_TIMEOUT_MILLIS + " ms", null);
      }
      if (p.exitValue() != 0) {
        throw new FfmpegSpawnException(ffmpeg + " -version exited with code " + p.exitValue(), null);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FfmpegSpawnException("interrupted while running " + ffmpeg + " -version", e);
    } catch (IOException e) {
      throw new FfmpegSpawnException("cannot talk to " + ffmpeg + ": " + e.getMessage(), e);
    } finally {
      p.destroyForcibly();
    }
  }

  /**
   * Starts ffmpeg with standard input closed, standard output readable through {@link #stdout()}
   * and standard error pumped into a tail buffer.
   *
   * @param command the argument list, binary first (see {@link FfmpegCommand}); never a shell
   *     string
   * @param threads makes the stderr pump thread; it may return a virtual or daemon thread
   * @return the running process; the caller must {@link #close()} it
   * @throws FfmpegSpawnException if the binary cannot be started or the factory gives no thread
   *     (the process is then already ended)
   * @throws IllegalArgumentException if command is empty
   * @throws NullPointerException if an argument or list element is null
   */
  public static FfmpegProcess start(List<String> command, ThreadFactory threads) throws FfmpegSpawnException {
    if (command.isEmpty()) {
      throw new IllegalArgumentException("empty ffmpeg command");
    }
    Process p;
    try {
      p = new ProcessBuilder(List.copyOf(command)).start();
    } catch (IOException | RuntimeException e) {
      throw new FfmpegSpawnException("cannot start " + command.get(0) + ": " + e.getMessage(), e);
    }
    try {
      p.getOutputStream().close();
      FfmpegProcess ffmpeg = new FfmpegProcess(p, threads);
      ffmpeg.stderrPump.start();
      return ffmpeg;
    } catch (IOException | FfmpegSpawnException | RuntimeException | Error e) {
      p.destroyForcibly();
      if (e instanceof FfmpegSpawnException spawn) {
        throw spawn;
      }
      throw new FfmpegSpawnException("cannot set up " + command.get(0) + ": " + e, e);
    }
  }

  /**
   * @return ffmpeg's standard output; read it on one thread. It reports end of stream when ffmpeg
   *     exits or after {@link #close()}.
   */
  public InputStream stdout() {
    return stdout;
  }

  /**
   * @return whether ffmpeg has written output not read yet, or has exited (then reading ends at
   *     once): a new source is ready to take over from the one playing. Does not wait; any thread
   *     while nobody reads {@link #stdout()}
   */
  public boolean outputReady() {
    try {
      return stdout.available() > 0 || !process.isAlive();
    } catch (IOException e) {
      return true; // closed: reading ends at once
    }
  }

  /** @return whether the ffmpeg process is still running */
  public boolean isAlive() {
    return process.isAlive();
  }

  /**
   * @return the last 512 bytes ffmpeg wrote to standard error, decoded as UTF-8 (a character cut
   *     at the start of the window is dropped); empty if none
   */
  public String stderrTail() {
    byte[] bytes;
    synchronized (tail) {
      int n = (int) Math.min(tailWritten, STDERR_TAIL_BYTES);
      bytes = new byte[n];
      int start = (int) ((tailWritten - n) % STDERR_TAIL_BYTES);
      for (int i = 0; i < n; i++) {
        bytes[i] = tail[(start + i) % STDERR_TAIL_BYTES];
      }
    }
    int from = 0;
    while (from < bytes.length && (bytes[from] & 0xC0) == 0x80) {
      from++; // UTF-8 continuation bytes of a character cut by the window
    }
    return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
  }

  /**
   * Tells whether ffmpeg failed. When {@link #stdout()} has reached end of stream and ffmpeg is
   * still running, waits up to 2 s for it to exit; otherwise does not wait.
   *
   * @return the failure with exit code and stderr tail, or null if ffmpeg is still running,
   *     exited with code 0, or was ended by {@link #close()}
   */
  public FfmpegCrashedException crashError() {
    if (process.isAlive() && stdout.eof) {
      try {
        process.waitFor(EXIT_AFTER_EOF_WAIT_MILLIS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (process.isAlive() || killedByClose) {
      return null;
    }
    int exitCode = process.exitValue();
    if (exitCode == 0) {
      return null;
    }
    joinPump(); // the pump may still hold the last stderr bytes
    return new FfmpegCrashedException(exitCode, stderrTail());
  }

  /**
   * Waits for ffmpeg to exit (on its own, or after {@link #close()}).
   *
   * @param timeoutMillis longest wait, ms
   * @return whether it has exited
   * @throws InterruptedException if the calling thread is interrupted while waiting
   */
  public boolean awaitExit(long timeoutMillis) throws InterruptedException {
    return process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  /**
   * Ends ffmpeg: asks it to terminate (SIGTERM), kills it (SIGKILL) if it is still running after
   * 1 s, waits for it to be reaped, closes its output and joins the stderr pump. Idempotent; a
   * second call returns at once. If the calling thread is interrupted, the kill is done at once and
   * the interrupt flag is kept.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    killedByClose = process.isAlive();
    boolean interrupted = false;
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroy();
    try {
      if (!process.waitFor(TERMINATE_GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(KILL_WAIT_MILLIS, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      interrupted = true;
      process.destroyForcibly();
    }
    try {
      stdout.close();
    } catch (IOException ignored) {
      // nothing left to read anyway
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    } else {
      joinPump();
    }
  }

  /** @return the operating-system process id */
  public long pid() {
    return process.pid();
  }

  private void joinPump() {
    if (Thread.currentThread() == stderrPump) {
      return;
    }
    try {
      stderrPump.join(PUMP_JOIN_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void pumpStderr() {
    byte[] buf = new byte[1024];
    try (InputStream err = process.getErrorStream()) {
      int n;
      while ((n = err.read(buf)) != -1) {
        synchronized (tail) {
          for (int i = 0; i < n; i++) {
            tail[(int) (tailWritten++ % STDERR_TAIL_BYTES)] = buf[i];
          }
        }
      }
    } catch (IOException e) {
      // stderr closed under us: the process is gone
    }
  }

  /** Remembers that a read returned end of stream, so {@link #crashError()} knows ffmpeg is done. */
  private static final class EofTrackingStream extends FilterInputStream {
    volatile boolean eof;

    EofTrackingStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b == -1) {
        eof = true;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n == -1) {
        eof = true;
      }
      return n;
    }
  }
}
