package org.tgcalls4j.cli;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.tgcalls4j.CallStats;
import org.tgcalls4j.ConnectionState;
import org.tgcalls4j.EncodeOptions;
import org.tgcalls4j.GroupCall;
import org.tgcalls4j.MediaSource;
import org.tgcalls4j.NetworkOptions;
import org.tgcalls4j.TgCalls;
import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.VideoStats;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tgcalls4j play}: joins a group call through two files, so that a bot in any language (or
 * a test) drives the MTProto side: we write the join JSON, it writes the SFU's answer. While it
 * plays it takes control lines on stdin and prints every event as one JSON line on stdout
 * ({@link ControlLines}); the last line is {@code {"event":"stats",..}} with the call's counters
 * (and, with {@code --video}, the video's). {@link EncodeFlags} choose the tracks and encoder
 * settings of SOURCE and of every {@code source SPEC} line.
 * Errors also go to stderr as {@code error: ...}. Exit code 0 when packets were sent and nothing
 * failed, else 1.
 */
@Command(name = "play", mixinStandardHelpOptions = true,
    description = "Write the phone.joinGroupCall params to --join-out, wait for the answer "
        + "(updateGroupCallConnection params) in --answer-in, connect and stream SOURCE. Control "
        + "lines on stdin (pause, resume, mute, unmute, seek SECONDS, source SPEC, position, stop),"
        + " JSON events on stdout. --video sends the source's video too; the encode flags set "
        + "the Opus and VP8 settings.")
public final class PlayCommand implements Callable<Integer> {
  private static final long CHAT_ID = 1;
  private final InputStream stdin;
  private final PrintStream stdout;

  /** Uses the process's stdin and stdout. */
  public PlayCommand() {
    this(System.in, System.out);
  }

  /**
   * @param stdin where control lines are read
   * @param stdout where JSON event lines are written
   */
  public PlayCommand(InputStream stdin, PrintStream stdout) {
    this.stdin = stdin;
    this.stdout = stdout;
  }

  @Parameters(paramLabel = "SOURCE", description = "File or URL to play.")
  String source;

  @Option(names = "--join-out", required = true, description = "File to write the join JSON to (atomically).")
  Path joinOut;

  @Option(names = "--answer-in", required = true, description = "File the answer JSON will appear in.")
  Path answerIn;

  @Option(names = "--seconds", description = "Stop after this many seconds (default: when the source ends).")
  Integer seconds;

  @Option(names = "--answer-timeout", description = "Seconds to wait for the answer file (default: ${DEFAULT-VALUE}).")
  int answerTimeoutSeconds = 120;

  @Option(names = "--loopback", description = "Bind to 127.0.0.1 and accept loopback candidates (local tests).")
  boolean loopback;

  @Option(names = "--ffmpeg", description = "ffmpeg binary (default: ${DEFAULT-VALUE}).")
  Path ffmpeg = Path.of("ffmpeg");

  @CommandLine.Mixin
  EncodeFlags encode = new EncodeFlags();

  @Override
  public Integer call() throws Exception {
    EncodeOptions options = encode.toOptions();
    BlockingQueue<String> ends = new LinkedBlockingQueue<>();
    CompletableFuture<Integer> stop = new CompletableFuture<>();
    CallStats stats;
    VideoStats videoStats;
    String end;
    ControlLines control = new ControlLines(stdout, stop, options);
    stop.thenRun(() -> ends.add("")); // "stop" on stdin ends like the source's end
    try (TgCalls calls = TgCalls.builder()
        .ffmpegPath(ffmpeg)
        .networkOptions(loopback ? NetworkOptions.loopbackOnly() : NetworkOptions.defaults())
        .streamListener((chat, error) -> {
          control.print(ControlLines.streamEndEvent(error));
          ends.add(error == null ? "" : Main.oneLine(error));
        })
        .connectionListener((chat, state, cause) -> {
          control.print(ControlLines.connectionEvent(state, cause));
          if (state == ConnectionState.FAILED || state == ConnectionState.TIMEOUT) {
            ends.add(cause == null ? "the connection failed" : Main.oneLine(cause));
          }
        })
        .build()) {
      // The handle, not the chat id: a failed call leaves the client's registry, and its cause
      // and last statistics are still to be printed.
      GroupCall call = calls.createGroupCall(CHAT_ID);
      MediaSource media = Main.parseSource(source, options);
      if (options.hasVideo()) {
        // the join declares the video SSRCs only for a video source set before it is taken;
        // ffmpeg starts now and waits, its output buffered, until the call connects
        call.setSource(media);
      }
      // an answer file left from an earlier call answers an older join: wait for a new one
      String stale = AnswerFile.read(answerIn);
      writeAtomically(joinOut, call.joinJson());
      String answer = AnswerFile.await(answerIn, stale, answerTimeoutSeconds * 1000L);
      if (!options.hasVideo()) {
        call.setSource(media);
      }
      try {
        call.connect(answer);
        Thread reader = new Thread(() -> control.readAll(stdin, call), "tgcalls4j-stdin");
        reader.setDaemon(true);
        reader.start();
        end = seconds == null ? ends.take() : ends.poll(seconds, TimeUnit.SECONDS);
      } catch (TgCallsException e) {
        end = Main.oneLine(e); // the connect failed; its statistics are still printed
      } finally {
        stop.complete(0); // the stdin reader ignores whatever comes after the command ended
      }
      stats = call.stats();
      videoStats = options.hasVideo() ? call.videoStats() : null;
      call.stop();
    } // the client's close delivers the events still queued (CLOSED): stats come last
    control.print(statsEvent(stats, videoStats));
    if (end != null && !end.isEmpty()) {
      System.err.println("error: " + end);
      return 1;
    }
    return stats.packetsSent() > 0 ? 0 : 1;
  }

  /**
   * The call's counters as one event; the remote report only when the SFU sent one, the video's
   * counters only with {@code --video}.
   */
  private static JsonObject statsEvent(CallStats stats, VideoStats video) {
    JsonObject o = ControlLines.event("stats");
    o.addProperty("connect_to_first_packet_ms", stats.connectToFirstPacketMillis());
    o.addProperty("packets_sent", stats.packetsSent());
    o.addProperty("payload_bytes_sent", stats.payloadBytesSent());
    o.addProperty("rtcp_sent", stats.rtcpPacketsSent());
    o.addProperty("media_ms", stats.mediaTimeMillis());
    o.addProperty("packets_received", stats.packetsReceived());
    o.addProperty("rtcp_received", stats.rtcpPacketsReceived());
    o.addProperty("dropped_incoming", stats.droppedIncoming());
    o.addProperty("pacing_lateness_p50_us", stats.pacing().latenessP50Micros());
    o.addProperty("pacing_lateness_p99_us", stats.pacing().latenessP99Micros());
    o.addProperty("pacing_lateness_max_us", stats.pacing().latenessMaxMicros());
    if (stats.remoteFractionLost() >= 0) {
      o.addProperty("remote_fraction_lost", stats.remoteFractionLost());
      o.addProperty("remote_jitter_ms", stats.remoteJitterMillis());
    }
    if (video != null) {
      o.addProperty("video_frames_sent", video.framesSent());
      o.addProperty("video_key_frames_sent", video.keyFramesSent());
      o.addProperty("video_packets_sent", video.packetsSent());
      o.addProperty("video_payload_bytes_sent", video.payloadBytesSent());
    }
    return o;
  }

  private static void writeAtomically(Path file, String text) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir)) {
      // else createTempFile fails naming only the temporary file it could not create
      throw new NoSuchFileException(dir.toString(), null,
          "the directory of --join-out does not exist");
    }
    Path tmp = Files.createTempFile(dir, ".join-", ".tmp");
    try {
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
