package org.tgcalls4j.internal.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.tgcalls4j.AudioFrame;
import org.tgcalls4j.internal.ogg.OggOpusReader;
import org.tgcalls4j.internal.ogg.OpusPacket;

/**
 * The decoder fed by an independent encoder: ffmpeg's libopus, 60 ms frames with in-band FEC, as
 * official Telegram senders use; packets are dropped and PLC/FEC must keep the 440 Hz tone going.
 */
@Timeout(60)
class OpusStreamDecoderTest {
  private static final int PACKET_MS = 60;
  private static List<byte[]> packets;

  @BeforeAll
  static void encode(@TempDir Path dir) throws Exception {
    ffmpeg(dir, "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=3", "-ac", "1",
        "-c:a", "libopus", "-application", "voip", "-b:a", "24k", "-frame_duration", "60",
        "-packet_loss", "10", "-fec", "1", "-f", "ogg", "tone.ogg");
    packets = new ArrayList<>();
    try (InputStream in = Files.newInputStream(dir.resolve("tone.ogg"));
        OggOpusReader reader = new OggOpusReader(in)) {
      for (byte[] p; (p = reader.nextPacket()) != null; ) {
        packets.add(p);
      }
    }
  }

  private static void ffmpeg(Path dir, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-nostdin", "-loglevel", "error", "-y"));
    cmd.addAll(List.of(args));
    Process p;
    try {
      p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(dir.resolve("ffmpeg.log").toFile()).start();
    } catch (IOException e) {
      assumeTrue(false, "ffmpeg not runnable: " + e.getMessage());
      return;
    }
    try {
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("ffmpeg finished").isTrue();
      assertThat(p.exitValue()).as(Files.readString(dir.resolve("ffmpeg.log"))).isZero();
    } finally {
      p.destroyForcibly();
    }
  }

  /** What one run delivered: frames in order, and nulls between the first and last frame. */
  private record Run(List<AudioFrame> frames, int gaps, OpusStreamDecoder decoder) {
    short[] pcm() {
      short[] out = new short[frames.size() * 960];
      for (int i = 0; i < frames.size(); i++) {
        System.arraycopy(frames.get(i).samples(), 0, out, i * 960, 960);
      }
      return out;
    }
  }

  /** Packet i arrives at i × 60 ms unless dropped; pulls every 20 ms, as the scheduler does. */
  private static Run run(IntPredicate dropped, boolean fec) {
    OpusStreamDecoder decoder = new OpusStreamDecoder(0x1234, 1, new JitterBuffer());
    decoder.setFecEnabled(fec);
    List<AudioFrame> frames = new ArrayList<>();
    int gaps = 0;
    int pendingNulls = 0;
    long end = (long) packets.size() * PACKET_MS + 400;
    int next = 0;
    int ts = 123_456;
    for (long now = 0; now <= end; now += 20) {
      while (next < packets.size() && (long) next * PACKET_MS <= now) {
        if (!dropped.test(next)) {
          decoder.onPacket((40_000 + next) & 0xffff, ts + next * 2880, packets.get(next),
              TimeUnit.MILLISECONDS.toNanos((long) next * PACKET_MS));
        }
        next++;
      }
      AudioFrame f = decoder.pull(now);
      if (f == null) {
        pendingNulls++;
      } else {
        if (!frames.isEmpty()) {
          gaps += pendingNulls;
        }
        pendingNulls = 0;
        assertThat(f.ssrc()).isEqualTo(0x1234);
        frames.add(f);
      }
    }
    return new Run(frames, gaps, decoder);
  }

  @Test
  void ffmpegPacketsAre60Milliseconds() {
    assertThat(packets.size()).isGreaterThan(45);
    assertThat(packets).allSatisfy(p -> assertThat(OpusPacket.samplesAt48kHz(p)).isEqualTo(2880));
  }

  @Test
  void cleanStreamDecodesTo440HzIn20MillisecondFrames() {
    Run clean = run(i -> false, true);
    assertThat(clean.gaps()).isZero();
    assertThat(clean.frames().size()).isBetween(packets.size() * 3, packets.size() * 3 + 5);
    int last = clean.frames().size() - OpusStreamDecoder.MAX_UNDERRUN_FRAMES;
    assertThat(clean.frames().subList(0, last)).noneMatch(AudioFrame::concealed);
    assertThat(clean.frames().subList(last, clean.frames().size()))
        .as("the end of the stream: an underrun, concealed").allMatch(AudioFrame::concealed);
    assertThat(Tone.zeroCrossingHz(trim(clean.pcm()), 48_000)).isCloseTo(440, within(2.0));
    // ffmpeg's sine has amplitude 1/8: RMS 1/(8·√2) ≈ −21 dBov
    AudioFrame middle = clean.frames().get(clean.frames().size() / 2);
    assertThat(middle.audioLevelDbov()).isBetween(19, 24);
  }

  @Test
  void lossesWithFecDataAreRestoredWithoutAGap() {
    // libopus puts LBRR (FEC) data into the packets after 4 and 6 (it stops once its VAD calls the
    // stationary tone inactive, see the next test)
    Set<Integer> drop = Set.of(4, 6);
    short[] clean = run(i -> false, true).pcm();
    Run fec = run(drop::contains, true);
    Run plc = run(drop::contains, false);
    assertThat(fec.gaps()).as("no pull without a frame").isZero();
    assertThat(fec.decoder().fecPackets()).isEqualTo(2);
    // 6 to 8 frames for the two losses, 5 for the underrun at the end of the stream
    assertThat(fec.decoder().concealedFrames()).isBetween(6L + 5, 8L + 5);
    List<AudioFrame> concealed = fec.frames().stream().filter(AudioFrame::concealed)
        .limit(6).toList();
    assertThat(concealed).hasSize(6).allSatisfy(f -> assertThat(f.audioLevelDbov()).as("tone level kept")
        .isBetween(19, 24));
    double fecError = concealedError(fec, clean);
    double plcError = concealedError(plc, clean);
    System.out.printf("2 lost 60 ms packets, error energy vs clean decode: FEC %.3g, PLC %.3g%n",
        fecError, plcError);
    assertThat(fecError).isLessThan(plcError / 4);
    assertThat(Tone.zeroCrossingHz(trim(fec.pcm()), 48_000)).isCloseTo(440, within(2.0));
  }

  @Test
  void everySixthPacketLostKeepsTheToneWithoutAGap() {
    IntPredicate drop = i -> i % 6 == 3 && i < packets.size() - 2;
    long drops = java.util.stream.IntStream.range(0, packets.size()).filter(drop).count();
    short[] clean = run(i -> false, true).pcm();
    Run fec = run(drop, true);
    Run plc = run(drop, false);
    for (Run r : List.of(fec, plc)) {
      assertThat(r.gaps()).as("no pull without a frame").isZero();
      assertThat(r.frames().size()).isBetween(packets.size() * 3, packets.size() * 3 + 6);
      assertThat(Tone.peakHz(trim(r.pcm()), 48_000, 300, 600)).isCloseTo(440, within(2.0));
    }
    assertThat(fec.decoder().fecPackets()).as("each loss was followed by a held packet")
        .isEqualTo(drops);
    assertThat(plc.decoder().fecPackets()).isZero();
    // the first 20 ms of every concealment still carries the tone
    List<AudioFrame> frames = fec.frames();
    for (int i = 1; i < frames.size() - 8; i++) {
      if (frames.get(i).concealed() && !frames.get(i - 1).concealed()) {
        assertThat(frames.get(i).audioLevelDbov()).as("frame %d", i).isLessThan(35);
      }
    }
    double fecError = concealedError(fec, clean);
    double plcError = concealedError(plc, clean);
    System.out.printf("%d lost 60 ms packets, error energy vs clean decode: FEC %.3g, PLC %.3g%n",
        drops, fecError, plcError);
    assertThat(fecError).isLessThanOrEqualTo(plcError);
  }

  @Test
  void aLostRunIsConcealedAndTheStreamStopsWhenPacketsStop() {
    Run run = run(i -> i == 20 || i == 21 || i >= 40, true);
    assertThat(run.gaps()).isZero();
    assertThat(run.decoder().fecPackets()).isEqualTo(1); // 21 had 22's FEC, 20 did not
    // 40 packets of 60 ms = 120 frames, plus 60 ms concealed while 22 was awaited, plus at most 5
    // concealed frames once the packets stop
    assertThat(run.frames().size()).isBetween(123, 123 + OpusStreamDecoder.MAX_UNDERRUN_FRAMES);
    assertThat(Tone.peakHz(trim(run.pcm()), 48_000, 300, 600)).isCloseTo(440, within(2.0));
  }

  @Test
  void garbageIsCountedNotThrown() {
    OpusStreamDecoder d = new OpusStreamDecoder(1, 2, new JitterBuffer());
    d.onPacket(1, 0, new byte[0], 0);
    d.onPacket(2, 0, new byte[] {(byte) 0x03}, 0); // code 3 without a count byte
    assertThat(d.malformed()).isEqualTo(2);
    d.onPacket(3, 0, new byte[] {(byte) 0xF8, (byte) 0xFF, (byte) 0xFE, 1, 2, 3}, 0);
    for (long t = 0; t < 200; t += 20) {
      AudioFrame f = d.pull(t);
      if (f != null) {
        assertThat(f.samples()).hasSize(1920);
      }
    }
  }

  @Test
  void aPacketConcentusAssertsOnIsConcealedAndTheToneGoesOn() {
    byte[] crasher = OpusPacketDecoderTest.CONCENTUS_ASSERTS; // 40 ms by its TOC: passes [R1]-[R7]
    OpusStreamDecoder d = new OpusStreamDecoder(7, 2, new JitterBuffer());
    List<AudioFrame> frames = new ArrayList<>();
    int next = -1; // -1: the crasher at 0 ms, then 20 tone packets of 60 ms from 40 ms on
    for (long now = 0; now <= 1_800; now += 20) {
      while (next < 20 && (next < 0 ? 0 : 40 + next * 60L) <= now) {
        if (next < 0) {
          d.onPacket(100, 0, crasher, 0);
        } else {
          d.onPacket(101 + next, 1920 + next * 2880, packets.get(10 + next),
              TimeUnit.MILLISECONDS.toNanos(40 + next * 60L));
        }
        next++;
      }
      AudioFrame f = d.pull(now); // threw AssertionError before OpusPacketDecoder caught it
      if (f != null) {
        frames.add(f);
      }
    }
    StringBuilder pattern = new StringBuilder();
    frames.forEach(f -> pattern.append(f.concealed() ? 'c' : '.'));
    System.out.println("after a packet Concentus asserts on (c: concealed): " + pattern);
    assertThat(frames.subList(0, 2)).as("the crasher's 40 ms, concealed: %s", pattern)
        .allMatch(AudioFrame::concealed);
    // the tone's 20 packets (60 frames) then decode; the last 30 of them are past any start-up
    List<AudioFrame> decoded = frames.stream().filter(f -> !f.concealed()).toList();
    assertThat(decoded).as("decoded frames: %s", pattern).hasSizeGreaterThanOrEqualTo(55);
    short[] left = new short[30 * 960];
    for (int i = 0; i < 30; i++) {
      short[] samples = decoded.get(decoded.size() - 30 + i).samples();
      for (int k = 0; k < 960; k++) {
        left[i * 960 + k] = samples[2 * k];
      }
    }
    assertThat(Tone.zeroCrossingHz(left, 48_000)).isCloseTo(440, within(2.0));
  }

  /** Error energy of the concealed frames against the clean decode of the same stream. */
  private static double concealedError(Run run, short[] clean) {
    double sum = 0;
    List<AudioFrame> frames = run.frames();
    for (int i = 0; i < frames.size() && (i + 1) * 960 <= clean.length; i++) {
      if (!frames.get(i).concealed()) {
        continue;
      }
      short[] s = frames.get(i).samples();
      for (int k = 0; k < 960; k++) {
        double d = s[k] - clean[i * 960 + k];
        sum += d * d;
      }
    }
    return sum;
  }

  /** Drops the first and last 200 ms (encoder start-up, the end of the source). */
  private static short[] trim(short[] pcm) {
    return java.util.Arrays.copyOfRange(pcm, 9600, pcm.length - 9600);
  }
}
