package org.tgcalls4j.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.tgcalls4j.AudioFrame;
import org.tgcalls4j.CallStats;
import org.tgcalls4j.GroupCall;
import org.tgcalls4j.IncomingStreamStats;
import org.tgcalls4j.NetworkOptions;
import org.tgcalls4j.TgCalls;
import org.tgcalls4j.testsfu.Audio;

/**
 * Hearing the other side: aiortc, as the SFU, forwards two participants (two Opus tracks encoded
 * by aiortc's libopus on two SSRCs, 440 Hz and 660 Hz); tgcalls4j decodes both.
 */
@ExtendWith(LeakCheck.class)
@Timeout(value = 40, unit = TimeUnit.SECONDS)
class IncomingAudioIT {
  private static final double[] TONES = {440, 660};
  /** Frames wanted per stream: 1.5 s. */
  private static final int FRAMES = 75;

  @TempDir Path dir;

  @BeforeAll
  static void requireAiortc() {
    assumeThat(AiortcSfu.available()).as("Debian python3-aiortc installed").isTrue();
  }

  private record Received(Map<Integer, List<AudioFrame>> frames, Map<Integer, Double> senders,
      CallStats stats, long threadsNamedAudioIn) {}

  private Received receive(boolean mix) throws Exception {
    Map<Integer, List<AudioFrame>> frames = new ConcurrentHashMap<>();
    List<String> threadNames = new CopyOnWriteArrayList<>();
    try (AiortcSfu sfu = AiortcSfu.start(dir, 6, TONES);
        TgCalls calls = TgCalls.builder().requireFfmpeg(false)
            .networkOptions(NetworkOptions.loopbackOnly())
            .connectTimeout(Duration.ofSeconds(15))
            .mixIncomingAudio(mix)
            .incomingAudioListener((call, frame) -> {
              if (threadNames.isEmpty()) {
                threadNames.add(Thread.currentThread().getName());
              }
              frames.computeIfAbsent(frame.ssrc(), s -> new CopyOnWriteArrayList<>()).add(frame);
            })
            .build()) {
      GroupCall call = calls.createGroupCall(9);
      Files.writeString(sfu.joinFile(), call.joinJson());
      call.connect(sfu.awaitAnswer(15_000));
      Map<Integer, Double> senders = sfu.senders();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      int streams = mix ? 1 : TONES.length;
      while (System.nanoTime() < deadline && (frames.size() < streams
          || frames.values().stream().anyMatch(l -> l.size() < FRAMES + 25))) {
        Thread.sleep(50);
      }
      CallStats stats = call.stats();
      call.stop();
      assertThat(threadNames).containsExactly("tgcalls4j-audio-in");
      long audioIn = Thread.getAllStackTraces().keySet().stream()
          .filter(t -> t.getName().equals("tgcalls4j-audio-in")).count();
      return new Received(frames, senders, stats, audioIn);
    }
  }

  @Test
  void deliversEachParticipantOnItsSsrcAtItsFrequency() throws Exception {
    Received r = receive(false);
    assertThat(r.senders()).hasSize(2);
    assertThat(r.threadsNamedAudioIn()).as("one audio-in thread per client").isEqualTo(1);
    assertThat(r.frames().keySet()).as("SSRCs delivered").containsExactlyInAnyOrderElementsOf(
        r.senders().keySet());
    for (Map.Entry<Integer, Double> sender : r.senders().entrySet()) {
      List<AudioFrame> frames = r.frames().get(sender.getKey());
      assertThat(frames.size()).isGreaterThanOrEqualTo(FRAMES);
      assertThat(frames).allSatisfy(f -> {
        assertThat(f.channels()).isEqualTo(2);
        assertThat(f.samples()).hasSize(1920);
      });
      // skip the first 0.5 s (encoder start-up), take the following 1.5 s
      short[] pcm = concat(frames.subList(25, Math.min(frames.size(), 25 + FRAMES)));
      double hz = Audio.dominantFrequencyHz(pcm, 2, 48_000);
      System.out.printf("SSRC %s: %d frames, %.2f Hz (sent %.0f Hz), level %d -dBov%n",
          Integer.toUnsignedString(sender.getKey()), frames.size(), hz, sender.getValue(),
          frames.get(40).audioLevelDbov());
      assertThat(hz).isCloseTo(sender.getValue(), Offset.offset(2.0));
      // 0.25 full-scale sine: RMS −15 dBov
      assertThat(frames.get(40).audioLevelDbov()).isBetween(12, 19);
    }
    List<IncomingStreamStats> incoming = r.stats().incoming();
    System.out.println("incoming stats: " + incoming);
    assertThat(incoming).extracting(IncomingStreamStats::ssrc)
        .containsExactlyInAnyOrderElementsOf(r.senders().keySet());
    assertThat(incoming).allSatisfy(s -> {
      assertThat(s.packets()).isGreaterThan(FRAMES);
      assertThat(s.lost()).isLessThanOrEqualTo(2);
      assertThat(s.jitterMillis()).isBetween(0.0, 30.0);
    });
  }

  @Test
  void mixedOptionDeliversBothFrequenciesInOneStream() throws Exception {
    Received r = receive(true);
    assertThat(r.frames().keySet()).containsExactly(0);
    List<AudioFrame> frames = r.frames().get(0);
    assertThat(frames.size()).isGreaterThanOrEqualTo(FRAMES);
    short[] pcm = concat(frames.subList(frames.size() - FRAMES, frames.size()));
    double p440 = power(pcm, 440);
    double p660 = power(pcm, 660);
    double p550 = power(pcm, 550);
    double p880 = power(pcm, 880);
    System.out.printf("mixed: power 440 %.3g, 660 %.3g, 550 %.3g, 880 %.3g%n", p440, p660, p550, p880);
    assertThat(p440).as("440 Hz present").isGreaterThan(100 * p550);
    assertThat(p660).as("660 Hz present").isGreaterThan(100 * p550);
    assertThat(p440 / p660).as("both at the same level").isBetween(0.5, 2.0);
    assertThat(p440).isGreaterThan(100 * p880);
    assertThat(r.stats().incoming()).hasSize(2)
        .allSatisfy(s -> assertThat(s.packets()).isGreaterThan(FRAMES));
  }

  private static short[] concat(List<AudioFrame> frames) {
    List<short[]> parts = new ArrayList<>();
    int n = 0;
    for (AudioFrame f : frames) {
      parts.add(f.samples());
      n += f.samples().length;
    }
    short[] out = new short[n];
    int at = 0;
    for (short[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  /** Goertzel power of the left channel at one frequency (Hann window). */
  private static double power(short[] stereo, double hz) {
    int n = stereo.length / 2;
    double coeff = 2 * Math.cos(2 * Math.PI * hz / 48_000);
    double s1 = 0;
    double s2 = 0;
    for (int i = 0; i < n; i++) {
      double x = stereo[2 * i] * (0.5 - 0.5 * Math.cos(2 * Math.PI * i / (n - 1)));
      double s0 = x + coeff * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    return s1 * s1 + s2 * s2 - coeff * s1 * s2;
  }
}
