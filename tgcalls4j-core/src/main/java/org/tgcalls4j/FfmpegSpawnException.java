package org.tgcalls4j;

/** The ffmpeg binary could not be found or started. */
public final class FfmpegSpawnException extends TgCallsException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what was tried, including the binary path
   * @param cause the I/O error from the operating system, may be null
   */
  public FfmpegSpawnException(String message, Throwable cause) {
    super(message, cause);
  }
}
