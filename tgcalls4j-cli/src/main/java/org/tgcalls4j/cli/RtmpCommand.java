package org.tgcalls4j.cli;

import com.google.gson.JsonObject;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.tgcalls4j.ConnectionState;
import org.tgcalls4j.MediaSource;
import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.TgCalls;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tgcalls4j rtmp SOURCE --url URL --key KEY}: goes live on an RTMP(S) ingest (Telegram RTMP
 * mode, group-call.md §10) and takes control lines on stdin.
 *
 * <p>Control lines: {@code pause}, {@code resume}, {@code seek SECONDS}, {@code source SPEC},
 * {@code position}, {@code stop}. Every event is one JSON line on stdout:
 * {@code {"event":"connection","state":"CONNECTED"}} (with {@code "error"} when a connection was
 * lost or failed), {@code {"event":"stream_end"}} (with {@code "error"} if ffmpeg failed),
 * {@code {"event":"position","ms":..}} in answer to {@code position}, and
 * {@code {"event":"error","message":..}} for a rejected control line.
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
  private volatile TgCalls calls;

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
        .connectionListener((chat, state, cause) -> onConnectionChange(state, cause))
        .streamListener((chat, error) -> onStreamEnd(error))
        .build()) {
      calls = client;
      client.startRtmp(CHAT_ID, url, key);
      client.setStreamSources(CHAT_ID, Main.parseSource(source));
      Thread control = new Thread(this::readControl, "tgcalls4j-stdin");
      control.setDaemon(true);
      control.start();
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
          printEvent("source", "spec", then);
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

  private void readControl() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(stdin,
        StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null && !exit.isDone(); line = in.readLine()) {
        String[] words = line.strip().split("\\s+", 2);
        try {
          switch (words[0]) {
            case "" -> { }
            case "pause" -> calls.pause(CHAT_ID);
            case "resume" -> calls.resume(CHAT_ID);
            case "seek" -> calls.seek(CHAT_ID, Math.round(Double.parseDouble(argument(words)) * 1000));
            case "source" -> calls.setStreamSources(CHAT_ID, Main.parseSource(argument(words)));
            case "position" -> {
              JsonObject o = event("position");
              o.addProperty("ms", calls.time(CHAT_ID));
              print(o);
            }
            case "stop" -> exit.complete(0);
            default -> throw new IllegalArgumentException("unknown command: " + words[0]);
          }
        } catch (TgCallsException | IllegalArgumentException e) {
          printEvent("error", "message", e.getMessage());
        }
      }
    } catch (java.io.IOException e) {
      // stdin closed; keep streaming until another end condition
    }
  }

  private static String argument(String[] words) {
    if (words.length < 2) {
      throw new IllegalArgumentException(words[0] + " needs an argument");
    }
    return words[1];
  }

  private static JsonObject event(String name) {
    JsonObject o = new JsonObject();
    o.addProperty("event", name);
    return o;
  }

  private void print(JsonObject o) {
    synchronized (stdout) {
      stdout.println(o);
      stdout.flush();
    }
  }

  private void printEvent(String name, String key, String value) {
    JsonObject o = event(name);
    o.addProperty(key, value);
    print(o);
  }

  /** Runs on the client's dispatcher thread. */
  private void onConnectionChange(ConnectionState state, TgCallsException cause) {
    JsonObject o = event("connection");
    o.addProperty("state", state.name());
    if (cause != null) {
      o.addProperty("error", cause.getMessage());
    }
    print(o);
    if (state == ConnectionState.FAILED) {
      exit.complete(1);
    }
  }

  /** Runs on the client's dispatcher thread. */
  private void onStreamEnd(TgCallsException error) {
    JsonObject o = event("stream_end");
    if (error != null) {
      o.addProperty("error", error.getMessage());
    }
    print(o);
    exit.complete(error == null ? 0 : 1);
  }
}
