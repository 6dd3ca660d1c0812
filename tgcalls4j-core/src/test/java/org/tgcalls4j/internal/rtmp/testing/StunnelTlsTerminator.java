package org.tgcalls4j.internal.rtmp.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * stunnel4 as a child process terminating TLS on 127.0.0.1 and forwarding plain TCP to a backend
 * port (e.g. {@link NginxRtmpServer}), with a fresh self-signed certificate for {@code localhost}
 * and 127.0.0.1 made by openssl. {@link #close()} stops it and deletes its temp directory.
 */
public final class StunnelTlsTerminator implements AutoCloseable {
  private final Path dir;
  private final int port;
  private final Process process;

  private StunnelTlsTerminator(Path dir, int port, Process process) {
    this.dir = dir;
    this.port = port;
    this.process = process;
  }

  /**
   * Makes the certificate, starts stunnel and waits until it listens.
   *
   * @throws IOException when openssl or stunnel fails (with their logs); nothing is left running
   */
  public static StunnelTlsTerminator start(int backendPort) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("stunnel");
    try {
      run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
          "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
          "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString());
    } catch (IOException e) {
      NginxRtmpServer.deleteRecursively(dir);
      throw e;
    }
    int port = NginxRtmpServer.freePort();
    Files.writeString(dir.resolve("stunnel.conf"),
        "foreground = yes\n"
            + "pid = " + dir.resolve("stunnel.pid") + "\n"
            + "output = " + dir.resolve("stunnel.log") + "\n"
            + "[rtmps]\n"
            + "accept = 127.0.0.1:" + port + "\n"
            + "connect = 127.0.0.1:" + backendPort + "\n"
            + "cert = " + dir.resolve("cert.pem") + "\n"
            + "key = " + dir.resolve("key.pem") + "\n");
    Process process = new ProcessBuilder("stunnel4", dir.resolve("stunnel.conf").toString())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("stdout.log").toFile())
        .start();
    StunnelTlsTerminator stunnel = new StunnelTlsTerminator(dir, port, process);
    try {
      NginxRtmpServer.waitForPort(process, port, Duration.ofSeconds(10));
    } catch (IOException | InterruptedException | RuntimeException e) {
      String log = stunnel.log();
      stunnel.close();
      throw new IOException("stunnel did not start: " + e.getMessage() + "\n" + log, e);
    }
    return stunnel;
  }

  private static void run(Path dir, String... command) throws IOException, InterruptedException {
    Path log = dir.resolve(command[0] + ".log");
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IOException(String.join(" ", command) + " failed: " + Files.readString(log));
      }
    } finally {
      NginxRtmpServer.stop(process);
    }
  }

  /** @return the TLS port on 127.0.0.1 */
  public int port() {
    return port;
  }

  /** @return a client socket factory that trusts exactly this terminator's certificate */
  public SSLSocketFactory trustingSocketFactory() throws Exception {
    Certificate certificate;
    try (InputStream in = Files.newInputStream(dir.resolve("cert.pem"))) {
      certificate = CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    trust.setCertificateEntry("stunnel", certificate);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context.getSocketFactory();
  }

  /** @return stunnel's log so far */
  public String log() {
    try {
      Path log = dir.resolve("stunnel.log");
      return (Files.exists(log) ? Files.readString(log) : "") + Files.readString(dir.resolve("stdout.log"));
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  /** Stops stunnel and deletes the temp directory. */
  @Override
  public void close() {
    NginxRtmpServer.stop(process);
    NginxRtmpServer.deleteRecursively(dir);
  }
}
