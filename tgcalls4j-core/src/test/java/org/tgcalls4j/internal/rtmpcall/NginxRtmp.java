package org.tgcalls4j.internal.rtmpcall;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian's nginx with the RTMP module on 127.0.0.1, application {@code live}, recording every
 * published stream to {@code <dir>/rec/<name>.flv} (appending across sessions), or to one file
 * per session ({@code <name>-<unix seconds>.flv}). One process
 * ({@code master_process off}) so that stopping it leaves nothing behind.
 *
 * <p>Local copy until branch rtmpwire's {@code internal.rtmp.testing.NginxRtmpServer} is merged;
 * then this should be replaced by that one.
 */
final class NginxRtmp implements AutoCloseable {
  private static final String MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so";

  private final Path dir;
  private final int port;
  private final Process process;

  private NginxRtmp(Path dir, int port, Process process) {
    this.dir = dir;
    this.port = port;
    this.process = process;
  }

  static NginxRtmp start(Path dir, boolean filePerSession)
      throws IOException, InterruptedException {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    Files.createDirectories(dir.resolve("rec"));
    String conf = "load_module " + MODULE + ";\n"
        + "daemon off;\nmaster_process off;\n"
        + "error_log " + dir.resolve("error.log") + " info;\n"
        + "pid " + dir.resolve("nginx.pid") + ";\n"
        + "events { worker_connections 64; }\n"
        + "rtmp {\n"
        + "  access_log " + dir.resolve("access.log") + ";\n"
        + "  server {\n"
        + "    listen 127.0.0.1:" + port + ";\n"
        + "    chunk_size 4096;\n"
        + "    application live { live on; record all; record_path " + dir.resolve("rec")
        + (filePerSession ? "; record_unique on; }\n" : "; record_append on; }\n")
        + "  }\n"
        + "}\n";
    Files.writeString(dir.resolve("nginx.conf"), conf);
    Process p = new ProcessBuilder("nginx", "-p", dir.toString(), "-c",
        dir.resolve("nginx.conf").toString(), "-e", dir.resolve("error.log").toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
    NginxRtmp nginx = new NginxRtmp(dir, port, p);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return nginx;
      } catch (IOException notYet) {
        if (!p.isAlive() || System.nanoTime() > deadline) {
          nginx.close();
          throw new IOException("nginx did not start: " + Files.readString(dir.resolve("nginx.out")));
        }
        Thread.sleep(50);
      }
    }
  }

  int port() {
    return port;
  }

  /** @return the URL of the {@code live} application, without stream name */
  String url() {
    return "rtmp://127.0.0.1:" + port + "/live";
  }

  Path recording(String streamName) {
    return dir.resolve("rec").resolve(streamName + ".flv");
  }

  /** @return every recording file, oldest first */
  List<Path> recordings() throws IOException {
    try (Stream<Path> files = Files.list(dir.resolve("rec"))) {
      return files.sorted().toList();
    }
  }

  /** @return how many publish sessions nginx has started (its info-level "publish:" lines) */
  int publishSessions() throws IOException {
    return (int) log().lines().filter(l -> l.contains(" publish: name=")).count();
  }

  /** @return how many publish sessions have ended (PUBLISH lines of the access log) */
  int endedPublishSessions() throws IOException {
    Path access = dir.resolve("access.log");
    return Files.exists(access)
        ? (int) Files.readAllLines(access).stream().filter(l -> l.contains(" PUBLISH ")).count()
        : 0;
  }

  String log() throws IOException {
    return Files.readString(dir.resolve("error.log"), StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
