package org.tgcalls4j.testsfu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.tgcalls4j.internal.ivf.IvfFrame;
import org.tgcalls4j.internal.ivf.IvfHeader;
import org.tgcalls4j.internal.ivf.IvfReader;
import org.tgcalls4j.internal.rtp.Vp8PayloadHeader;
import org.tgcalls4j.internal.rtp.Vp8RtpPacketizer;

/**
 * Our IVF reader, VP8 payloader and the test SFU's depacketizer against independent
 * implementations: libvpx (through ffmpeg) makes the VP8 stream, ffprobe decodes what came out.
 * Skipped when ffmpeg, ffprobe or ffmpeg's libvpx encoder is missing.
 */
@Timeout(180)
class Vp8IvfRoundTripTest {
  private static final int PT = 96;
  private static Path input;
  private static IvfHeader header;
  private static List<IvfFrame> frames;

  @BeforeAll
  static void encode(@TempDir Path dir) throws Exception {
    assumeTrue(run(dir, "ffprobe", "-version").exitCode == 0, "ffprobe not available");
    Result encoders = run(dir, "ffmpeg", "-hide_banner", "-encoders");
    assumeTrue(encoders.exitCode == 0 && encoders.out.contains(" libvpx "), "ffmpeg has no libvpx encoder");
    input = dir.resolve("in.ivf");
    Result r = run(dir, "ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
        "testsrc=size=320x240:rate=30", "-t", "2", "-c:v", "libvpx", "-g", "30", "-deadline", "realtime",
        input.toString());
    assertThat(r.exitCode).as(r.out).isZero();
    frames = new ArrayList<>();
    try (IvfReader reader = new IvfReader(Files.newInputStream(input))) {
      header = reader.header();
      for (IvfFrame f; (f = reader.readFrame()) != null; ) {
        frames.add(f);
      }
    }
  }

  @Test
  void readerAgreesWithFfprobeOnTheInput(@TempDir Path dir) throws Exception {
    assertThat(header.fourCc()).isEqualTo("VP80");
    assertThat(header.width()).isEqualTo(320);
    assertThat(header.height()).isEqualTo(240);
    Stream probe = probe(dir, input);
    assertThat(probe).isEqualTo(new Stream("vp8", 320, 240, 60));
    assertThat(frames).hasSize(60);
  }

  @Test
  void keyFrameDetectionMatchesFfprobe(@TempDir Path dir) throws Exception {
    Result r = run(dir, "ffprobe", "-v", "error", "-select_streams", "v:0", "-show_frames", "-show_entries",
        "frame=key_frame", "-of", "csv=p=0", input.toString());
    assertThat(r.exitCode).as(r.out).isZero();
    List<Boolean> ffprobeKey = r.out.lines().filter(l -> !l.isBlank()).map(l -> l.trim().startsWith("1")).toList();
    List<Boolean> ours = new ArrayList<>();
    for (IvfFrame f : frames) {
      boolean key = Vp8PayloadHeader.isKeyFrame(f.data(), 0, f.data().length);
      ours.add(key);
      Vp8PayloadHeader h = Vp8PayloadHeader.parse(f.data(), 0, f.data().length);
      assertThat(h).isNotNull();
      assertThat(h.keyFrame()).isEqualTo(key);
      if (key) {
        assertThat(h.width()).isEqualTo(320);
        assertThat(h.height()).isEqualTo(240);
      }
    }
    assertThat(ours).isEqualTo(ffprobeKey);
    // -g 30: keyframes at 0 and 30 (libvpx may add more, but these two must be there)
    assertThat(ours.get(0)).isTrue();
    assertThat(ours.get(30)).isTrue();
  }

  @Test
  void depacketizedFramesDecodeWithFfprobe(@TempDir Path dir) throws Exception {
    Vp8RtpPacketizer packetizer = new Vp8RtpPacketizer(0x1234, PT, 1200, new SplittableRandom(7));
    Vp8Depacketizer depacketizer = new Vp8Depacketizer(PT, false);
    SplittableRandom random = new SplittableRandom(8);
    List<Vp8Frame> out = new ArrayList<>();
    int split = 0;
    for (IvfFrame f : frames) {
      List<byte[]> packets = new ArrayList<>(packetizer.packetize(f.data(), 0, f.data().length,
          header.ptsTo90kHz(f.pts())));
      assertThat(packets).allSatisfy(p -> assertThat(p.length - 12).isLessThanOrEqualTo(1200));
      split += packets.size() > 1 ? 1 : 0;
      Collections.shuffle(packets, new java.util.Random(random.nextLong())); // reordered within the frame
      for (byte[] p : packets) {
        out.addAll(depacketizer.push(p, 0, p.length));
      }
    }
    depacketizer.finish();
    assertThat(split).as("frames split into more than one packet").isPositive();
    assertThat(depacketizer.framesIncomplete()).isZero();
    assertThat(out).hasSize(frames.size());
    for (int i = 0; i < frames.size(); i++) {
      assertThat(out.get(i).data()).isEqualTo(frames.get(i).data());
      assertThat(out.get(i).pts90kHz()).isEqualTo(header.ptsTo90kHz(frames.get(i).pts()) - header.ptsTo90kHz(frames.get(0).pts()));
    }

    Path output = dir.resolve("out.ivf");
    writeIvf(output, out);
    assertThat(probe(dir, output)).isEqualTo(new Stream("vp8", 320, 240, 60));
  }

  @Test
  void incompleteAndMissingFramesAreDroppedAndTheRestDecodes(@TempDir Path dir) throws Exception {
    // 100-byte payloads so that interframes (about 300 bytes here) span several packets too
    Vp8RtpPacketizer packetizer = new Vp8RtpPacketizer(0x1234, PT, 100, new SplittableRandom(9));
    Vp8Depacketizer depacketizer = new Vp8Depacketizer(PT, true);
    List<Vp8Frame> out = new ArrayList<>();
    int incompleteFrame = 25;
    int missingFrame = 50;
    for (int i = 0; i < frames.size(); i++) {
      IvfFrame f = frames.get(i);
      List<byte[]> packets = new ArrayList<>(packetizer.packetize(f.data(), 0, f.data().length,
          header.ptsTo90kHz(f.pts())));
      if (i == incompleteFrame) {
        assertThat(packets.size()).as("frame " + i + " packets").isGreaterThan(2);
        packets.remove(1);
      }
      if (i == missingFrame) {
        packets.clear();
      }
      Collections.reverse(packets);
      for (byte[] p : packets) {
        out.addAll(depacketizer.push(p, 0, p.length));
      }
    }
    depacketizer.finish();

    // frames 25..29 wait for the keyframe 30; 50..59 for one that never comes
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < frames.size(); i++) {
      if (i < incompleteFrame || (i >= 30 && i < missingFrame)) {
        expected.add(i);
      }
    }
    assertThat(depacketizer.framesIncomplete()).isEqualTo(1);
    assertThat(depacketizer.pictureIdGaps()).isEqualTo(2); // 24 -> 26 and 49 -> 51
    assertThat(depacketizer.framesSkippedAwaitingKeyFrame()).isEqualTo(4 + 9);
    assertThat(out).hasSize(expected.size());
    for (int k = 0; k < expected.size(); k++) {
      assertThat(out.get(k).data()).isEqualTo(frames.get(expected.get(k)).data());
    }
    Path output = dir.resolve("lossy.ivf");
    writeIvf(output, out);
    assertThat(probe(dir, output)).isEqualTo(new Stream("vp8", 320, 240, expected.size()));
  }

  private static void writeIvf(Path file, List<Vp8Frame> frames) throws IOException {
    try (IvfWriter writer = new IvfWriter(file, frames.get(0).width(), frames.get(0).height())) {
      for (Vp8Frame f : frames) {
        writer.write(f.pts90kHz(), f.data());
      }
      assertThat(writer.frames()).isEqualTo(frames.size());
    }
  }

  record Stream(String codec, int width, int height, int frames) {}

  private static Stream probe(Path dir, Path file) throws Exception {
    Result r = run(dir, "ffprobe", "-v", "error", "-count_frames", "-show_entries",
        "stream=codec_name,width,height,nb_read_frames", file.toString());
    assertThat(r.exitCode).as(r.out).isZero();
    return new Stream(field(r.out, "codec_name"), Integer.parseInt(field(r.out, "width")),
        Integer.parseInt(field(r.out, "height")), Integer.parseInt(field(r.out, "nb_read_frames")));
  }

  private static String field(String out, String name) {
    Matcher m = Pattern.compile("(?m)^" + name + "=(.*)$").matcher(out);
    assertThat(m.find()).as(name + " in " + out).isTrue();
    return m.group(1).trim();
  }

  record Result(int exitCode, String out) {}

  /** Runs a tool for at most 60 s; exit code -1 if it cannot start. stderr is merged into out. */
  private static Result run(Path dir, String... command) throws InterruptedException, IOException {
    Path log = Files.createTempFile(dir, "tool", ".log");
    Process p;
    try {
      p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .start();
    } catch (IOException e) {
      return new Result(-1, e.toString());
    }
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        throw new AssertionError(String.join(" ", command) + " did not finish within 60 s");
      }
      return new Result(p.exitValue(), Files.readString(log));
    } finally {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
      Files.deleteIfExists(log);
    }
  }
}
