package org.tgcalls4j.internal.ogg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.jaredmdobson.concentus.OpusDecoder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class OggOpusReaderTest {
  /** 2 s of a 440 Hz sine, 20 ms Opus frames, one page per 20 ms. */
  private static byte[] sineOgg;

  @BeforeAll
  static void encodeSine(@TempDir Path dir) throws Exception {
    Ffmpeg.run(dir, "-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-c:a", "libopus",
        "-frame_duration", "20", "-page_duration", "20000", "-f", "ogg", "out.ogg");
    sineOgg = Files.readAllBytes(dir.resolve("out.ogg"));
  }

  private static List<byte[]> readAll(byte[] file) throws IOException {
    List<byte[]> packets = new ArrayList<>();
    try (OggOpusReader reader = new OggOpusReader(new ByteArrayInputStream(file))) {
      for (byte[] p; (p = reader.nextPacket()) != null; ) {
        packets.add(p);
      }
    }
    return packets;
  }

  /** Byte offsets of every page, found by walking page headers (RFC 3533 §6). */
  private static List<Integer> pageOffsets(byte[] file) {
    List<Integer> offsets = new ArrayList<>();
    int pos = 0;
    while (pos < file.length) {
      offsets.add(pos);
      int segments = file[pos + 26] & 0xFF;
      int body = 0;
      for (int i = 0; i < segments; i++) {
        body += file[pos + 27 + i] & 0xFF;
      }
      pos += 27 + segments + body;
    }
    return offsets;
  }

  @Test
  void readsOpusHeadOfFfmpegFile() throws IOException {
    try (OggOpusReader reader = new OggOpusReader(new ByteArrayInputStream(sineOgg))) {
      OpusHead head = reader.head();
      // ffmpeg's libopus wrapper writes the encoder lookahead (312 samples) as pre-skip
      assertThat(head).isEqualTo(new OpusHead(1, 312, 48_000, 0));
    }
  }

  @Test
  void readsEveryPacketAsA20MillisecondFrame() throws IOException {
    List<byte[]> packets = readAll(sineOgg);

    // 96000 samples plus 312 samples of pre-skip need ceil(96312 / 960) = 101 frames
    assertThat(packets).hasSize(101);
    assertThat(packets).allSatisfy(p -> assertThat(OpusPacket.samplesAt48kHz(p)).isEqualTo(960));
  }

  @Test
  void decodedPacketsCarryThe440HzSine() throws Exception {
    List<byte[]> packets = readAll(sineOgg);
    OpusDecoder decoder = new OpusDecoder(48_000, 1);
    short[] pcm = new short[packets.size() * 960];
    int samples = 0;
    for (byte[] p : packets) {
      samples += decoder.decode(p, 0, p.length, pcm, samples, 960, false);
    }
    short[] audio = Arrays.copyOfRange(pcm, 312, samples);

    assertThat(audio.length).isGreaterThanOrEqualTo(96_000);
    assertThat(DominantFrequency.estimate(audio, 48_000, 50, 4000, 1)).isCloseTo(440, within(2.0));
  }

  @Test
  void namesThePageWhoseCrcDoesNotMatch() throws IOException {
    byte[] corrupted = sineOgg.clone();
    int page5 = pageOffsets(corrupted).get(5);
    corrupted[page5 + 40] ^= 0x01; // a body byte

    List<byte[]> before = new ArrayList<>();
    try (OggOpusReader reader = new OggOpusReader(new ByteArrayInputStream(corrupted))) {
      assertThatThrownBy(() -> {
        for (byte[] p; (p = reader.nextPacket()) != null; ) {
          before.add(p);
        }
      }).isInstanceOf(OggFormatException.class).hasMessageStartingWith("CRC mismatch at page 5");
    }
    assertThat(before).as("audio pages 2..4 were read before the bad one").hasSize(3);
  }

  @Test
  void reportsTruncatedLastPage() {
    List<Integer> offsets = pageOffsets(sineOgg);
    int lastPage = offsets.size() - 1;
    int bodyStart = offsets.get(lastPage) + 27 + (sineOgg[offsets.get(lastPage) + 26] & 0xFF);
    int bodyLength = sineOgg.length - bodyStart;
    byte[] truncated = Arrays.copyOf(sineOgg, sineOgg.length - 10);

    assertThatThrownBy(() -> readAll(truncated)).isInstanceOf(OggFormatException.class)
        .hasMessage("truncated page " + lastPage + ": body needs " + bodyLength
            + " bytes, the stream ended after " + (bodyLength - 10));
  }

  @Test
  void reportsFileCutInsideAPageHeader() {
    int page3 = pageOffsets(sineOgg).get(3);

    assertThatThrownBy(() -> readAll(Arrays.copyOf(sineOgg, page3 + 10))).isInstanceOf(OggFormatException.class)
        .hasMessage("truncated page 3: header needs 27 bytes, the stream ended after 10");
  }

  @Test
  void reportsBadCapturePattern() {
    byte[] bad = sineOgg.clone();
    bad[pageOffsets(bad).get(3) + 3] = 'X';

    assertThatThrownBy(() -> readAll(bad)).isInstanceOf(OggFormatException.class)
        .hasMessage("bad capture pattern at page 3: expected \"OggS\"");
  }

  @Test
  void reportsMissingPage() {
    List<Integer> offsets = pageOffsets(sineOgg);
    byte[] gap = new byte[sineOgg.length - (offsets.get(5) - offsets.get(4))];
    System.arraycopy(sineOgg, 0, gap, 0, offsets.get(4));
    System.arraycopy(sineOgg, offsets.get(5), gap, offsets.get(4), sineOgg.length - offsets.get(5));

    assertThatThrownBy(() -> readAll(gap)).isInstanceOf(OggFormatException.class)
        .hasMessage("page 4 has sequence number 5, expected 4 (missing page)");
  }

  @Test
  void reportsMissingOpusHeadInAnOggFlacFile(@TempDir Path dir) throws Exception {
    Ffmpeg.run(dir, "-f", "lavfi", "-i", "sine=frequency=440:duration=0.2", "-c:a", "flac", "-f", "ogg", "flac.ogg");
    byte[] flac = Files.readAllBytes(dir.resolve("flac.ogg"));

    assertThatThrownBy(() -> readAll(flac)).isInstanceOf(OggFormatException.class)
        .hasMessage("missing OpusHead: page 0 does not start with an OpusHead packet");
  }

  @Test
  void reportsEmptyStream() {
    assertThatThrownBy(() -> readAll(new byte[0])).isInstanceOf(OggFormatException.class)
        .hasMessage("missing OpusHead: the stream is empty");
  }

  @Test
  void reassemblesAPacketSpanningTwoPages(@TempDir Path dir) throws Exception {
    // CBR 256 kbit/s, 120 ms frames: 3840-byte packets of 16 lacing values each. With a 10 s page
    // duration the muxer fills a page's 255 lacing values and continues the 16th packet on the next.
    Ffmpeg.run(dir, "-f", "lavfi", "-i", "sine=frequency=440:duration=3", "-ac", "2", "-c:a", "libopus",
        "-b:a", "256k", "-vbr", "off", "-frame_duration", "120", "-page_duration", "10000000", "-f", "ogg", "big.ogg");
    byte[] file = Files.readAllBytes(dir.resolve("big.ogg"));
    List<Integer> offsets = pageOffsets(file);
    assertThat(offsets).hasSize(4);
    assertThat(file[offsets.get(3) + 5] & 0x01).as("page 3 is a continuation page").isEqualTo(1);

    List<byte[]> packets = readAll(file);

    // 144000 samples plus 312 of pre-skip need ceil(144312 / 5760) = 26 frames
    assertThat(packets).hasSize(26)
        .allSatisfy(p -> assertThat(OpusPacket.samplesAt48kHz(p)).isEqualTo(5760))
        .allSatisfy(p -> assertThat(p).hasSize(3840));
  }

  @Test
  void closesTheUnderlyingStream() throws IOException {
    AtomicBoolean closed = new AtomicBoolean();
    InputStream in = new ByteArrayInputStream(sineOgg) {
      @Override
      public void close() {
        closed.set(true);
      }
    };
    new OggOpusReader(in).close();
    assertThat(closed).isTrue();
  }
}
