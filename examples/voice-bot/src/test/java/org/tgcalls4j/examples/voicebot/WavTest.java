package org.tgcalls4j.examples.voicebot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WavTest {
  /** A WAV built by hand from the RIFF layout, with every field chosen by the test. */
  static byte[] wav(int format, int channels, int rate, int byteRate, int blockAlign, int bits,
      int fmtSize, long dataSize, byte[] data, byte[] extraChunkBeforeData) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer fmt = ByteBuffer.allocate(fmtSize).order(ByteOrder.LITTLE_ENDIAN);
    fmt.putShort((short) format).putShort((short) channels).putInt(rate).putInt(byteRate)
        .putShort((short) blockAlign).putShort((short) bits);
    byte[] extra = extraChunkBeforeData == null ? new byte[0] : extraChunkBeforeData;
    int riff = 4 + 8 + fmtSize + extra.length + 8 + data.length;
    out.writeBytes(ascii("RIFF"));
    out.writeBytes(le32(riff));
    out.writeBytes(ascii("WAVE"));
    out.writeBytes(ascii("fmt "));
    out.writeBytes(le32(fmtSize));
    out.writeBytes(fmt.array());
    out.writeBytes(extra);
    out.writeBytes(ascii("data"));
    out.writeBytes(le32((int) dataSize));
    out.writeBytes(data);
    return out.toByteArray();
  }

  static byte[] pcm16(short... s) {
    ByteBuffer b = ByteBuffer.allocate(s.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (short x : s) {
      b.putShort(x);
    }
    return b.array();
  }

  static byte[] good() {
    return wav(1, 2, 8000, 32000, 4, 16, 16, 8, pcm16((short) 1, (short) -2, (short) 32767,
        (short) -32768), null);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] le32(int v) {
    return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
  }

  @Test
  void parsesHandBuiltFile() throws Exception {
    Wav w = Wav.parse(good());
    assertThat(w.sampleRate()).isEqualTo(8000);
    assertThat(w.channels()).isEqualTo(2);
    assertThat(w.samples()).containsExactly(1, -2, 32767, -32768);
    assertThat(w.frames()).isEqualTo(2);
  }

  @Test
  void skipsOddSizedChunkWithPadByte() throws Exception {
    byte[] list = new byte[8 + 3 + 1];
    System.arraycopy(ascii("LIST"), 0, list, 0, 4);
    System.arraycopy(le32(3), 0, list, 4, 4);
    byte[] f = wav(1, 1, 22050, 44100, 2, 16, 16, 4, pcm16((short) 7, (short) 8), list);
    assertThat(Wav.parse(f).samples()).containsExactly(7, 8);
  }

  @Test
  void pythonWaveReadsWhatWeWrite(@TempDir Path dir) throws Exception {
    // independent check of toBytes(): Python's wave module reads our header
    short[] s = {0, 1000, -1000, 32767, -32768, 5};
    Path f = dir.resolve("a.wav");
    Files.write(f, new Wav(24000, 2, s).toBytes());
    Process p = new ProcessBuilder("/usr/bin/python3", "-c",
        "import wave,sys,struct; w=wave.open(sys.argv[1]); n=w.getnframes();"
            + " print(w.getframerate(), w.getnchannels(), w.getsampwidth(), n,"
            + " list(struct.unpack('<%dh' % (n*w.getnchannels()), w.readframes(n))))",
        f.toString()).redirectErrorStream(true).start();
    String outText = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(outText).isEqualTo("24000 2 2 3 [0, 1000, -1000, 32767, -32768, 5]");
  }

  @Test
  void acceptsEspeakStreamingSizes() throws Exception {
    byte[] f = wav(1, 1, 22050, 44100, 2, 16, 16, Wav.ESPEAK_STREAMING_SIZE,
        pcm16((short) 3, (short) 4, (short) 5), null);
    ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 0x7FFF_F024); // as espeak-ng
    f = Arrays.copyOf(f, f.length + 1); // a stray half sample at the end is not a sample
    assertThat(Wav.parse(f).samples()).containsExactly(3, 4, 5);
  }

  @Test
  void rejectsEveryTruncation() {
    byte[] f = good();
    for (int len = 0; len < f.length; len++) {
      byte[] cut = Arrays.copyOf(f, len);
      assertThatThrownBy(() -> Wav.parse(cut)).as("length %d", len)
          .isInstanceOf(Wav.WavFormatException.class);
    }
  }

  @Test
  void rejectsHostileHeaders() {
    byte[] d = pcm16((short) 1, (short) 2);
    expect(wav(3, 1, 8000, 16000, 2, 16, 16, 4, d, null), "format tag 3");
    expect(wav(1, 0, 8000, 0, 0, 16, 16, 4, d, null), "channel count 0");
    expect(wav(1, 9, 8000, 144000, 18, 16, 16, 4, d, null), "channel count 9");
    expect(wav(1, 1, 0, 0, 2, 16, 16, 4, d, null), "sample rate 0");
    expect(wav(1, 1, 8000, 16000, 2, 8, 16, 4, d, null), "bits per sample 8");
    expect(wav(1, 1, 8000, 16000, 2, 24, 16, 4, d, null), "bits per sample 24");
    expect(wav(1, 1, 8000, 16000, 4, 16, 16, 4, d, null), "block align 4");
    expect(wav(1, 1, 8000, 99, 2, 16, 16, 4, d, null), "byte rate 99");
    expect(wav(1, 1, 8000, 16000, 2, 16, 16, 3, d, null), "not a multiple");
    expect(wav(1, 1, 8000, 16000, 2, 16, 16, 400, d, null), "declares 400 bytes but only 4");
    expect(wav(1, 1, 8000, 16000, 2, 16, 16, 0x7FFF_FFFEL, d, null), "declares 2147483646");
    expect(wav(1, 1, 8000, 16000, 2, 16, 16, 0x8000_0000L, d, null), "declares 2147483648");
    // fmt chunk shorter than 16
    byte[] shortFmt = good();
    ByteBuffer.wrap(shortFmt).order(ByteOrder.LITTLE_ENDIAN).putInt(16, 14);
    expect(shortFmt, "\"fmt \" chunk size 14");
    // a chunk whose length runs past the end
    byte[] huge = good();
    ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putInt(16, 0xFFFF_FFF0);
    expect(huge, "\"fmt \" chunk at offset 12 declares 4294967280");
    // not RIFF / not WAVE
    byte[] notRiff = good();
    notRiff[0] = 'X';
    expect(notRiff, "not a RIFF file");
    byte[] notWave = good();
    notWave[8] = 'A';
    expect(notWave, "not \"WAVE\"");
    // RIFF size smaller than the chunks it holds
    byte[] smallRiff = good();
    ByteBuffer.wrap(smallRiff).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 20);
    expect(smallRiff, "RIFF size 20");
    // data before fmt
    byte[] dataFirst = new byte[12 + 8 + 2];
    System.arraycopy(good(), 0, dataFirst, 0, 12);
    System.arraycopy(ascii("data"), 0, dataFirst, 12, 4);
    System.arraycopy(le32(2), 0, dataFirst, 16, 4);
    expect(dataFirst, "before the \"fmt \" chunk");
    // no data chunk at all
    expect(Arrays.copyOf(good(), 36), "no \"data\" chunk");
    // two fmt chunks
    byte[] g = good();
    byte[] twoFmt = new byte[g.length + 24];
    System.arraycopy(g, 0, twoFmt, 0, 36);
    System.arraycopy(g, 12, twoFmt, 36, 24);
    System.arraycopy(g, 36, twoFmt, 60, g.length - 36);
    expect(twoFmt, "second \"fmt \"");
  }

  private static void expect(byte[] file, String message) {
    assertThatThrownBy(() -> Wav.parse(file)).isInstanceOf(Wav.WavFormatException.class)
        .hasMessageContaining(message);
  }
}
