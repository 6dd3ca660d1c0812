package org.tgcalls4j.it;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * coturn (Debian {@code coturn}) as a TURN server on 127.0.0.1 with one long-term-credential
 * user, loopback peers allowed (it refuses them by default) and every address but 127.0.0.1
 * denied as a peer.
 */
final class Coturn implements AutoCloseable {
  static final Path BINARY = Path.of("/usr/bin/turnserver");
  static final String USER = "tgcalls4j";
  static final String PASSWORD = "relay-secret";
  static final String REALM = "tgcalls4j.test";

  private final Process process;
  private final Path log;
  final int port;

  private Coturn(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  static boolean available() {
    return Files.isExecutable(BINARY);
  }

  static Coturn start(Path dir) throws IOException, InterruptedException {
    int port;
    try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    int minPort = 40_000 + (port % 2_000) * 10;
    Path log = dir.resolve("coturn.log");
    Process p = new ProcessBuilder(List.of(BINARY.toString(), "-n", "--listening-ip=127.0.0.1",
        "--relay-ip=127.0.0.1", "--listening-port=" + port, "--min-port=" + minPort,
        "--max-port=" + (minPort + 9), "--lt-cred-mech", "--user=" + USER + ":" + PASSWORD,
        "--realm=" + REALM, "--no-tls", "--no-dtls", "--no-cli", "--allow-loopback-peers",
        "--denied-peer-ip=0.0.0.0-127.0.0.0", "--denied-peer-ip=127.0.0.2-255.255.255.255",
        "--log-file=" + log, "--simple-log", "--verbose"))
        .redirectErrorStream(true).redirectOutput(dir.resolve("coturn.out").toFile()).start();
    Coturn c = new Coturn(p, log, port);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) { // it logs its listeners once it is up
      if (!p.isAlive()) {
        throw new IOException("coturn exited: " + c.log());
      }
      if (c.log().contains("Total General servers")) {
        return c;
      }
      Thread.sleep(50);
    }
    return c;
  }

  /** @return coturn's log so far */
  String log() throws IOException {
    StringBuilder all = new StringBuilder();
    try (var files = Files.list(log.getParent())) {
      for (Path f : files.filter(f -> f.getFileName().toString().startsWith("coturn")).toList()) {
        all.append(Files.readString(f));
      }
    }
    return all.toString();
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }
}
