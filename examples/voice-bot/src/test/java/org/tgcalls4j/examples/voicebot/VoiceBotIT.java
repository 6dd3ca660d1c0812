package org.tgcalls4j.examples.voicebot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.tgcalls4j.NetworkOptions;
import org.tgcalls4j.PrivateCallParams;
import org.tgcalls4j.TgCalls;

/**
 * End to end: the reference private-call peer ({@code shared/peers/p2p/p2p_peer.py}, aiortc) calls
 * the bot and sends silence; the bot answers as callee and greets. The peer's recording must hold
 * speech (not a tone) whose voiced length is within ±30 % of espeak-ng's own rendering of the
 * greeting, and the bot must not mistake the peer's silence for an utterance.
 *
 * <p>Not run by a plain {@code mvn test} (surefire runs {@code *Test}); run it with
 * {@code mvn -B -ntp -o -pl examples/voice-bot -am test -Dtest=VoiceBotIT
 * -Dsurefire.failIfNoSpecifiedTests=false}. Needs espeak-ng and the system Python with aiortc.
 */
class VoiceBotIT {
  static final Path PYTHON = Path.of("/usr/bin/python3");

  /** Walks up from the working directory to a directory holding shared/peers/p2p/p2p_peer.py. */
  static Path findPeer() {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      Path p = d.resolve("shared/peers/p2p/p2p_peer.py");
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    return null;
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void peerHearsTheGreeting(@TempDir Path dir) throws Exception {
    assumeTrue(TestAudio.espeakAvailable(), "espeak-ng is not installed");
    Path peer = findPeer();
    assumeTrue(peer != null, "shared/peers/p2p/p2p_peer.py not found above the working directory");
    assumeTrue(Files.isExecutable(PYTHON), "no /usr/bin/python3");

    EspeakTts tts = EspeakTts.defaults();
    short[] reference = tts.synthesize(TestAudio.GREETING);
    long referenceVoicedMillis = TestAudio.voicedSpanMillis(reference, 48_000, -45);
    double recordSeconds = reference.length / 48_000.0 + 3.0;

    byte[] key = new byte[256];
    new SecureRandom().nextBytes(key);
    Path keyFile = dir.resolve("key.hex");
    Files.writeString(keyFile, HexFormat.of().formatHex(key));
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path out = dir.resolve("peer");
    Files.createDirectories(out);
    Process p = new ProcessBuilder(PYTHON.toString(), peer.toString(), "--role", "caller",
        "--key", keyFile.toString(), "--tcp-listen", "127.0.0.1:" + port, "--out", out.toString(),
        "--seconds", String.valueOf(recordSeconds), "--tone", "0", "--timeout", "30")
        .redirectErrorStream(true).redirectOutput(dir.resolve("peer.log").toFile()).start();

    List<Conversation.Turn> turns = new CopyOnWriteArrayList<>();
    TgCalls.Builder builder = TgCalls.builder().requireFfmpeg(false)
        .networkOptions(NetworkOptions.loopbackOnly()).privateCallTimeout(Duration.ofSeconds(20));
    try (VoiceBot bot = VoiceBot.create(builder, tts, new LoudnessSpeechToText(), Responder.echo(),
            TestAudio.GREETING, VoiceActivityDetector.Settings.defaults(), turns::add);
        SignalingPipe pipe = SignalingPipe.open("tcp-connect:127.0.0.1:" + port,
            Duration.ofSeconds(20))) {
      VoiceBot.Session session = bot.prepare(42, (c, blob) -> {
        try {
          pipe.send(blob);
        } catch (IOException e) {
          // the peer hung up; the call notices
        }
      });
      Thread reader = new Thread(() -> {
        try {
          for (byte[] b; (b = pipe.receive()) != null; ) {
            session.receiveSignalingData(b);
          }
        } catch (IOException e) {
          // closed at the end of the test
        }
      }, "voice-bot-it-signaling");
      reader.setDaemon(true);
      reader.start();
      session.connect(PrivateCallParams.of(key, false, List.of("8.0.0"))).get(30, TimeUnit.SECONDS);

      if (!p.waitFor((long) recordSeconds + 40, TimeUnit.SECONDS)) {
        fail("the peer did not finish; its log: " + Files.readString(dir.resolve("peer.log")));
      }
      session.close();
    } finally {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }

    String report = Files.readString(out.resolve("report.json"), StandardCharsets.UTF_8);
    assertThat(report).as("peer report").containsPattern("\"connected\":\\s*true");
    Wav heard = Wav.parse(Files.readAllBytes(out.resolve("received.wav")));
    assertThat(heard.sampleRate()).isEqualTo(48_000);
    short[] mono = Pcm.toMono(heard.samples(), heard.channels());

    long voiced = TestAudio.voicedSpanMillis(mono, 48_000, -45);
    assertThat(voiced).as("voiced length heard by the peer vs espeak-ng's %d ms",
        referenceVoicedMillis).isBetween(Math.round(referenceVoicedMillis * 0.7),
        Math.round(referenceVoicedMillis * 1.3));

    long first = TestAudio.firstVoicedMillis(mono, 48_000, -45);
    short[] speech = java.util.Arrays.copyOfRange(mono, (int) first * 48,
        (int) Math.min(mono.length, (first + voiced) * 48));
    double[] spec = TestAudio.powerSpectrum(speech);
    assertThat(TestAudio.dominantShare(spec)).as("share of the strongest frequency")
        .isLessThan(TestAudio.MAX_DOMINANT_SHARE);
    assertThat(TestAudio.spectralFlatness(spec)).as("spectral flatness")
        .isGreaterThan(TestAudio.MIN_FLATNESS);
    // the peer sent silence: nothing to answer
    assertThat(turns).isEmpty();
  }
}
