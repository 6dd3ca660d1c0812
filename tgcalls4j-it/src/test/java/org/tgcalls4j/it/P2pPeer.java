package org.tgcalls4j.it;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The shared tgcalls-compatible private-call peer ({@code ../shared/peers/p2p/p2p_peer.py}: aiortc
 * media, signaling checked against tgcalls' own code) as the other party of a call. Its signaling
 * blobs travel over a loopback TCP socket as {@code BE32(length) || blob}; it writes
 * {@code report.json} and {@code received.wav} into its output directory when it ends.
 */
final class P2pPeer implements AutoCloseable {
  private final Process process;
  private final Socket socket;
  private final DataOutputStream out;
  private final Path outDir;
  private final Thread reader;

  private P2pPeer(Process process, Socket socket, Path outDir, Consumer<byte[]> onBlob) throws IOException {
    this.process = process;
    this.socket = socket;
    this.outDir = outDir;
    this.out = new DataOutputStream(socket.getOutputStream());
    DataInputStream in = new DataInputStream(socket.getInputStream());
    this.reader = new Thread(() -> {
      try {
        while (true) {
          int length = in.readInt();
          if (length < 0 || length > 1 << 20) {
            return;
          }
          byte[] blob = new byte[length];
          in.readFully(blob);
          onBlob.accept(blob);
        }
      } catch (EOFException e) {
        // the peer ended
      } catch (IOException e) {
        // closed
      }
    }, "p2p-peer-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /** @return the peer's script, found beside the checkout ({@code ../shared/peers/p2p}), or null */
  static Path script() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("shared/peers/p2p/p2p_peer.py");
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  /**
   * Starts the peer and connects to its signaling socket.
   *
   * @param role "caller" or "callee"
   * @param keyHex the call key as a hex file
   * @param extraArgs more arguments (--version, --offer-after-setup, --seconds, --tone ...)
   * @param onBlob receives each blob the peer sends, on a reader thread
   */
  static P2pPeer start(Path outDir, String role, Path keyHex, List<String> extraArgs,
      Consumer<byte[]> onBlob) throws IOException, InterruptedException {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    Files.createDirectories(outDir);
    List<String> cmd = new ArrayList<>(List.of(AiortcSfu.PYTHON.toString(), script().toString(),
        "--role", role, "--key", keyHex.toString(), "--tcp-listen", "127.0.0.1:" + port,
        "--out", outDir.toString()));
    cmd.addAll(extraArgs);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(outDir.resolve("peer.log").toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      Socket s = new Socket();
      try {
        s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
        return new P2pPeer(p, s, outDir, onBlob);
      } catch (IOException e) {
        s.close();
        if (!p.isAlive() || System.nanoTime() > deadline) {
          p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
          throw new IOException("the p2p peer did not listen on port " + port + ": "
              + Files.readString(outDir.resolve("peer.log")), e);
        }
        Thread.sleep(100);
      }
    }
  }

  /** Sends one blob to the peer (ignored once its socket closed). */
  synchronized void send(byte[] blob) {
    try {
      out.writeInt(blob.length);
      out.write(blob);
      out.flush();
    } catch (IOException e) {
      // the peer ended; the test's assertions say why
    }
  }

  /** Waits for the peer to exit and returns its report. */
  JsonObject awaitReport(long timeoutMillis) throws IOException, InterruptedException {
    if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
      throw new AssertionError("the p2p peer did not finish within " + timeoutMillis + " ms: "
          + Files.readString(outDir.resolve("peer.log")));
    }
    Path report = outDir.resolve("report.json");
    if (!Files.exists(report)) {
      throw new AssertionError("the p2p peer wrote no report: " + Files.readString(outDir.resolve("peer.log")));
    }
    return JsonParser.parseString(Files.readString(report)).getAsJsonObject();
  }

  Path outDir() {
    return outDir;
  }

  @Override
  public void close() throws IOException, InterruptedException {
    try {
      socket.close();
    } finally {
      process.destroy();
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
      reader.join(5000);
    }
  }
}
