package org.tgcalls4j.cli;

import com.google.gson.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.tgcalls4j.Call;
import org.tgcalls4j.ConnectionState;
import org.tgcalls4j.EncodeOptions;
import org.tgcalls4j.GroupCall;
import org.tgcalls4j.PrivateCall;
import org.tgcalls4j.TgCallsException;

/**
 * The control protocol of {@code play} and {@code rtmp}: lines on stdin act on one call, and
 * every event is one JSON line on stdout.
 *
 * <p>Lines: {@code pause}, {@code resume}, {@code mute}, {@code unmute} (group and private calls),
 * {@code seek SECONDS}, {@code source SPEC} (a file path or URL, encoded with the command's
 * {@link EncodeFlags}), {@code position}, {@code stop};
 * blank lines are ignored. Events: {@code {"event":"connection","state":"CONNECTED"}} (with
 * {@code "error"} when a connection was lost or failed), {@code {"event":"stream_end"}} (with
 * {@code "error"} if the source failed), {@code {"event":"position","ms":..}} in answer to
 * {@code position}, {@code {"event":"error","message":..}} for a rejected line, and commands'
 * own events (for example {@code stats}).
 */
final class ControlLines {
  private final PrintStream stdout;
  private final CompletableFuture<Integer> exit;
  private final EncodeOptions sourceOptions;

  /**
   * @param stdout where event lines go; shared by every thread that prints, one line at a time
   * @param exit completed with the exit code when a line or event ends the command
   */
  ControlLines(PrintStream stdout, CompletableFuture<Integer> exit) {
    this(stdout, exit, EncodeOptions.DEFAULT);
  }

  /**
   * @param stdout where event lines go; shared by every thread that prints, one line at a time
   * @param exit completed with the exit code when a line or event ends the command
   * @param sourceOptions how a {@code source SPEC} line's source is encoded (the command's flags)
   */
  ControlLines(PrintStream stdout, CompletableFuture<Integer> exit, EncodeOptions sourceOptions) {
    this.stdout = stdout;
    this.exit = exit;
    this.sourceOptions = sourceOptions;
  }

  /**
   * Reads control lines until stdin ends or the command ended; on a daemon thread of its own.
   *
   * @param stdin the lines
   * @param call what they act on
   */
  void readAll(InputStream stdin, Call call) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null && !exit.isDone(); line = in.readLine()) {
        apply(line, call);
      }
    } catch (IOException e) {
      // stdin closed: the command goes on until another end condition
    }
  }

  /** Applies one control line; a rejected line becomes an error event. */
  void apply(String line, Call call) {
    String[] words = line.strip().split("\\s+", 2);
    try {
      switch (words[0]) {
        case "" -> { }
        case "pause" -> call.pause();
        case "resume" -> call.resume();
        case "mute" -> mute(call, true);
        case "unmute" -> mute(call, false);
        case "seek" -> call.seek(Math.round(seconds(argument(words)) * 1000));
        case "source" -> call.setSource(Main.parseSource(argument(words), sourceOptions));
        case "position" -> {
          JsonObject o = event("position");
          o.addProperty("ms", call.positionMillis());
          print(o);
        }
        case "stop" -> exit.complete(0);
        default -> throw new IllegalArgumentException("unknown command: " + words[0]
            + " (pause, resume, mute, unmute, seek SECONDS, source SPEC, position, stop)");
      }
    } catch (TgCallsException | IllegalArgumentException e) {
      printEvent("error", "message", e.getMessage());
    }
  }

  private static void mute(Call call, boolean muted) throws TgCallsException {
    if (call instanceof GroupCall group) {
      if (muted) {
        group.mute();
      } else {
        group.unmute();
      }
    } else if (call instanceof PrivateCall p) {
      if (muted) {
        p.mute();
      } else {
        p.unmute();
      }
    } else {
      throw new IllegalArgumentException("mute works in group and private calls, not RTMP streams");
    }
  }

  private static double seconds(String text) {
    double s;
    try {
      s = Double.parseDouble(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("seek needs seconds, not \"" + text + "\"");
    }
    if (!(s >= 0) || s > 1e9) {
      throw new IllegalArgumentException("seek needs 0 or more seconds, not " + text);
    }
    return s;
  }

  private static String argument(String[] words) {
    if (words.length < 2) {
      throw new IllegalArgumentException(words[0] + " needs an argument");
    }
    return words[1];
  }

  static JsonObject event(String name) {
    JsonObject o = new JsonObject();
    o.addProperty("event", name);
    return o;
  }

  /** @return {@code {"event":"connection","state":..}}, with {@code "error"} when there is a cause */
  static JsonObject connectionEvent(ConnectionState state, TgCallsException cause) {
    JsonObject o = event("connection");
    o.addProperty("state", state.name());
    if (cause != null) {
      o.addProperty("error", cause.getMessage());
    }
    return o;
  }

  /** @return {@code {"event":"stream_end"}}, with {@code "error"} when the source failed */
  static JsonObject streamEndEvent(TgCallsException error) {
    JsonObject o = event("stream_end");
    if (error != null) {
      o.addProperty("error", error.getMessage());
    }
    return o;
  }

  void print(JsonObject o) {
    synchronized (stdout) {
      stdout.println(o);
      stdout.flush();
    }
  }

  void printEvent(String name, String key, String value) {
    JsonObject o = event(name);
    o.addProperty(key, value);
    print(o);
  }

  /** Prints a connection change; FAILED ends the command with exit code 1. Any thread. */
  void onConnectionChange(ConnectionState state, TgCallsException cause) {
    print(connectionEvent(state, cause));
    if (state == ConnectionState.FAILED) {
      exit.complete(1);
    }
  }

  /** Prints a stream end, which ends the command: 0 at the source's end, 1 if it failed. */
  void onStreamEnd(TgCallsException error) {
    print(streamEndEvent(error));
    exit.complete(error == null ? 0 : 1);
  }
}
