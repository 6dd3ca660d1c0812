package org.tgcalls4j.internal.ivf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class IvfReaderTest {
  /**
   * The committed fuzz seed: {@code ffmpeg -f lavfi -i testsrc=size=32x24:rate=10 -t 0.4 -c:v libvpx
   * -g 2 -deadline realtime -b:v 50k tiny.ivf}; ffprobe reports 4 frames, key_frame 1,0,1,0.
   */
  static byte[] tinyIvf() throws IOException {
    try (InputStream in = IvfReaderTest.class.getResourceAsStream("/fuzz/ivf/ffmpeg-32x24-4frames.ivf")) {
      return in.readAllBytes();
    }
  }

  /** An IVF file written field by field: header then frames with pts 0, 1, 2, ... */
  static byte[] ivf(int headerLength, String fourCc, int width, int height, int rate, int scale,
      byte[]... frames) {
    ByteBuffer b = ByteBuffer.allocate(headerLength + Arrays.stream(frames).mapToInt(f -> 12 + f.length).sum())
        .order(ByteOrder.LITTLE_ENDIAN);
    b.put("DKIF".getBytes()).putShort((short) 0).putShort((short) headerLength).put(fourCc.getBytes())
        .putShort((short) width).putShort((short) height).putInt(rate).putInt(scale).putInt(frames.length)
        .putInt(0);
    b.position(headerLength);
    for (int i = 0; i < frames.length; i++) {
      b.putInt(frames[i].length).putLong(i).put(frames[i]);
    }
    return b.array();
  }

  private static IvfFormatException failure(byte[] file) {
    try (IvfReader r = new IvfReader(new ByteArrayInputStream(file))) {
      while (r.nextFrame()) {
        // drain
      }
    } catch (IvfFormatException e) {
      return e;
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("no IvfFormatException");
  }

  @Test
  void readsHeaderAndFramesOfFfmpegFile() throws IOException {
    byte[] file = tinyIvf();
    List<IvfFrame> frames = new ArrayList<>();
    IvfHeader header;
    try (IvfReader r = new IvfReader(new ByteArrayInputStream(file))) {
      header = r.header();
      for (IvfFrame f; (f = r.readFrame()) != null; ) {
        frames.add(f);
      }
      assertThat(r.nextFrame()).isFalse();
    }
    // ffmpeg writes its stream time base 1/10 (rate 10, scale 1) and the frame count on close
    assertThat(header).isEqualTo(new IvfHeader(0, 32, "VP80", 32, 24, 10, 1, 4));
    assertThat(frames).extracting(IvfFrame::pts).containsExactly(0L, 1L, 2L, 3L);
    assertThat(frames).extracting(IvfFrame::index).containsExactly(0L, 1L, 2L, 3L);
    int total = 32 + frames.stream().mapToInt(f -> 12 + f.data().length).sum();
    assertThat(total).isEqualTo(file.length);
    assertThat(header.ptsTo90kHz(3)).isEqualTo(27_000);
  }

  @Test
  void reusesOneBufferThatGrowsToTheLargestFrame() throws IOException {
    byte[] small = new byte[10];
    byte[] big = new byte[10_000];
    Arrays.fill(big, (byte) 7);
    try (IvfReader r = new IvfReader(new ByteArrayInputStream(ivf(32, "VP80", 1, 1, 30, 1, small, big, small)))) {
      assertThat(r.nextFrame()).isTrue();
      assertThat(r.frameBuffer().length).isEqualTo(10);
      assertThat(r.nextFrame()).isTrue();
      byte[] buffer = r.frameBuffer();
      assertThat(buffer.length).isEqualTo(10_000);
      assertThat(Arrays.copyOf(buffer, r.frameLength())).isEqualTo(big);
      assertThat(r.nextFrame()).isTrue();
      assertThat(r.frameBuffer()).isSameAs(buffer);
      assertThat(r.frameLength()).isEqualTo(10);
      assertThat(r.framePts()).isEqualTo(2);
      assertThat(r.frameOffset()).isEqualTo(32 + 22 + 10_012);
    }
  }

  @Test
  void skipsALongerHeader() throws IOException {
    try (IvfReader r = new IvfReader(new ByteArrayInputStream(ivf(40, "VP80", 2, 2, 30, 1, new byte[] {1, 2})))) {
      assertThat(r.header().headerLengthBytes()).isEqualTo(40);
      assertThat(r.readFrame().data()).containsExactly(1, 2);
      assertThat(r.frameOffset()).isEqualTo(40);
    }
  }

  @Test
  void namesTheBadFieldAndItsOffset() {
    byte[] ok = ivf(32, "VP80", 320, 240, 30, 1, new byte[] {1});
    assertThat(failure(patch(ok, 0, "DKIG".getBytes()))).hasMessageContaining("signature")
        .extracting(IvfFormatException::offset).isEqualTo(0L);
    assertThat(failure(patch(ok, 4, new byte[] {1}))).hasMessageContaining("version 1")
        .extracting(IvfFormatException::offset).isEqualTo(4L);
    assertThat(failure(patch(ok, 6, new byte[] {31, 0}))).hasMessageContaining("header length 31")
        .extracting(IvfFormatException::offset).isEqualTo(6L);
    assertThat(failure(patch(ok, 6, new byte[] {(byte) 0xFF, (byte) 0xFF}))).hasMessageContaining("65535");
    assertThat(failure(patch(ok, 8, "VP90".getBytes()))).hasMessageContaining("FourCC \"VP90\"")
        .extracting(IvfFormatException::offset).isEqualTo(8L);
    assertThat(failure(patch(ok, 12, new byte[] {0, 0}))).hasMessageContaining("width is 0")
        .extracting(IvfFormatException::offset).isEqualTo(12L);
    assertThat(failure(patch(ok, 14, new byte[] {0, 0}))).hasMessageContaining("height is 0");
    assertThat(failure(patch(ok, 16, new byte[4]))).hasMessageContaining("rate is 0")
        .extracting(IvfFormatException::offset).isEqualTo(16L);
    assertThat(failure(patch(ok, 20, new byte[4]))).hasMessageContaining("scale is 0");
    assertThat(failure(patch(ok, 32, new byte[4]))).hasMessageContaining("frame 0 has size 0")
        .extracting(IvfFormatException::offset).isEqualTo(32L);
  }

  @Test
  void reportsTruncationWhereTheStreamEnded() throws IOException {
    byte[] file = tinyIvf();
    assertThat(failure(Arrays.copyOf(file, 0))).hasMessageContaining("file header")
        .extracting(IvfFormatException::offset).isEqualTo(0L);
    assertThat(failure(Arrays.copyOf(file, 20))).hasMessageContaining("file header")
        .extracting(IvfFormatException::offset).isEqualTo(20L);
    assertThat(failure(Arrays.copyOf(file, 38))).hasMessageContaining("frame 0 header at offset 32")
        .extracting(IvfFormatException::offset).isEqualTo(38L);
    assertThat(failure(Arrays.copyOf(file, 100))).hasMessageContaining("frame 0")
        .hasMessageContaining("ended after 56").extracting(IvfFormatException::offset).isEqualTo(100L);
    // exactly the header: a valid stream with no frames
    try (IvfReader r = new IvfReader(new ByteArrayInputStream(Arrays.copyOf(file, 32)))) {
      assertThat(r.nextFrame()).isFalse();
    }
  }

  @Test
  void rejectsAFrameAboveTheBoundBeforeReadingIt() {
    byte[] file = ivf(32, "VP80", 1, 1, 30, 1, new byte[] {1});
    file = patch(file, 32, new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
    AtomicBoolean readPastHeader = new AtomicBoolean();
    InputStream watched = new ByteArrayInputStream(file) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        if (pos >= 44 && len > 0) {
          readPastHeader.set(true);
        }
        return super.read(b, off, len);
      }
    };
    IvfFormatException e = failure(watched);
    assertThat(e).hasMessageContaining("size 4294967295 exceeds the limit of " + IvfReader.DEFAULT_MAX_FRAME_BYTES);
    assertThat(e.offset()).isEqualTo(32);
    assertThat(readPastHeader).isFalse();
    assertThatThrownBy(() -> new IvfReader(InputStream.nullInputStream(), 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aDeclaredFrameTheStreamNeverSendsCostsOnlyWhatArrived() throws IOException {
    // 1 MiB declared, 100 bytes sent: the buffer stays at the initial step
    byte[] file = ivf(32, "VP80", 1, 1, 30, 1, new byte[100]);
    file = patch(file, 32, new byte[] {0, 0, 0x10, 0});
    try (IvfReader r = new IvfReader(new ByteArrayInputStream(file))) {
      assertThatThrownBy(r::nextFrame).isInstanceOf(IvfFormatException.class).hasMessageContaining("ended after 100");
      assertThat(r.frameBuffer().length).isEqualTo(IvfReader.INITIAL_BUFFER_BYTES);
    }
  }

  @Test
  void ptsConversionIsExactForLargeValues() {
    IvfHeader h = new IvfHeader(0, 32, "VP80", 1, 1, 1000, 1, 0);
    assertThat(h.ptsTo90kHz(33)).isEqualTo(2970);
    assertThat(h.ptsTo90kHz(-1)).isEqualTo(-90);
    IvfHeader odd = new IvfHeader(0, 32, "VP80", 1, 1, 30_000, 1001, 0);
    assertThat(odd.ptsTo90kHz(1)).isEqualTo(3003);
    // pts × 1001 × 90000 overflows a long; the result is still the floor of the exact quotient
    long big = Long.MAX_VALUE / 1000;
    assertThat(odd.ptsTo90kHz(big)).isEqualTo(java.math.BigInteger.valueOf(big)
        .multiply(java.math.BigInteger.valueOf(1001L * 90_000)).divide(java.math.BigInteger.valueOf(30_000)).longValue());
  }

  private static IvfFormatException failure(InputStream in) {
    try (IvfReader r = new IvfReader(in)) {
      while (r.nextFrame()) {
        // drain
      }
    } catch (IvfFormatException e) {
      return e;
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("no IvfFormatException");
  }

  private static byte[] patch(byte[] file, int off, byte[] bytes) {
    byte[] copy = file.clone();
    System.arraycopy(bytes, 0, copy, off, bytes.length);
    return copy;
  }

  @Test
  void aReaderThatFailedRepeatsItsFailureInsteadOfReadingFromInsideAFrame() throws Exception {
    byte[] whole = ivf(32, "VP80", 32, 24, 30, 1, new byte[100], new byte[100]);
    byte[] cut = Arrays.copyOf(whole, 32 + 12 + 40); // the stream ends 40 bytes into the first frame
    IvfReader reader = new IvfReader(new ByteArrayInputStream(cut));
    IvfFormatException first = org.assertj.core.api.Assertions.catchThrowableOfType(
        IvfFormatException.class, reader::nextFrame);
    assertThat(first).isNotNull();
    assertThatThrownBy(reader::nextFrame).isSameAs(first);
  }
}
