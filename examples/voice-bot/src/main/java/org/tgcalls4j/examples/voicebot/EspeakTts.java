package org.tgcalls4j.examples.voicebot;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Text-to-speech with the {@code espeak-ng} program: one process per {@link #synthesize} call,
 * started from an argument list (never a shell), the text written to its standard input
 * ({@code --stdin}) so that no text can be read as an option, the WAV read from its standard
 * output ({@code --stdout}), parsed by {@link Wav#parse} and resampled from espeak-ng's
 * 22050 Hz mono to 48 kHz ({@link Pcm#resampleLinear}).
 *
 * <p>Thread-safe: every call has its own process. {@link #synthesize} blocks for the process
 * (about 10-50 ms per second of speech here) and must not run on a tgcalls4j client thread.
 */
public final class EspeakTts {
  /** The longest text accepted, characters. */
  public static final int MAX_TEXT_CHARS = 10_000;
  /** The most WAV bytes read from espeak-ng (about 12 minutes at 22050 Hz). */
  static final int MAX_WAV_BYTES = 32 << 20;

  private final String executable;
  private final String voice;
  private final int wordsPerMinute;
  private final long timeoutMillis;

  /**
   * @param executable the program, e.g. {@code espeak-ng} (looked up on PATH) or an absolute path
   * @param voice espeak-ng voice name ({@code -v}), e.g. {@code en-us}
   * @param wordsPerMinute speed ({@code -s}), 80..450
   * @param timeoutMillis how long one synthesis may take, ms, positive
   * @throws IllegalArgumentException if a value is out of range or the voice is not a plain name
   */
  public EspeakTts(String executable, String voice, int wordsPerMinute, long timeoutMillis) {
    this.executable = Objects.requireNonNull(executable, "executable");
    this.voice = Objects.requireNonNull(voice, "voice");
    if (!voice.matches("[A-Za-z0-9_+\\-/]{1,64}")) {
      throw new IllegalArgumentException("voice must be a plain espeak-ng voice name, got \"" + voice + "\"");
    }
    if (wordsPerMinute < 80 || wordsPerMinute > 450) {
      throw new IllegalArgumentException("wordsPerMinute must be 80..450, got " + wordsPerMinute);
    }
    if (timeoutMillis <= 0) {
      throw new IllegalArgumentException("timeoutMillis must be positive, got " + timeoutMillis);
    }
    this.wordsPerMinute = wordsPerMinute;
    this.timeoutMillis = timeoutMillis;
  }

  /** @return espeak-ng on PATH, voice en-us, 160 words per minute, 20 s timeout */
  public static EspeakTts defaults() {
    return new EspeakTts("espeak-ng", "en-us", 160, 20_000);
  }

  /**
   * The argument list for one synthesis: {@code executable -v VOICE -s WPM --stdout --stdin}.
   * Package-private for tests, which run espeak-ng with the same options.
   *
   * @return a new mutable list
   */
  List<String> command() {
    List<String> argv = new ArrayList<>();
    argv.add(executable);
    argv.add("-v");
    argv.add(voice);
    argv.add("-s");
    argv.add(Integer.toString(wordsPerMinute));
    argv.add("--stdout");
    argv.add("--stdin");
    return argv;
  }

  /**
   * Speaks a text.
   *
   * @param text what to say, 1..{@link #MAX_TEXT_CHARS} characters; read as plain text (no SSML)
   * @return mono 16-bit PCM at 48 kHz
   * @throws TtsException if espeak-ng is missing (the message says how to install it), fails,
   *     times out, or writes no valid 16-bit PCM WAV
   * @throws InterruptedException if interrupted while waiting; the process is then killed
   */
  public short[] synthesize(String text) throws TtsException, InterruptedException {
    Wav wav = synthesizeWav(text);
    short[] mono = Pcm.toMono(wav.samples(), wav.channels());
    return wav.sampleRate() == Pcm.RATE_48K ? mono
        : Pcm.resampleLinear(mono, wav.sampleRate(), Pcm.RATE_48K);
  }

  /**
   * Speaks a text and returns espeak-ng's own WAV (22050 Hz mono) without resampling.
   *
   * @param text as {@link #synthesize}
   * @return the parsed WAV
   * @throws TtsException as {@link #synthesize}
   * @throws InterruptedException as {@link #synthesize}
   */
  public Wav synthesizeWav(String text) throws TtsException, InterruptedException {
    Objects.requireNonNull(text, "text");
    if (text.isBlank() || text.length() > MAX_TEXT_CHARS) {
      throw new IllegalArgumentException("text must be 1.." + MAX_TEXT_CHARS
          + " characters and not blank, got " + text.length());
    }
    ProcessBuilder pb = new ProcessBuilder(command());
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new TtsException("cannot run \"" + executable + "\": " + e.getMessage()
          + "; install espeak-ng (Debian/Ubuntu: apt-get install espeak-ng)", e);
    }
    try {
      Thread writer = new Thread(() -> {
        try (OutputStream in = p.getOutputStream()) {
          // one line per input line; espeak-ng --stdin reads to end of input
          in.write(text.getBytes(StandardCharsets.UTF_8));
          in.write('\n');
        } catch (IOException ignored) {
          // the process died; its exit status tells
        }
      }, "espeak-ng-stdin");
      writer.setDaemon(true);
      writer.start();
      ByteArrayOutputStream wavBytes = new ByteArrayOutputStream(64 << 10);
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
      Thread reader = new Thread(() -> readLimited(p.getInputStream(), wavBytes), "espeak-ng-stdout");
      reader.setDaemon(true);
      reader.start();
      if (!p.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
        throw new TtsException("espeak-ng took longer than " + timeoutMillis + " ms");
      }
      reader.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())) + 1000);
      writer.join(1000);
      if (p.exitValue() != 0) {
        throw new TtsException("espeak-ng exited with status " + p.exitValue());
      }
      byte[] bytes;
      synchronized (wavBytes) {
        if (wavBytes.size() > MAX_WAV_BYTES) {
          throw new TtsException("espeak-ng wrote more than " + MAX_WAV_BYTES + " bytes");
        }
        bytes = wavBytes.toByteArray();
      }
      try {
        return Wav.parse(bytes);
      } catch (Wav.WavFormatException e) {
        throw new TtsException("espeak-ng wrote an unusable WAV: " + e.getMessage(), e);
      }
    } finally {
      if (p.isAlive()) {
        p.destroyForcibly();
      }
    }
  }

  private static void readLimited(InputStream in, ByteArrayOutputStream out) {
    byte[] buf = new byte[16 << 10];
    try (in) {
      int n;
      while ((n = in.read(buf)) >= 0) {
        synchronized (out) {
          if (out.size() <= MAX_WAV_BYTES) {
            out.write(buf, 0, n); // past the limit: keep draining so the process can exit
          }
        }
      }
    } catch (IOException ignored) {
      // the process was killed; synthesize reports why
    }
  }

  /** espeak-ng is missing, failed or wrote no usable audio; the message says which. */
  public static final class TtsException extends Exception {
    private static final long serialVersionUID = 1L;

    /** @param message what went wrong */
    public TtsException(String message) {
      super(message);
    }

    /**
     * @param message what went wrong
     * @param cause the underlying failure
     */
    public TtsException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
