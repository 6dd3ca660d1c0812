package org.tgcalls4j;

/**
 * ffmpeg exited with a non-zero code, or was killed by a signal, before its output ended
 * normally; carries the exit code (128 + the signal number for a killed process, as the JDK
 * reports it on Linux) and the last 512 bytes of its standard error, which usually say why
 * (unplayable file, 404, ...; empty when the kernel killed it, e.g. SIGKILL from the OOM killer).
 */
public final class FfmpegCrashedException extends TgCallsException {
  private static final long serialVersionUID = 1L;
  private final int exitCode;
  private final String stderrTail;

  /** Linux signal names by number, 1 to 31 (signal(7)). */
  private static final String[] SIGNALS = {null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP",
      "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM",
      "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU",
      "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"};

  /**
   * The message says how ffmpeg ended: {@code ffmpeg was killed by signal 9 (SIGKILL)} for exit
   * codes 129 to 159 (the JDK reports a process ended by signal n as 128 + n on Linux), otherwise
   * {@code ffmpeg exited with code N}; then {@code ": "} and the stripped stderr tail, unless that
   * is blank.
   *
   * @param exitCode the process exit code
   * @param stderrTail at most the last 512 bytes of ffmpeg's stderr, decoded as UTF-8
   */
  public FfmpegCrashedException(int exitCode, String stderrTail) {
    super(describe(exitCode) + (stderrTail.isBlank() ? "" : ": " + stderrTail.strip()));
    this.exitCode = exitCode;
    this.stderrTail = stderrTail;
  }

  private static String describe(int exitCode) {
    int signal = exitCode - 128;
    if (signal >= 1 && signal < SIGNALS.length) {
      return "ffmpeg was killed by signal " + signal + " (" + SIGNALS[signal] + ")";
    }
    return "ffmpeg exited with code " + exitCode;
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
