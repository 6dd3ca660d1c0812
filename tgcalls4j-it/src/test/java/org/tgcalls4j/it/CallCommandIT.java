package org.tgcalls4j.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.tgcalls4j.cli.Main;
import org.tgcalls4j.testsfu.Audio;

/** {@code tgcalls4j call}, driven through a TCP signaling pipe by the shared private-call peer. */
@ExtendWith(LeakCheck.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CallCommandIT {
  @TempDir Path dir;

  @BeforeAll
  static void requirePeer() {
    assumeThat(AiortcSfu.available()).as("Debian python3-aiortc installed").isTrue();
    assumeThat(P2pPeer.script()).as("../shared/peers/p2p/p2p_peer.py beside the checkout").isNotNull();
  }

  @Test
  void calleeOverTcpHearsThePeerAndIsHeard() throws Exception {
    byte[] key = new byte[256];
    new SecureRandom().nextBytes(key);
    Path keyFile = dir.resolve("key.hex");
    Files.writeString(keyFile, HexFormat.of().formatHex(key));
    Path tone = Media.tone(dir, "tone.ogg", 440, 10);
    Path wav = dir.resolve("heard.wav");
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    PrintStream original = System.out;
    System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
    Process peer = null;
    try {
      final int listenPort = port;
      CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> Main.run("call",
          tone.toString(), "--role", "callee", "--key", keyFile.toString(), "--signaling",
          "tcp-listen:127.0.0.1:" + listenPort, "--version", "9.0.0", "--record", wav.toString(),
          "--seconds", "6", "--loopback"));
      Path out = dir.resolve("peer");
      Files.createDirectories(out);
      List<String> cmd = new ArrayList<>(List.of(AiortcSfu.PYTHON.toString(), P2pPeer.script().toString(),
          "--role", "caller", "--key", keyFile.toString(), "--tcp-connect", "127.0.0.1:" + port,
          "--version", "9.0.0", "--out", out.toString(), "--seconds", "4", "--linger", "6",
          "--timeout", "30")); // it records 4 s and stays on the line while we end the call
      peer = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(out.resolve("peer.log").toFile()).start();
      assertThat(exit.get(60, TimeUnit.SECONDS)).as("exit code; stdout: %s", stdout).isZero();
      assertThat(peer.waitFor(30, TimeUnit.SECONDS)).isTrue();
      JsonObject report = JsonParser.parseString(Files.readString(out.resolve("report.json")))
          .getAsJsonObject();
      assertThat(report.get("dominant_hz").getAsDouble()).as("the peer heard").isCloseTo(440, Offset.offset(2.0));

      List<String> lines = stdout.toString(StandardCharsets.UTF_8).lines().toList();
      assertThat(lines).anyMatch(l -> l.equals("{\"event\":\"state\",\"state\":\"CONNECTED\"}"));
      JsonObject end = JsonParser.parseString(lines.get(lines.size() - 1)).getAsJsonObject();
      assertThat(end.get("event").getAsString()).isEqualTo("end");
      assertThat(end.get("packets_received").getAsLong()).isGreaterThan(100);
      assertThat(end.get("dominant_hz").getAsDouble()).isCloseTo(523.25, Offset.offset(2.0));
      Wav heard = Wav.read(wav);
      assertThat(Audio.dominantFrequencyHz(heard.samples(), heard.channels(), heard.sampleRateHz()))
          .isCloseTo(523.25, Offset.offset(2.0));
    } finally {
      System.setOut(original);
      if (peer != null && peer.isAlive()) {
        peer.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void aBadKeyFileIsNamed() throws Exception {
    Path keyFile = dir.resolve("key.hex");
    Files.writeString(keyFile, "00ff");
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    PrintStream original = System.err;
    System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
    try {
      assertThat(Main.run("call", "x.ogg", "--role", "caller", "--key", keyFile.toString()))
          .isEqualTo(1);
    } finally {
      System.setErr(original);
    }
    assertThat(stderr.toString(StandardCharsets.UTF_8))
        .contains("holds 2 bytes; the call key is 256 bytes");
  }
}
