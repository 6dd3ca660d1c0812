package org.tgcalls4j.cli;

import com.google.gson.JsonPrimitive;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.tgcalls4j.AudioFrame;
import org.tgcalls4j.CallStats;
import org.tgcalls4j.ConnectionState;
import org.tgcalls4j.IncomingStreamStats;
import org.tgcalls4j.NetworkOptions;
import org.tgcalls4j.PrivateCall;
import org.tgcalls4j.PrivateCallParams;
import org.tgcalls4j.TgCalls;
import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.testsfu.Audio;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tgcalls4j call}: one side of a private call whose signaling blobs travel through a pipe
 * (stdio or TCP) as {@code BE32(length) || blob}, so that a program in any language that speaks
 * MTProto can drive it: it forwards each blob we write to {@code phone.sendSignalingData} and
 * writes each {@code updatePhoneCallSignalingData} blob to us.
 */
@Command(name = "call", mixinStandardHelpOptions = true,
    description = {"Take part in a private call: play SOURCE, hear the other party.",
        "Signaling blobs travel as a 4-byte big-endian length followed by the blob. Connection "
            + "events are printed as JSON lines (on stderr when --signaling is stdio, else on "
            + "stdout), then packets sent/received and the dominant frequency heard."})
final class CallCommand implements Callable<Integer> {
  private static final long USER_ID = 1;
  private static final int MAX_BLOB_BYTES = 1 << 20;

  @Parameters(paramLabel = "SOURCE", description = "File or URL to play.")
  String source;

  @Option(names = "--role", required = true, description = "caller or callee (phoneCall's is_outgoing side).")
  String role;

  @Option(names = "--key", required = true, paramLabel = "KEY_HEX_FILE",
      description = "File with the 256-byte call key in hex (from the key exchange).")
  Path keyFile;

  @Option(names = "--signaling", defaultValue = "stdio", paramLabel = "stdio|tcp-connect:HOST:PORT|tcp-listen:HOST:PORT",
      description = "Where signaling blobs travel (default: ${DEFAULT-VALUE}).")
  String signaling;

  @Option(names = "--version", defaultValue = "8.0.0", description = "Library version of the final phoneCall (default: ${DEFAULT-VALUE}).")
  String version;

  @Option(names = "--record", paramLabel = "OUT.wav", description = "Write what was heard to this WAV file (48 kHz stereo).")
  Path record;

  @Option(names = "--seconds", description = "End the call after this many seconds connected (default: when the source ends).")
  Integer seconds;

  @Option(names = "--timeout", defaultValue = "30", description = "Seconds to wait for the connection (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  @Option(names = "--loopback", description = "Bind to 127.0.0.1 and offer loopback candidates (local tests).")
  boolean loopback;

  @Option(names = "--ffmpeg", description = "ffmpeg binary (default: ${DEFAULT-VALUE}).")
  Path ffmpeg = Path.of("ffmpeg");

  @Override
  public Integer call() throws Exception {
    if (!role.equals("caller") && !role.equals("callee")) {
      throw new IllegalArgumentException("--role must be caller or callee, got \"" + role + "\"");
    }
    byte[] key = readKey(keyFile);
    PrintStream events = signaling.equals("stdio") ? System.err : System.out;
    Heard heard = new Heard();
    BlockingQueue<String> ends = new LinkedBlockingQueue<>();
    try (Pipe pipe = Pipe.open(signaling);
        TgCalls calls = TgCalls.builder()
            .ffmpegPath(ffmpeg)
            .networkOptions(loopback ? NetworkOptions.loopbackOnly() : NetworkOptions.defaults())
            .privateCallTimeout(java.time.Duration.ofSeconds(timeoutSeconds))
            .incomingAudioListener((c, frame) -> heard.add(frame))
            .connectionListener((c, state, cause) -> {
              events.println("{\"event\":\"state\",\"state\":\"" + state + "\""
                  + (cause == null ? "" : ",\"cause\":" + jsonString(Main.oneLine(cause))) + "}");
              if (state == ConnectionState.FAILED) {
                ends.add(cause == null ? "the call failed" : Main.oneLine(cause));
              }
            })
            .streamListener((c, error) -> ends.add(error == null ? "" : Main.oneLine(error)))
            .build()) {
      PrivateCall call = calls.createPrivateCall(USER_ID, (c, blob) -> pipe.write(blob));
      pipe.startReading(call::receiveSignalingData);
      call.setSource(Main.parseSource(source));
      String end;
      try {
        call.connect(PrivateCallParams.of(key, role.equals("caller"), List.of(version)));
        end = seconds == null ? ends.take() : ends.poll(seconds, TimeUnit.SECONDS);
      } catch (TgCallsException e) {
        end = Main.oneLine(e);
      }
      CallStats stats = call.stats();
      call.stop();
      long received = stats.incoming().stream().mapToLong(IncomingStreamStats::packets).sum();
      short[] pcm = heard.pcm();
      double hz = pcm.length < 48_000 ? 0 : Audio.dominantFrequencyHz(pcm, 2, 48_000);
      if (record != null) {
        Audio.writeWav(record, pcm, 2, 48_000);
      }
      events.printf(Locale.ROOT, "{\"event\":\"end\",\"packets_sent\":%d,\"packets_received\":%d,"
          + "\"seconds_heard\":%.2f,\"dominant_hz\":%.1f,\"version\":%s%s}%n", stats.packetsSent(),
          received, pcm.length / 2 / 48_000.0, hz, jsonString(String.valueOf(call.libraryVersion())),
          end == null || end.isEmpty() ? "" : ",\"error\":" + jsonString(end));
      return end == null || end.isEmpty() ? 0 : 1;
    }
  }

  private static byte[] readKey(Path file) throws IOException {
    String hex = Files.readString(file, StandardCharsets.US_ASCII).strip();
    byte[] key;
    try {
      key = HexFormat.of().parseHex(hex);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--key " + file + " is not hex: " + e.getMessage(), e);
    }
    if (key.length != 256) {
      throw new IllegalArgumentException("--key " + file + " holds " + key.length
          + " bytes; the call key is 256 bytes (512 hex digits)");
    }
    return key;
  }

  /** A JSON string literal (Gson's escaping) for the event lines. */
  static String jsonString(String s) {
    return new JsonPrimitive(s).toString();
  }

  /** What was heard: 20 ms frames that arrived (not concealment), as 48 kHz stereo. */
  static final class Heard {
    private final List<short[]> frames = new ArrayList<>();

    synchronized void add(AudioFrame frame) {
      if (frame.concealed()) {
        return;
      }
      short[] s = frame.samples();
      if (frame.channels() == 1) {
        short[] stereo = new short[s.length * 2];
        for (int i = 0; i < s.length; i++) {
          stereo[2 * i] = s[i];
          stereo[2 * i + 1] = s[i];
        }
        s = stereo;
      }
      frames.add(s);
    }

    synchronized short[] pcm() {
      short[] all = new short[frames.stream().mapToInt(f -> f.length).sum()];
      int at = 0;
      for (short[] f : frames) {
        System.arraycopy(f, 0, all, at, f.length);
        at += f.length;
      }
      return all;
    }
  }

  /** The signaling pipe: stdio or one TCP connection, framed as BE32 length + blob. */
  static final class Pipe implements AutoCloseable {
    private final DataInputStream in;
    private final DataOutputStream out;
    private final AutoCloseable resource;
    private Thread reader;

    private Pipe(InputStream in, OutputStream out, AutoCloseable resource) {
      this.in = new DataInputStream(in);
      this.out = new DataOutputStream(out);
      this.resource = resource;
    }

    static Pipe open(String spec) throws IOException {
      if (spec.equals("stdio")) {
        return new Pipe(System.in, System.out, () -> { });
      }
      int colon = spec.indexOf(':');
      int last = spec.lastIndexOf(':');
      if (colon < 0 || last == colon) {
        throw new IllegalArgumentException("--signaling must be stdio, tcp-connect:HOST:PORT or "
            + "tcp-listen:HOST:PORT, got \"" + spec + "\"");
      }
      String mode = spec.substring(0, colon);
      String host = spec.substring(colon + 1, last);
      int port;
      try {
        port = Integer.parseInt(spec.substring(last + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--signaling: bad port in \"" + spec + "\"");
      }
      InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(host), port);
      switch (mode) {
        case "tcp-connect": {
          Socket s = new Socket();
          try {
            s.connect(address, 10_000);
          } catch (IOException e) {
            s.close();
            throw new IOException("cannot connect the signaling pipe to " + host + ":" + port
                + ": " + e.getMessage(), e);
          }
          return new Pipe(s.getInputStream(), s.getOutputStream(), s);
        }
        case "tcp-listen": {
          try (ServerSocket server = new ServerSocket()) {
            server.bind(address, 1);
            server.setSoTimeout(120_000);
            Socket s = server.accept();
            return new Pipe(s.getInputStream(), s.getOutputStream(), s);
          } catch (java.net.SocketTimeoutException e) {
            throw new IOException("nobody connected to the signaling pipe on " + host + ":" + port
                + " within 120 s", e);
          } catch (IOException e) {
            throw new IOException("cannot listen for the signaling pipe on " + host + ":" + port
                + ": " + e.getMessage(), e);
          }
        }
        default:
          throw new IllegalArgumentException("--signaling mode must be stdio, tcp-connect or "
              + "tcp-listen, got \"" + mode + "\"");
      }
    }

    synchronized void write(byte[] blob) {
      try {
        out.writeInt(blob.length);
        out.write(blob);
        out.flush();
      } catch (IOException e) {
        // the other end went away; the call's own timeout or consent check ends it
      }
    }

    void startReading(java.util.function.Consumer<byte[]> sink) {
      reader = new Thread(() -> {
        try {
          while (true) {
            int length = in.readInt();
            if (length < 0 || length > MAX_BLOB_BYTES) {
              System.err.println("error: signaling frame of " + length + " bytes; the pipe is out of step");
              return;
            }
            byte[] blob = new byte[length];
            in.readFully(blob);
            sink.accept(blob);
          }
        } catch (EOFException e) {
          // the other end closed
        } catch (IOException e) {
          // closed
        }
      }, "tgcalls4j-cli-signaling");
      reader.setDaemon(true);
      reader.start();
    }

    @Override
    public void close() throws Exception {
      resource.close();
    }
  }
}
