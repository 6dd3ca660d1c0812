package org.tgcalls4j.cli;

import com.google.gson.JsonObject;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.tgcalls4j.ConnectionState;
import org.tgcalls4j.MediaSource;
import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.internal.ffmpeg.FlvEncoding;
import org.tgcalls4j.internal.rtmp.RtmpOptions;
import org.tgcalls4j.internal.rtmp.RtmpUrl;
import org.tgcalls4j.internal.rtmpcall.RtmpCall;
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
 * {@code {"event":"position","ms":..,"stream_ms":..}} in answer to {@code position}, and
 * {@code {"event":"error","message":..}} for a rejected control line.
 *
 * <p>The command ends on {@code stop}, after {@code --seconds}, when the connection FAILED, or
 * when a source ends and no {@code --then} source is left. Exit code 0, or 1 after a failure.
 * It drives {@link RtmpCall} directly until the TgCalls facade offers RTMP calls.
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

  @Option(names = "--then", paramLabel = "SOURCE", description = "source to play when the first ends")
  String then;

  @Option(names = "--ffmpeg-fallback",
      description = "let ffmpeg push to the ingest (respawned on pause/seek/source change)")
  boolean ffmpegFallback;

  private final InputStream stdin;
  private final PrintStream stdout;
  private final CompletableFuture<Integer> exit = new CompletableFuture<>();
  private volatile String pendingThen;
  private volatile RtmpCall call;

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
   * @throws TgCallsException if the URL is invalid or the ingest cannot be reached at start
   * @throws InterruptedException if interrupted while waiting
   */
  @Override
  public Integer call() throws TgCallsException, InterruptedException {
    pendingThen = then;
    ExecutorService dispatcher = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "tgcalls4j-events");
      t.setDaemon(true);
      return t;
    });
    RtmpCall.Config config = new RtmpCall.Config(Path.of("ffmpeg"), FlvEncoding.defaults(),
        ffmpegFallback, r -> {
          Thread t = new Thread(r, "tgcalls4j-rtmp");
          t.setDaemon(true);
          return t;
        }, dispatcher, 500, 8000, 10);
    try (RtmpCall rtmpCall = new RtmpCall(RtmpUrl.parse(url, key), RtmpOptions.defaults(),
        config, new Printer())) {
      call = rtmpCall;
      rtmpCall.start();
      rtmpCall.setSource(parseSource(source));
      Thread control = new Thread(() -> readControl(rtmpCall), "tgcalls4j-stdin");
      control.setDaemon(true);
      control.start();
      try {
        return seconds == null ? exit.join() : exit.get(seconds, TimeUnit.SECONDS);
      } catch (TimeoutException elapsed) {
        return 0;
      } catch (java.util.concurrent.ExecutionException impossible) {
        throw new IllegalStateException(impossible);
      }
    } finally {
      dispatcher.shutdown();
      dispatcher.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static MediaSource parseSource(String spec) {
    return spec.contains("://") ? MediaSource.url(spec) : MediaSource.file(Path.of(spec));
  }

  private void readControl(RtmpCall call) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(stdin,
        StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null && !exit.isDone(); line = in.readLine()) {
        String[] words = line.strip().split("\\s+", 2);
        try {
          switch (words[0]) {
            case "" -> { }
            case "pause" -> call.pause();
            case "resume" -> call.resume();
            case "seek" -> call.seek(Math.round(Double.parseDouble(argument(words)) * 1000));
            case "source" -> call.setSource(parseSource(argument(words)));
            case "position" -> {
              JsonObject o = event("position");
              o.addProperty("ms", call.positionMillis());
              o.addProperty("stream_ms", call.streamTimeMillis());
              print(o);
            }
            case "stop" -> exit.complete(0);
            default -> throw new IllegalArgumentException("unknown command: " + words[0]);
          }
        } catch (TgCallsException | IllegalArgumentException e) {
          JsonObject o = event("error");
          o.addProperty("message", e.getMessage());
          print(o);
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

  /** Prints events; runs on the dispatcher thread. */
  private final class Printer implements RtmpCall.Events {
    @Override
    public void onConnectionChange(ConnectionState state, TgCallsException cause) {
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

    @Override
    public void onStreamEnd(TgCallsException error) {
      JsonObject o = event("stream_end");
      if (error != null) {
        o.addProperty("error", error.getMessage());
      }
      print(o);
      String next = pendingThen;
      pendingThen = null;
      if (next == null) {
        exit.complete(error == null ? 0 : 1);
      } else {
        try {
          call.setSource(parseSource(next));
        } catch (TgCallsException | IllegalArgumentException e) {
          JsonObject failed = event("error");
          failed.addProperty("message", e.getMessage());
          print(failed);
          exit.complete(1);
        }
      }
    }
  }
}
