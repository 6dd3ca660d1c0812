package org.tgcalls4j.examples.voicebot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EspeakTtsTest {
  static final String TEXT = "Hello! I am a voice bot. Say something, and I will answer.";

  @BeforeAll
  static void needEspeak() {
    assumeTrue(TestAudio.espeakAvailable(), "espeak-ng is not installed (apt-get install espeak-ng)");
  }

  /** Runs espeak-ng itself with -w FILE (exact header lengths) and asks Python's wave module. */
  static int[] espeakOwnFramesAndRate(EspeakTts tts, String text, Path dir) throws Exception {
    Path f = dir.resolve("own.wav");
    List<String> argv = new ArrayList<>(tts.command());
    argv.remove("--stdout");
    argv.remove("--stdin");
    argv.add("-w");
    argv.add(f.toString());
    argv.add("--");
    argv.add(text);
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    Process py = new ProcessBuilder("/usr/bin/python3", "-c",
        "import wave,sys; w=wave.open(sys.argv[1]); print(w.getnframes(), w.getframerate(),"
            + " w.getnchannels(), w.getsampwidth())", f.toString()).redirectErrorStream(true).start();
    String[] out = new String(py.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim()
        .split(" ");
    assertThat(py.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(out).hasSize(4);
    assertThat(out[2]).as("channels").isEqualTo("1");
    assertThat(out[3]).as("sample width").isEqualTo("2");
    return new int[] {Integer.parseInt(out[0]), Integer.parseInt(out[1])};
  }

  @Test
  void lengthMatchesEspeaksOwnWav(@TempDir Path dir) throws Exception {
    EspeakTts tts = EspeakTts.defaults();
    int[] own = espeakOwnFramesAndRate(tts, TEXT, dir);
    assertThat(own[1]).isEqualTo(22_050);
    short[] pcm = tts.synthesize(TEXT);
    long expected = Math.round(own[0] * 48_000.0 / own[1]);
    assertThat((long) pcm.length).isEqualTo(expected);
    assertThat(pcm.length / 48_000.0).isBetween(2.0, 8.0); // a sentence, not silence or garbage
    // and it is speech-loud, not silence
    assertThat(Pcm.dbfs(pcm, 0, pcm.length)).isGreaterThan(-35);
    double[] spec = TestAudio.powerSpectrum(pcm);
    assertThat(TestAudio.dominantShare(spec)).isLessThan(0.3);
  }

  @Test
  void resampledSamplesAreEspeaksSamplesAtCommonInstants() throws Exception {
    EspeakTts tts = EspeakTts.defaults();
    Wav raw = tts.synthesizeWav(TEXT);
    short[] pcm = tts.synthesize(TEXT); // espeak-ng is deterministic for the same arguments
    assertThat(raw.sampleRate()).isEqualTo(22_050);
    for (int k = 0; 320 * k < pcm.length; k++) {
      assertThat(pcm[320 * k]).isEqualTo(raw.samples()[147 * k]);
    }
  }

  @Test
  void textIsNeverReadAsOptionsOrShell(@TempDir Path dir) throws Exception {
    Path marker = dir.resolve("pwned");
    EspeakTts tts = EspeakTts.defaults();
    short[] a = tts.synthesize("-w " + marker + " --help");
    short[] b = tts.synthesize("$(touch " + marker + "); `touch " + marker + "` | touch " + marker);
    assertThat(a.length).isGreaterThan(48_000);
    assertThat(b.length).isGreaterThan(48_000);
    assertThat(Files.exists(marker)).isFalse();
  }

  @Test
  void missingProgramSaysHowToInstall() {
    EspeakTts tts = new EspeakTts("/nonexistent/espeak-ng", "en-us", 160, 5_000);
    assertThatThrownBy(() -> tts.synthesize("hello"))
        .isInstanceOf(EspeakTts.TtsException.class)
        .hasMessageContaining("apt-get install espeak-ng");
  }

  @Test
  void failingProgramIsReported(@TempDir Path dir) throws Exception {
    // a program that exits 3, and one that writes a non-WAV
    EspeakTts fails = new EspeakTts("/bin/false", "en-us", 160, 5_000);
    assertThatThrownBy(() -> fails.synthesize("hello"))
        .isInstanceOf(EspeakTts.TtsException.class).hasMessageContaining("exited with status 1");
    EspeakTts echo = new EspeakTts("/bin/echo", "en-us", 160, 5_000);
    assertThatThrownBy(() -> echo.synthesize("hello"))
        .isInstanceOf(EspeakTts.TtsException.class)
        .hasMessageContaining("unusable WAV");
  }

  @Test
  void rejectsBadArguments() {
    assertThatThrownBy(() -> new EspeakTts("espeak-ng", "en; rm -rf /", 160, 1000))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EspeakTts.defaults().synthesize("  "))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
