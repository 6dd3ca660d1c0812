package org.tgcalls4j.internal.rtmp.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real nginx with Debian's RTMP module (libnginx-mod-rtmp) as a child process on 127.0.0.1 and
 * a free port, recording everything published to application {@code live} under
 * {@link #recordDir()} as chosen by {@link Recording}. Single process ({@code daemon off;
 * master_process off;}), everything in a temp directory that {@link #close()} deletes after
 * stopping the process.
 */
public final class NginxRtmpServer implements AutoCloseable {
  /** How sessions are recorded. */
  public enum Recording {
    /**
     * {@code <stream name>.flv}, a later session of the same name appended ({@code record_append
     * on}; nginx-rtmp shifts its timestamps to follow the file's last one).
     */
    APPEND_PER_NAME("record_append on;"),
    /** One file per session: {@code <stream name>-<unix seconds>.flv} ({@code record_unique}). */
    FILE_PER_SESSION("record_unique on;");

    private final String directive;

    Recording(String directive) {
      this.directive = directive;
    }
  }

  public static final Path NGINX = Path.of("/usr/sbin/nginx");
  public static final Path RTMP_MODULE = Path.of("/usr/lib/nginx/modules/ngx_rtmp_module.so");

  private final Path dir;
  private final int port;
  private final Process process;

  private NginxRtmpServer(Path dir, int port, Process process) {
    this.dir = dir;
    this.port = port;
    this.process = process;
  }

  /** {@link #start(Recording)} with {@link Recording#APPEND_PER_NAME}. */
  public static NginxRtmpServer start() throws IOException, InterruptedException {
    return start(Recording.APPEND_PER_NAME);
  }

  /**
   * Writes the config, starts nginx and waits until it accepts TCP connections.
   *
   * @throws IOException when nginx cannot be started or does not listen within 10 s (the message
   *     carries its error log); nothing is left running
   */
  public static NginxRtmpServer start(Recording recording)
      throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("nginx-rtmp");
    Files.createDirectories(dir.resolve("record"));
    int port = freePort();
    String conf =
        "load_module " + RTMP_MODULE + ";\n"
            + "daemon off;\n"
            + "master_process off;\n"
            + "pid " + dir.resolve("nginx.pid") + ";\n"
            + "error_log " + dir.resolve("error.log") + " info;\n"
            + "events { worker_connections 64; }\n"
            + "rtmp {\n"
            + "  server {\n"
            + "    listen 127.0.0.1:" + port + ";\n"
            + "    chunk_size 4096;\n"
            + "    access_log " + dir.resolve("access.log") + ";\n"
            + "    application live {\n"
            + "      live on;\n"
            + "      record all;\n"
            + "      record_path " + dir.resolve("record") + ";\n"
            + "      " + recording.directive + "\n"
            + "    }\n"
            + "  }\n"
            + "}\n";
    Path confFile = dir.resolve("nginx.conf");
    Files.writeString(confFile, conf);
    Process process =
        new ProcessBuilder(
                NGINX.toString(), "-p", dir.toString(), "-c", confFile.toString(),
                "-e", dir.resolve("error.log").toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("stdout.log").toFile())
            .start();
    NginxRtmpServer server = new NginxRtmpServer(dir, port, process);
    try {
      waitForPort(process, port, Duration.ofSeconds(10));
    } catch (IOException | InterruptedException | RuntimeException e) {
      String log = server.errorLog();
      server.close();
      throw new IOException("nginx did not start: " + e.getMessage() + "\n" + log, e);
    }
    return server;
  }

  /** Waits until a child process listens on 127.0.0.1:port; fails early if it exits. */
  public static void waitForPort(Process process, int port, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new IOException("process exited with " + process.exitValue());
      }
      try (Socket probe = new Socket()) {
        probe.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          throw new IOException("nothing listens on port " + port + " after " + timeout, e);
        }
        Thread.sleep(50);
      }
    }
  }

  /** @return a TCP port that was free a moment ago */
  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** @return the TCP port nginx listens on (127.0.0.1) */
  public int port() {
    return port;
  }

  /** @return {@code rtmp://127.0.0.1:<port>/live/} */
  public String liveUrl() {
    return "rtmp://127.0.0.1:" + port + "/live/";
  }

  /** @return where recordings go */
  public Path recordDir() {
    return dir.resolve("record");
  }

  /**
   * @return the {@link Recording#APPEND_PER_NAME} recording of one stream name; nginx-rtmp
   *     percent-escapes the name in the file name, so a Telegram-style key {@code 123:abc} is
   *     recorded as {@code 123%3Aabc.flv}
   */
  public Path recording(String streamName) {
    return recordDir().resolve(streamName.replace(":", "%3A") + ".flv");
  }

  /** @return every recording file by name; with {@link Recording#FILE_PER_SESSION} oldest first */
  public List<Path> recordings() throws IOException {
    try (Stream<Path> files = Files.list(recordDir())) {
      return files.sorted().toList();
    }
  }

  /** @return how many publish sessions have started (info-level "publish:" lines, error log) */
  public long startedPublishSessions() {
    return errorLog().lines().filter(line -> line.contains(" publish: name=")).count();
  }

  /**
   * @return how many publish sessions have ended (nginx-rtmp writes one access-log line per
   *     session when it ends; the command column reads PUBLISH)
   */
  public long endedPublishSessions() {
    return accessLog().lines().filter(line -> line.contains(" PUBLISH ")).count();
  }

  /** @return the error log so far, for assertion messages */
  public String errorLog() {
    return log("error.log");
  }

  /** @return the access log so far, for assertion messages */
  public String accessLog() {
    return log("access.log");
  }

  private String log(String name) {
    try {
      Path log = dir.resolve(name);
      return Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "";
    } catch (IOException e) {
      return "(" + name + " unreadable: " + e + ")";
    }
  }

  /** Stops nginx (SIGTERM, then SIGKILL after 5 s) and deletes the temp directory. */
  @Override
  public void close() {
    stop(process);
    deleteRecursively(dir);
  }

  /** Destroys a child process and waits for it: SIGTERM, then SIGKILL after 5 s. */
  public static void stop(Process process) {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** Deletes a directory tree, ignoring failures. */
  public static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: temp files only
    }
  }
}
