package org.tgcalls4j.it;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The shared pion sink ({@code ../shared/peers/pion/sink}: a Telegram-SFU-shaped receiver on
 * pion/webrtc v3, serving many group calls at once) as a child process. Built on first use into
 * {@code target/pion} with the peers' own {@code build.sh} (Debian's {@code golang-go} and
 * {@code golang-github-pion-webrtc.v3-dev}, offline), rebuilt when its source is newer.
 *
 * <p>It runs with {@code PION_LOG_INFO=srtp}, so pion's SRTP session logs every packet it drops
 * (failed authentication, replay) to the sink's log, where {@link #logLines()} finds them: the
 * sink itself counts neither. An RTP packet on an SSRC the join did not declare is logged by pion
 * at its default level ({@code Incoming unhandled RTP ssrc(N)}) and never reaches the sink's own
 * counters.
 */
final class PionSink implements AutoCloseable {
  private static final String DEBIAN_PACKAGES = "golang-go golang-github-pion-webrtc.v3-dev";
  private static final Path PION_SOURCE = Path.of("/usr/share/gocode/src/github.com/pion/webrtc");

  private final Process process;
  private final String url;
  private final Path log;

  private PionSink(Process process, String url, Path log) {
    this.process = process;
    this.url = url;
    this.log = log;
  }

  /** @return {@code shared/peers/pion}, found beside the checkout (or above it), or null */
  static Path peers() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("shared/peers/pion");
      if (Files.isRegularFile(candidate.resolve("build.sh"))
          && Files.isRegularFile(candidate.resolve("sink/main.go"))) {
        return candidate;
      }
    }
    return null;
  }

  /**
   * Builds the sink into {@code target/pion} unless an up-to-date binary is there.
   *
   * @return the sink binary
   * @throws AssertionError naming what is missing (the peers, go, pion's Debian package) or why the
   *     build failed
   */
  static synchronized Path binary() throws IOException, InterruptedException {
    Path peers = peers();
    if (peers == null) {
      throw new AssertionError("the pion peers are not beside the checkout: no shared/peers/pion"
          + " above " + Path.of("").toAbsolutePath());
    }
    Path out = Path.of("target/pion").toAbsolutePath();
    Path sink = out.resolve("sink");
    Path source = peers.resolve("sink/main.go");
    if (Files.isExecutable(sink)
        && Files.getLastModifiedTime(sink).compareTo(Files.getLastModifiedTime(source)) >= 0) {
      return sink;
    }
    if (!onPath("go") || !Files.isDirectory(PION_SOURCE)) {
      throw new AssertionError("building the pion sink needs `go` on the PATH and " + PION_SOURCE
          + ": apt-get install " + DEBIAN_PACKAGES + " (./run-tests installs them)");
    }
    Files.createDirectories(out);
    Path buildLog = out.resolve("build.log");
    Process build = new ProcessBuilder("bash", peers.resolve("build.sh").toString(), out.toString())
        .redirectErrorStream(true).redirectOutput(buildLog.toFile()).start();
    if (!build.waitFor(5, TimeUnit.MINUTES)) {
      build.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError("building the pion sink took over 5 minutes: " + Files.readString(buildLog));
    }
    if (build.exitValue() != 0 || !Files.isExecutable(sink)) {
      throw new AssertionError("building the pion sink failed (exit " + build.exitValue() + "): "
          + Files.readString(buildLog));
    }
    return sink;
  }

  private static boolean onPath(String command) {
    String path = System.getenv("PATH");
    for (String dir : (path == null ? "" : path).split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }

  /** Starts a fresh sink on a free 127.0.0.1 port, logging to {@code logFile}; waits for /health. */
  static PionSink start(Path binary, Path logFile) throws IOException, InterruptedException {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    ProcessBuilder pb = new ProcessBuilder(binary.toString(), "-http", "127.0.0.1:" + port)
        .redirectErrorStream(true).redirectOutput(logFile.toFile());
    pb.environment().put("PION_LOG_INFO", "srtp");
    Process p = pb.start();
    PionSink sink = new PionSink(p, "http://127.0.0.1:" + port, logFile);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try {
        sink.get("/health");
        return sink;
      } catch (IOException e) {
        if (!p.isAlive() || System.nanoTime() > deadline) {
          sink.close();
          throw new IOException("the pion sink did not answer on port " + port + ": "
              + Files.readString(logFile), e);
        }
        Thread.sleep(50);
      }
    }
  }

  /**
   * Joins one call: {@code POST /join} with the join JSON. The sink numbers calls (for
   * {@link #dump}) in the order their answers are returned, so callers that need the number must
   * not join concurrently.
   *
   * @return the answer JSON
   */
  String join(String joinJson) throws IOException {
    HttpURLConnection c = open("/join", 30_000);
    c.setRequestMethod("POST");
    c.setDoOutput(true);
    c.setRequestProperty("Content-Type", "application/json");
    try (OutputStream out = c.getOutputStream()) {
      out.write(joinJson.getBytes(StandardCharsets.UTF_8));
    }
    return read(c);
  }

  /**
   * {@code GET /stats} for packets that arrived from {@code fromMillis} (wall clock) until now; its
   * CPU figure is since the last {@code GET /mark}.
   */
  JsonObject stats(long fromMillis) throws IOException {
    return JsonParser.parseString(get("/stats?from_ms=" + fromMillis)).getAsJsonObject();
  }

  /** One received packet as {@code GET /dump} lists it. */
  record Packet(double arrivalMillis, long sequence, double mediaMillis) {}

  /**
   * {@code GET /dump?call=I}: call {@code index}'s packets in arrival order; sequence numbers
   * (unwrapped) and media time relative to its first packet.
   */
  List<Packet> dump(int index) throws IOException {
    List<Packet> packets = new ArrayList<>();
    for (String line : get("/dump?call=" + index).split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.trim().split(" ");
      packets.add(new Packet(Double.parseDouble(f[0]), Long.parseLong(f[1]), Double.parseDouble(f[2])));
    }
    return packets;
  }

  /** @return the sink's log so far (its own lines and pion's) */
  List<String> logLines() throws IOException {
    return Files.readAllLines(log);
  }

  String get(String path) throws IOException {
    return read(open(path, 60_000));
  }

  private HttpURLConnection open(String path, int readTimeoutMillis) throws IOException {
    HttpURLConnection c = (HttpURLConnection) URI.create(url + path).toURL().openConnection();
    c.setConnectTimeout(5_000);
    c.setReadTimeout(readTimeoutMillis);
    // no keep-alive: a cached connection would outlive the test as an open socket
    c.setRequestProperty("Connection", "close");
    return c;
  }

  private static String read(HttpURLConnection c) throws IOException {
    try {
      int code = c.getResponseCode();
      try (InputStream in = code < 400 ? c.getInputStream() : c.getErrorStream()) {
        String text = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        if (code != 200) {
          throw new IOException("HTTP " + code + " from " + c.getURL().getPath() + ": " + text.trim());
        }
        return text;
      }
    } finally {
      c.disconnect();
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }
}
