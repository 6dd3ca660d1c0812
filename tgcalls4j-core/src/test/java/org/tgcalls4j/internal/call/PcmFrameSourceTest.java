package org.tgcalls4j.internal.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.tgcalls4j.InvalidParamsException;
import org.tgcalls4j.PcmPushSource;
import org.tgcalls4j.PcmPushSource.WhenEmpty;
import org.tgcalls4j.internal.audio.PcmQueue;
import org.tgcalls4j.internal.ogg.OpusPacket;

/**
 * {@link PcmPushSource} played alone ({@link PcmFrameSource}): what it encodes is decoded by
 * ffmpeg's libopus (an independent decoder) and measured; its pacing is driven by a simulated
 * 20 ms pull clock against producers 2 % fast, 2 % slow and bursty.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PcmFrameSourceTest {
  private static final int BITRATE_KBPS = 128;

  @TempDir Path dir;

  /**
   * Starts a thread that puts {@code pcm} into {@code source} and waits until it blocks there
   * (the queue is full); what the put throws goes to {@code failure}.
   */
  private static Thread blockedProducer(PcmPushSource source, short[] pcm,
      AtomicReference<Throwable> failure) throws InterruptedException {
    Thread producer = new Thread(() -> {
      try {
        source.put(pcm, 0, pcm.length);
      } catch (Throwable t) {
        failure.set(t);
      }
    });
    producer.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (producer.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    assertThat(producer.getState()).as("the producer blocks in put").isEqualTo(Thread.State.WAITING);
    return producer;
  }

  private static List<byte[]> drain(PcmFrameSource frames, int max) throws Exception {
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < max; i++) {
      byte[] f = frames.nextFrame();
      if (f == null) {
        return out;
      }
      out.add(f);
    }
    throw new AssertionError("the source did not end within " + max + " frames");
  }

  @Test
  void monoToneComesOutAt440HzAndItsAmplitude() throws Exception {
    PcmPushSource source = PcmPushSource.create(1, 3000, WhenEmpty.SILENCE);
    short[] tone = PcmTestAudio.sine(440, 8000, 0, 2 * 48_000, 1);
    source.put(tone, 0, tone.length);
    source.close();
    PcmFrameSource frames = PcmFrameSource.open(source, BITRATE_KBPS);
    List<byte[]> packets = drain(frames, 1000);

    assertThat(packets).hasSize(100);
    assertThat(packets).allSatisfy(p -> assertThat(OpusPacket.samplesAt48kHz(p)).isEqualTo(960));
    Path ogg = dir.resolve("mono.ogg");
    PcmTestAudio.writeOggOpus(ogg, packets, 1);
    short[] pcm = PcmTestAudio.decodeWithFfmpeg(ogg, 1);
    assertThat(pcm.length).isBetween(2 * 48_000 - 960, 2 * 48_000 + 960);
    assertThat(PcmTestAudio.dominantHz(pcm, 1, 24_000, 300, 1500)).isEqualTo(440);
    assertThat(PcmTestAudio.amplitude(pcm, 1, 0, 24_000, 48_000, 440)).isCloseTo(8000, within(400.0));
  }

  @Test
  void stereoLittleEndianBytesKeepTheirChannels() throws Exception {
    PcmPushSource source = PcmPushSource.create(2, 3000, WhenEmpty.SILENCE);
    int n = 2 * 48_000;
    short[] left = PcmTestAudio.sine(440, 6000, 0, n, 1);
    short[] right = PcmTestAudio.sine(1000, 3000, 0, n, 1);
    ByteBuffer le = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      le.putShort(left[i]).putShort(right[i]);
    }
    assertThat(source.offer(le.array(), 0, le.capacity())).isTrue();
    assertThat(source.queuedMillis()).isEqualTo(2000);
    source.close();
    List<byte[]> packets = drain(PcmFrameSource.open(source, BITRATE_KBPS), 1000);

    Path ogg = dir.resolve("stereo.ogg");
    PcmTestAudio.writeOggOpus(ogg, packets, 2);
    short[] pcm = PcmTestAudio.decodeWithFfmpeg(ogg, 2);
    assertThat(PcmTestAudio.amplitude(pcm, 2, 0, 24_000, 48_000, 440)).isCloseTo(6000, within(450.0));
    assertThat(PcmTestAudio.amplitude(pcm, 2, 0, 24_000, 48_000, 1000)).isLessThan(300);
    assertThat(PcmTestAudio.amplitude(pcm, 2, 1, 24_000, 48_000, 1000)).isCloseTo(3000, within(225.0));
    assertThat(PcmTestAudio.amplitude(pcm, 2, 1, 24_000, 48_000, 440)).isLessThan(300);
  }

  /** What a simulated run saw. */
  private record Run(int audioFrames, int emptySlots, int emptySlotsWhileQueued, long maxQueuedMillis,
      int refusals, long pushedSamples, List<byte[]> packets) {}

  /**
   * Runs {@code seconds} of simulated time in 1 ms steps: the producer owns
   * {@code lead + t × rate} ms of audio at time t and offers it in chunks of {@code chunkMillis}
   * (a refused chunk is retried the next millisecond); the call pulls one frame every 20 ms.
   */
  private static Run simulate(double rate, int chunkMillis, long limitMillis, long leadMillis,
      int seconds) throws Exception {
    PcmPushSource source = PcmPushSource.create(1, limitMillis, WhenEmpty.NOTHING);
    PcmFrameSource frames = PcmFrameSource.open(source, 32);
    long pushed = 0;
    short[] pending = null;
    int audio = 0;
    int empty = 0;
    int emptyWhileQueued = 0;
    long maxQueued = 0;
    int refusals = 0;
    List<byte[]> packets = new ArrayList<>();
    for (long t = 0; t < seconds * 1000L; t++) {
      long owned = Math.round((leadMillis + t * rate) * 48);
      while (true) {
        if (pending == null && pushed + chunkMillis * 48L <= owned) {
          pending = PcmTestAudio.sine(440, 8000, pushed, chunkMillis * 48, 1);
        }
        if (pending == null) {
          break;
        }
        if (!source.offer(pending, 0, pending.length)) {
          refusals++;
          break;
        }
        pushed += pending.length;
        pending = null;
      }
      maxQueued = Math.max(maxQueued, source.queuedMillis());
      assertThat(source.queuedMillis()).isLessThanOrEqualTo(limitMillis);
      if (t % 20 == 0) {
        long queued = source.queuedMillis();
        byte[] f = frames.nextFrame();
        assertThat(f).isNotNull();
        if (f.length == 0) {
          empty++;
          if (queued >= 20) {
            emptyWhileQueued++;
          }
        } else {
          assertThat(OpusPacket.samplesAt48kHz(f)).isEqualTo(960);
          audio++;
          packets.add(f);
        }
      }
    }
    frames.close();
    return new Run(audio, empty, emptyWhileQueued, maxQueued, refusals, pushed, packets);
  }

  @Test
  void producerTwoPercentFastIsHeldAtTheLimitAndEverySlotCarriesAFrame() throws Exception {
    Run run = simulate(1.02, 20, 400, 100, 30);
    assertThat(run.emptySlots()).isZero();
    assertThat(run.audioFrames()).isEqualTo(1500);
    assertThat(run.refusals()).isPositive(); // 2 % of 30 s = 600 ms > 300 ms of room
    assertThat(run.maxQueuedMillis()).isLessThanOrEqualTo(400).isGreaterThanOrEqualTo(380);
    // every refused chunk was retried: nothing was lost or duplicated, the tone is continuous
    Path ogg = dir.resolve("fast.ogg");
    PcmTestAudio.writeOggOpus(ogg, run.packets(), 1);
    short[] pcm = PcmTestAudio.decodeWithFfmpeg(ogg, 1);
    for (int second = 1; second < 29; second += 7) {
      assertThat(PcmTestAudio.amplitude(pcm, 1, 0, second * 48_000, 48_000, 440))
          .as("440 Hz amplitude in second %d", second).isCloseTo(8000, within(400.0));
    }
  }

  @Test
  void producerTwoPercentSlowGetsEveryFrameSentUntilTheQueueRunsDry() throws Exception {
    Run run = simulate(0.98, 20, 1000, 200, 20);
    assertThat(run.refusals()).isZero();
    assertThat(run.emptySlotsWhileQueued()).isZero();
    assertThat(run.emptySlots()).isPositive(); // 2 % of 20 s = 400 ms > the 200 ms lead
    assertThat(run.audioFrames() + run.emptySlots()).isEqualTo(1000);
    assertThat((long) run.audioFrames()).isEqualTo(run.pushedSamples() / 960);
  }

  @Test
  void burstsFasterThanRealTimeAreRefusedAtTheLimitAndPlayWithoutGaps() throws Exception {
    Run run = simulate(1.5, 500, 1200, 500, 10);
    assertThat(run.emptySlots()).isZero();
    assertThat(run.audioFrames()).isEqualTo(500);
    assertThat(run.refusals()).isPositive();
    assertThat(run.maxQueuedMillis()).isLessThanOrEqualTo(1200);
  }

  @Test
  void putBlocksAtTheLimitAndFinishesAsTheCallTakesFrames() throws Exception {
    PcmPushSource source = PcmPushSource.create(1, 100, WhenEmpty.NOTHING);
    PcmFrameSource frames = PcmFrameSource.open(source, 32);
    short[] second = PcmTestAudio.sine(440, 8000, 0, 48_000, 1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread producer = blockedProducer(source, second, failure);
    assertThat(source.queuedMillis()).isEqualTo(100);
    int audio = 0;
    for (int i = 0; i < 200 && audio < 50; i++) {
      assertThat(source.queuedMillis()).isLessThanOrEqualTo(100);
      byte[] f = frames.nextFrame();
      if (f.length > 0) {
        audio++;
      } else {
        Thread.sleep(2); // the producer has not refilled yet
      }
    }
    producer.join(5000);
    assertThat(producer.isAlive()).isFalse();
    assertThat(failure.get()).isNull();
    assertThat(audio).isEqualTo(50);
    assertThat(source.queuedMillis()).isZero();
  }

  @Test
  void closeWakesABlockedPutWithIllegalStateAndInterruptWakesItWithInterrupted() throws Exception {
    for (boolean interrupt : new boolean[] {false, true}) {
      PcmPushSource source = PcmPushSource.create(1, 20, WhenEmpty.NOTHING);
      short[] big = new short[48_000];
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread producer = blockedProducer(source, big, failure);
      if (interrupt) {
        producer.interrupt();
      } else {
        source.close();
      }
      producer.join(5000);
      assertThat(failure.get()).isInstanceOf(interrupt ? InterruptedException.class
          : IllegalStateException.class);
      assertThat(source.queuedMillis()).isEqualTo(20); // the prefix that fitted stays queued
    }
  }

  @Test
  void silenceSendsEncodedSilenceAndNothingSendsNoPacketWhileTheQueueIsShort() throws Exception {
    PcmPushSource silent = PcmPushSource.create(1, 1000, WhenEmpty.SILENCE);
    PcmFrameSource s = PcmFrameSource.open(silent, BITRATE_KBPS);
    List<byte[]> packets = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      byte[] f = s.nextFrame();
      assertThat(f.length).isPositive();
      assertThat(OpusPacket.samplesAt48kHz(f)).isEqualTo(960);
      packets.add(f);
    }
    Path ogg = dir.resolve("silence.ogg");
    PcmTestAudio.writeOggOpus(ogg, packets, 1);
    short[] pcm = PcmTestAudio.decodeWithFfmpeg(ogg, 1);
    assertThat(pcm.length).isGreaterThan(40_000);
    assertThat(PcmTestAudio.rms(pcm)).isLessThan(5);

    PcmPushSource nothing = PcmPushSource.create(1, 1000, WhenEmpty.NOTHING);
    PcmFrameSource n = PcmFrameSource.open(nothing, BITRATE_KBPS);
    assertThat(n.nextFrame()).isSameAs(OpusFrameSource.NOTHING);
    short[] part = PcmTestAudio.sine(440, 8000, 0, 500, 1);
    nothing.offer(part, 0, part.length); // under a frame: waits for more
    assertThat(n.nextFrame()).isEmpty();
    nothing.offer(part, 0, part.length);
    assertThat(n.nextFrame()).isNotEmpty(); // 1000 samples: one frame, 40 left
    assertThat(n.nextFrame()).isEmpty();
    nothing.close(); // the 40 samples go out padded, then the source ends
    assertThat(n.nextFrame()).isNotEmpty();
    assertThat(n.nextFrame()).isNull();
    assertThat(s.nextFrame()).isNotEmpty();
    silent.close();
    assertThat(s.nextFrame()).isNull(); // closed with an empty queue: ends at once
  }

  @Test
  void clearDropsTheQueueAndAPartialFrame() throws Exception {
    PcmPushSource source = PcmPushSource.create(1, 1000, WhenEmpty.NOTHING);
    PcmFrameSource frames = PcmFrameSource.open(source, 32);
    short[] s = new short[2500];
    assertThat(source.offer(s, 0, s.length)).isTrue();
    assertThat(source.queuedMillis()).isEqualTo(52);
    source.clear();
    assertThat(source.queuedMillis()).isZero();
    assertThat(frames.nextFrame()).isEmpty();
  }

  @Test
  void argumentsAndLimitsAreChecked() throws Exception {
    PcmPushSource stereo = PcmPushSource.create(2, 100, WhenEmpty.NOTHING);
    assertThatThrownBy(() -> stereo.offer(new short[3], 0, 3))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiple of 2");
    assertThatThrownBy(() -> stereo.offer(new byte[6], 0, 6))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiple of 4");
    assertThatThrownBy(() -> stereo.offer(new short[4], 2, 4))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> PcmPushSource.create(3, 100, WhenEmpty.NOTHING))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PcmPushSource.create(1, 0, WhenEmpty.NOTHING))
        .isInstanceOf(IllegalArgumentException.class);

    short[] ms90 = new short[90 * 48 * 2];
    assertThat(stereo.offer(ms90, 0, ms90.length)).isTrue();
    short[] ms20 = new short[20 * 48 * 2];
    assertThat(stereo.offer(ms20, 0, ms20.length)).isFalse(); // 110 ms > 100 ms: nothing queued
    assertThat(stereo.queuedMillis()).isEqualTo(90);
    assertThat(stereo.offer(ms20, 0, 10 * 48 * 2)).isTrue(); // exactly at the limit
    assertThat(stereo.queuedMillis()).isEqualTo(100);

    PcmFrameSource first = PcmFrameSource.open(stereo, 64);
    assertThatThrownBy(() -> PcmFrameSource.open(stereo, 64))
        .isInstanceOfSatisfying(InvalidParamsException.class,
            e -> assertThat(e.field()).isEqualTo("source"));
    first.close();
    PcmFrameSource.open(stereo, 64).close(); // the queue is free again once the reader closed

    stereo.close();
    assertThatThrownBy(() -> stereo.offer(ms20, 0, 4)).isInstanceOf(IllegalStateException.class);
    assertThat(stereo.queuedMillis()).isEqualTo(100); // close keeps what is queued for the call
  }

  @Test
  void queueGrowsPastItsFirstSecondKeepingOrderAcrossTheWrap() {
    PcmQueue queue = new PcmQueue(1, 5000);
    short[] out = new short[960];
    int next = 0;
    int expected = 0;
    // offset the ring's head first so that growing has to unwrap it
    for (int round = 0; round < 400; round++) {
      short[] chunk = new short[700];
      for (int i = 0; i < chunk.length; i++) {
        chunk[i] = (short) (next + i);
      }
      assertThat(queue.offer(chunk, 0, chunk.length)).isTrue();
      next += chunk.length;
      if (round % 3 == 0 && queue.readFrame(out) == PcmQueue.FRAME) {
        for (short v : out) {
          assertThat(v).isEqualTo((short) expected++);
        }
      }
    }
    assertThat(queue.queuedMillis()).isGreaterThan(3000).isLessThanOrEqualTo(5000);
    while (queue.readFrame(out) == PcmQueue.FRAME) {
      for (short v : out) {
        assertThat(v).isEqualTo((short) expected++);
      }
    }
    assertThat(expected).isEqualTo(next / 960 * 960);
  }

  @Test
  void queueReturnsEverySampleOnceInOrder() {
    PcmQueue queue = new PcmQueue(2, 50);
    short[] out = new short[1920];
    int next = 0;
    int expected = 0;
    for (int round = 0; round < 500; round++) {
      int len = 2 * (1 + (round * 37) % 700);
      short[] chunk = new short[len];
      for (int i = 0; i < len; i++) {
        chunk[i] = (short) (next + i);
      }
      if (queue.offer(chunk, 0, len)) {
        next += len;
      }
      while (queue.readFrame(out) == PcmQueue.FRAME) {
        for (short v : out) {
          assertThat(v).isEqualTo((short) expected++);
        }
      }
    }
    assertThat(expected).isGreaterThan(100_000);
  }
}
