package org.tgcalls4j.internal.ffmpeg;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import org.tgcalls4j.FfmpegCrashedException;
import org.tgcalls4j.FfmpegSpawnException;

/** STAND-IN (branch media owns this); deleted before the final commit. */
public final class FfmpegProcess implements AutoCloseable {
  private final Process p;
  private final StringBuilder err = new StringBuilder();
  private volatile boolean closed;
  private FfmpegProcess(Process p) { this.p = p; }
  public static FfmpegProcess start(List<String> command, ThreadFactory threads) throws FfmpegSpawnException {
    try {
      FfmpegProcess f = new FfmpegProcess(new ProcessBuilder(command).start());
      f.p.getOutputStream().close();
      threads.newThread(() -> {
        try (InputStream e = f.p.getErrorStream()) {
          byte[] b = new byte[1024]; int n;
          while ((n = e.read(b)) > 0) synchronized (f.err) { f.err.append(new String(b, 0, n, StandardCharsets.UTF_8)); if (f.err.length() > 512) f.err.delete(0, f.err.length() - 512); }
        } catch (IOException ignored) { }
      }).start();
      return f;
    } catch (IOException e) { throw new FfmpegSpawnException("cannot start " + command.get(0), e); }
  }
  public InputStream stdout() { return p.getInputStream(); }
  public String stderrTail() { synchronized (err) { return err.toString(); } }
  public FfmpegCrashedException crashError() {
    try { int rc = p.waitFor(); return rc == 0 || closed ? null : new FfmpegCrashedException(rc, stderrTail()); }
    catch (InterruptedException e) { Thread.currentThread().interrupt(); return null; }
  }
  public long pid() { return p.pid(); }
  @Override public void close() {
    closed = true;
    p.destroy();
    try { if (!p.waitFor(2, java.util.concurrent.TimeUnit.SECONDS)) { p.destroyForcibly().waitFor(); } } catch (InterruptedException e) { p.destroyForcibly(); Thread.currentThread().interrupt(); }
    try { p.getInputStream().close(); } catch (IOException ignored) { }
  }
}
