package org.tgcalls4j.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.tgcalls4j.CallStats;
import org.tgcalls4j.ConnectionState;
import org.tgcalls4j.GroupCall;
import org.tgcalls4j.NetworkOptions;
import org.tgcalls4j.TgCalls;
import org.tgcalls4j.TgCallsException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tgcalls4j play}: joins a group call through two files, so that a bot in any language (or
 * a test) drives the MTProto side: we write the join JSON, it writes the SFU's answer.
 */
@Command(name = "play", mixinStandardHelpOptions = true,
    description = "Write the phone.joinGroupCall params to --join-out, wait for the answer "
        + "(updateGroupCallConnection params) in --answer-in, connect and stream SOURCE.")
final class PlayCommand implements Callable<Integer> {
  private static final long CHAT_ID = 1;

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

  @Override
  public Integer call() throws Exception {
    BlockingQueue<String> ends = new LinkedBlockingQueue<>();
    try (TgCalls calls = TgCalls.builder()
        .ffmpegPath(ffmpeg)
        .networkOptions(loopback ? NetworkOptions.loopbackOnly() : NetworkOptions.defaults())
        .streamListener((chat, error) -> ends.add(error == null ? "" : Main.oneLine(error)))
        .connectionListener((chat, state, cause) -> {
          if (state == ConnectionState.FAILED) {
            ends.add(cause == null ? "the connection failed" : Main.oneLine(cause));
          }
        })
        .build()) {
      // The handle, not the chat id: a failed call leaves the client's registry, and its cause
      // and last statistics are still to be printed.
      GroupCall call = calls.createGroupCall(CHAT_ID);
      // an answer file left from an earlier call answers an older join: wait for a new one
      String stale = AnswerFile.read(answerIn);
      writeAtomically(joinOut, call.joinJson());
      String answer = AnswerFile.await(answerIn, stale, answerTimeoutSeconds * 1000L);
      call.setSource(Main.parseSource(source));
      String end;
      try {
        call.connect(answer);
        end = seconds == null ? ends.take() : ends.poll(seconds, TimeUnit.SECONDS);
      } catch (TgCallsException e) {
        end = Main.oneLine(e); // the connect failed; its statistics are still printed
      }
      CallStats stats = call.stats();
      call.stop();
      printStats(stats);
      if (end != null && !end.isEmpty()) {
        System.err.println("error: " + end);
        return 1;
      }
      return stats.packetsSent() > 0 ? 0 : 1;
    }
  }

  private static void printStats(CallStats stats) {
    System.out.printf(Locale.ROOT, "connect -> first packet: %d ms%n", stats.connectToFirstPacketMillis());
    System.out.printf(Locale.ROOT, "packets sent: %d (%d payload bytes), RTCP sent: %d%n",
        stats.packetsSent(), stats.payloadBytesSent(), stats.rtcpPacketsSent());
    System.out.printf(Locale.ROOT, "audio sent: %.2f s%n", stats.mediaTimeMillis() / 1000.0);
    System.out.printf(Locale.ROOT, "packets received: %d, RTCP received: %d, dropped: %d%n",
        stats.packetsReceived(), stats.rtcpPacketsReceived(), stats.droppedIncoming());
    if (stats.remoteFractionLost() >= 0) {
      System.out.printf(Locale.ROOT, "remote report: loss %.1f %%, jitter %.2f ms%n",
          100 * stats.remoteFractionLost(), stats.remoteJitterMillis());
    }
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
