package org.tgcalls4j.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.TgCalls;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tgcalls4j rtmp SOURCE --url URL --key KEY}: goes live on an RTMP(S) ingest (Telegram RTMP
 * mode, group-call.md §10) and takes control lines on stdin.
 *
 * <p>Control lines and JSON events as {@link ControlLines} describes ({@code mute} is refused:
 * an RTMP stream has no mute).
 *
 * <p>The command ends on {@code stop}, after {@code --seconds}, when the connection FAILED, or
 * when a source ends. {@code --then} switches source half-way through {@code --seconds}, on the
 * same ingest connection. Exit code 0, or 1 after a failure.
 */
@Command(name = "rtmp", mixinStandardHelpOptions = true,
    description = "Stream a file or URL to an RTMP(S) ingest; control lines on stdin, JSON events"
        + " on stdout.")
public final class RtmpCommand implements java.util.concurrent.Callable<Integer> {
  @Parameters(index = "0", paramLabel = "SOURCE", description = "file path or URL (http, rtmp, ...)")
  String source;

  @Option(names = "--url", required = true, description = "ingest URL, e.g. rtmps://dc4-1.rtmp.t.me/s/")
  String url;

  @Option(names = "--key", required = true, description = "stream key")
  String key;

  @Option(names = "--seconds", description = "stop after this many seconds")
  Long seconds;

  @Option(names = "--then", paramLabel = "SOURCE",
      description = "switch to this source half-way through --seconds")
  String then;

  @Option(names = "--ffmpeg-fallback",
      description = "let ffmpeg push to the ingest (respawned on pause/seek/source change)")
  boolean ffmpegFallback;

  @Option(names = "--ffmpeg", description = "ffmpeg binary (default: ${DEFAULT-VALUE}).")
  Path ffmpeg = Path.of("ffmpeg");

  private static final long CHAT_ID = 1;
  private final InputStream stdin;
  private final PrintStream stdout;
  private final CompletableFuture<Integer> exit = new CompletableFuture<>();
  private final ControlLines control;

  /** Uses the process's stdin and stdout. */
  public RtmpCommand() {
    this(System.in, System.out);
  }

  /**
   * @param stdin where control lines are read
   * @param stdout where JSON event lines are written
   */
  public RtmpCommand(InputStream stdin, PrintStream stdout) {
    this.stdin = stdin;
    this.stdout = stdout;
    this.control = new ControlLines(stdout, exit);
  }

  /**
   * Streams until one of the end conditions in the class doc.
   *
   * @return 0, or 1 after a connection failure or a failed source
   * @throws TgCallsException if the URL is invalid or the ingest refused the stream at start
   * @throws InterruptedException if interrupted while waiting
   */
  @Override
  public Integer call() throws TgCallsException, InterruptedException {
    if (then != null && seconds == null) {
      throw new IllegalArgumentException("--then needs --seconds (it switches half-way through)");
    }
    try (TgCalls client = TgCalls.builder()
        .ffmpegPath(ffmpeg)
        .rtmpFfmpegFallback(ffmpegFallback)
        .connectionListener((chat, state, cause) -> control.onConnectionChange(state, cause))
        .streamListener((chat, error) -> control.onStreamEnd(error))
        .build()) {
      org.tgcalls4j.RtmpStream stream = client.startRtmp(CHAT_ID, url, key);
      stream.setSource(Main.parseSource(source));
      Thread reader = new Thread(() -> control.readAll(stdin, stream), "tgcalls4j-stdin");
      reader.setDaemon(true);
      reader.start();
      try {
        return awaitEnd(client);
      } finally {
        exit.complete(0); // the stdin reader ignores whatever comes after the command ended
      }
    }
  }

  /** Waits for an end condition; switches to {@code --then} half-way through {@code --seconds}. */
  private int awaitEnd(TgCalls client) throws TgCallsException, InterruptedException {
    if (seconds == null) {
      return exit.join();
    }
    long halfMillis = seconds * 500;
    try {
      if (then != null) {
        try {
          return exit.get(halfMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException halfWay) {
          client.setStreamSources(CHAT_ID, Main.parseSource(then));
          control.printEvent("source", "spec", then);
        }
        return exit.get(seconds * 1000 - halfMillis, TimeUnit.MILLISECONDS);
      }
      return exit.get(seconds, TimeUnit.SECONDS);
    } catch (TimeoutException elapsed) {
      return 0;
    } catch (java.util.concurrent.ExecutionException impossible) {
      throw new IllegalStateException(impossible);
    }
  }

}
