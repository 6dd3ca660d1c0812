package org.tgcalls4j.internal.flv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.tgcalls4j.internal.rtmp.testing.TestMedia;

@Timeout(60)
class FlvReaderTest {
  @TempDir static Path dir;
  private static byte[] ffmpegFlv;

  /** 2 s of 25 fps H.264 (keyframe every 10 frames) + 44.1 kHz AAC, muxed by ffmpeg. */
  @BeforeAll
  static void encodeWithFfmpeg() throws Exception {
    Path out = dir.resolve("a.flv");
    TestMedia.run(List.of("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin",
        "-f", "lavfi", "-i", "testsrc=s=160x120:r=25", "-f", "lavfi", "-i", "sine=f=440:r=44100",
        "-t", "2", "-c:v", "libx264", "-g", "10", "-bf", "0", "-c:a", "aac", "-f", "flv",
        out.toString()));
    ffmpegFlv = Files.readAllBytes(out);
  }

  private static List<FlvTag> readAll(byte[] flv) throws IOException {
    FlvReader reader = new FlvReader(new ByteArrayInputStream(flv));
    List<FlvTag> tags = new ArrayList<>();
    for (FlvTag t = reader.next(); t != null; t = reader.next()) {
      tags.add(t);
    }
    return tags;
  }

  @Test
  void readsEveryTagOfAnFfmpegFlv() throws IOException {
    List<FlvTag> tags = readAll(ffmpegFlv);

    assertThat(tags.get(0).type()).isEqualTo(FlvTag.SCRIPT_DATA);
    List<FlvTag> video = tags.stream().filter(t -> t.type() == FlvTag.VIDEO).toList();
    List<FlvTag> audio = tags.stream().filter(t -> t.type() == FlvTag.AUDIO).toList();
    assertThat(video.get(0).isAvcSequenceHeader()).isTrue();
    assertThat(audio.get(0).isAacSequenceHeader()).isTrue();
    assertThat(video.stream().filter(FlvTag::isAvcSequenceHeader)).hasSize(1);
    assertThat(audio.stream().filter(FlvTag::isAacSequenceHeader)).hasSize(1);
    // Sequence header, 50 frames, end-of-sequence (AVCPacketType 2); keyframes at 0, 10, ... 40.
    assertThat(video).hasSize(52);
    assertThat(video.get(51).isAvcEndOfSequence()).isTrue();
    assertThat(video.subList(0, 51)).noneMatch(FlvTag::isAvcEndOfSequence);
    assertThat(video.stream().skip(1).limit(50).filter(FlvTag::isKeyframe)).hasSize(5);
    // 2 s at 44.1 kHz in AAC frames of 1024 samples: about 87 frames.
    assertThat(audio.size() - 1).isBetween(85, 89);
  }

  @Test
  void readsTimestampsInMillisecondsNonDecreasingPerStream() throws IOException {
    List<FlvTag> tags = readAll(ffmpegFlv);
    List<Long> video = tags.stream().filter(t -> t.type() == FlvTag.VIDEO && !t.isSequenceHeader())
        .map(FlvTag::timestampMillis).toList();
    // 25 fps: 40 ms apart (ffmpeg shifts all streams by the AAC priming delay, 1024/44100 s).
    for (int i = 1; i < 50; i++) {
      assertThat(video.get(i) - video.get(i - 1)).isEqualTo(40L);
    }
    assertThat(video.get(49) - video.get(0)).isEqualTo(1960L);
    List<Long> audio = tags.stream().filter(t -> t.type() == FlvTag.AUDIO)
        .map(FlvTag::timestampMillis).toList();
    assertThat(audio).isSorted();
  }

  @Test
  void readsExtendedTimestampByte() throws IOException {
    // Header, PreviousTagSize0, one audio tag of 1 byte at timestamp 0x01020304, PreviousTagSize 12.
    byte[] flv = {'F', 'L', 'V', 1, 0x04, 0, 0, 0, 9, 0, 0, 0, 0,
        8, 0, 0, 1, 0x02, 0x03, 0x04, 0x01, 0, 0, 0, (byte) 0xAF, 0, 0, 0, 12};
    List<FlvTag> tags = readAll(flv);
    assertThat(tags).hasSize(1);
    assertThat(tags.get(0).timestampMillis()).isEqualTo(0x01020304L);
    assertThat(tags.get(0).body()).containsExactly((byte) 0xAF);
  }

  @Test
  void rejectsBadSignatureAtOffsetZero() {
    byte[] flv = ffmpegFlv.clone();
    flv[0] = 'X';
    assertThatThrownBy(() -> readAll(flv)).isInstanceOf(FlvFormatException.class)
        .hasMessageContaining("offset 0").hasMessageContaining("signature");
  }

  @Test
  void rejectsTruncatedTagNamingItsOffset() {
    byte[] flv = Arrays.copyOf(ffmpegFlv, ffmpegFlv.length - 7);
    assertThatThrownBy(() -> readAll(flv)).isInstanceOf(FlvFormatException.class)
        .hasMessageContaining("truncated");
  }

  @Test
  void rejectsTruncatedHeader() {
    assertThatThrownBy(() -> readAll(new byte[] {'F', 'L', 'V', 1}))
        .isInstanceOf(FlvFormatException.class).hasMessageContaining("truncated");
  }

  @Test
  void rejectsPreviousTagSizeThatDoesNotMatch() {
    byte[] flv = {'F', 'L', 'V', 1, 0x04, 0, 0, 0, 9, 0, 0, 0, 0,
        8, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, (byte) 0xAF, 0, 0, 0, 13};
    assertThatThrownBy(() -> readAll(flv)).isInstanceOf(FlvFormatException.class)
        .hasMessageContaining("offset 25").hasMessageContaining("PreviousTagSize 13");
  }

  @Test
  void rejectsUnknownTagType() {
    byte[] flv = {'F', 'L', 'V', 1, 0x04, 0, 0, 0, 9, 0, 0, 0, 0,
        7, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 12};
    assertThatThrownBy(() -> readAll(flv)).isInstanceOf(FlvFormatException.class)
        .hasMessageContaining("offset 13").hasMessageContaining("TagType 7");
  }

  @Test
  void rejectsTagSizeLargerThanTheRemainingStream() {
    // DataSize 0x100000 but only one body byte follows.
    byte[] flv = {'F', 'L', 'V', 1, 0x04, 0, 0, 0, 9, 0, 0, 0, 0,
        9, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x17};
    assertThatThrownBy(() -> readAll(flv)).isInstanceOf(FlvFormatException.class)
        .hasMessageContaining("starts at offset 13");
  }

  /** Bytes allocated by the current thread (HotSpot's per-thread counter). */
  private static long allocatedBytes() {
    return ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean())
        .getThreadAllocatedBytes(Thread.currentThread().getId());
  }

  @Test
  void tagHeaderDeclaringSixteenMebibytesDoesNotAllocateThemBeforeTheBodyArrives() throws Exception {
    // FLV header, PreviousTagSize0, then a script tag header with DataSize 0xFFFFFF and no body.
    byte[] flv = java.util.HexFormat.of().parseHex("464c560105000000090000000012ffffff00000000000000");
    FlvReader reader = new FlvReader(new ByteArrayInputStream(flv));
    allocatedBytes(); // warm up the counter itself

    long before = allocatedBytes();
    Throwable error = org.assertj.core.api.Assertions.catchThrowable(reader::next);
    long allocated = allocatedBytes() - before;

    assertThat(error).isInstanceOf(FlvFormatException.class).hasMessageContaining("truncated")
        .hasMessageContaining("starts at offset 13");
    assertThat(allocated).as("bytes allocated reading the tag").isLessThan(1024 * 1024);
  }

  @Test
  void readsBodiesLargerThanOneChunkAsTheyArriveInPieces() throws Exception {
    // One video tag of 200,000 bytes (not a multiple of 64 KiB), delivered 1,000 bytes per read.
    int size = 200_000;
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.write(new byte[] {'F', 'L', 'V', 1, 0x01, 0, 0, 0, 9, 0, 0, 0, 0,
        9, (byte) (size >> 16), (byte) (size >> 8), (byte) size, 0, 0, 40, 0, 0, 0, 0});
    byte[] body = new byte[size];
    for (int i = 0; i < size; i++) {
      body[i] = (byte) (i * 31);
    }
    out.write(body);
    int tagSize = size + 11;
    out.write(new byte[] {(byte) (tagSize >> 24), (byte) (tagSize >> 16), (byte) (tagSize >> 8), (byte) tagSize});
    java.io.InputStream trickle = new java.io.FilterInputStream(new ByteArrayInputStream(out.toByteArray())) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return super.read(b, off, Math.min(len, 1000));
      }
    };

    FlvReader reader = new FlvReader(trickle);
    FlvTag tag = reader.next();

    assertThat(tag.type()).isEqualTo(FlvTag.VIDEO);
    assertThat(tag.timestampMillis()).isEqualTo(40);
    assertThat(tag.body()).isEqualTo(body);
    assertThat(reader.next()).isNull();
  }

  @Test
  void detectsSequenceHeadersAndKeyframesFromTheirBits() {
    assertThat(new FlvTag(FlvTag.VIDEO, 0, new byte[] {0x17, 0}).isAvcSequenceHeader()).isTrue();
    assertThat(new FlvTag(FlvTag.VIDEO, 0, new byte[] {0x17, 1}).isAvcSequenceHeader()).isFalse();
    assertThat(new FlvTag(FlvTag.VIDEO, 0, new byte[] {0x17, 1}).isKeyframe()).isTrue();
    assertThat(new FlvTag(FlvTag.VIDEO, 0, new byte[] {0x27, 1}).isKeyframe()).isFalse();
    assertThat(new FlvTag(FlvTag.AUDIO, 0, new byte[] {(byte) 0xAF, 0}).isAacSequenceHeader())
        .isTrue();
    assertThat(new FlvTag(FlvTag.AUDIO, 0, new byte[] {(byte) 0xAF, 1}).isAacSequenceHeader())
        .isFalse();
    assertThat(new FlvTag(FlvTag.AUDIO, 0, new byte[] {0x2F, 0}).isAacSequenceHeader()).isFalse();
  }
}
