package org.tgcalls4j;

/**
 * ffmpeg exited with a non-zero code before its output ended normally; carries the exit code and
 * the last 512 bytes of its standard error, which usually say why (unplayable file, 404, ...).
 */
public final class FfmpegCrashedException extends TgCallsException {
  private static final long serialVersionUID = 1L;
  private final int exitCode;
  private final String stderrTail;

  /**
   * @param exitCode the process exit code
   * @param stderrTail at most the last 512 bytes of ffmpeg's stderr, decoded as UTF-8
   */
  public FfmpegCrashedException(int exitCode, String stderrTail) {
    super("ffmpeg exited with code " + exitCode + ": " + stderrTail.strip());
    this.exitCode = exitCode;
    this.stderrTail = stderrTail;
  }

  /** @return the process exit code */
  public int exitCode() {
    return exitCode;
  }

  /** @return at most the last 512 bytes of ffmpeg's stderr */
  public String stderrTail() {
    return stderrTail;
  }
}
