package org.tgcalls4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.tgcalls4j.ConnectionState;
import org.tgcalls4j.MediaSource;
import org.tgcalls4j.NetworkOptions;
import org.tgcalls4j.PcmPushSource;
import org.tgcalls4j.TgCalls;
import org.tgcalls4j.testsfu.Audio;
import org.tgcalls4j.testsfu.Recording;
import org.tgcalls4j.testsfu.TestSfu;

/**
 * A {@link PcmPushSource} in a group call against the test SFU (which decodes with Concentus and
 * counts RFC 3550 loss): a producer thread pushes a 440 Hz tone 2 % faster, then 2 % slower than
 * real time, after a 1 s lead, into a queue limited to 1020 ms (so {@code put} blocks while the
 * producer is fast). Every pushed frame must arrive, at 50 packets/s, with no sequence gap.
 */
@ExtendWith(LeakCheck.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PcmPushIT {
  private static final long CHAT = 77;
  /** Generous: on a loaded 2-core machine the producer thread was seen stalled for 175 ms. */
  private static final long LEAD_MILLIS = 1000;
  /** Under lead + 2 % of the fast phase (1040 ms), so {@code put} blocks while the producer is fast. */
  private static final long LIMIT_MILLIS = 1020;
  private static final long PHASE_MILLIS = 2000;

  private final BlockingQueue<ConnectionState> states = new LinkedBlockingQueue<>();
  private final BlockingQueue<Object> streamEnds = new LinkedBlockingQueue<>();
  private final AtomicLong streamEndNanos = new AtomicLong();
  private TestSfu sfu;
  private TgCalls calls;
  private Thread producer;

  @AfterEach
  void tearDown() throws InterruptedException {
    if (producer != null) {
      producer.interrupt();
      producer.join(2000);
    }
    if (calls != null) {
      calls.close();
    }
    if (sfu != null) {
      sfu.close();
    }
  }

  /** Audio the producer owns at {@code t} ms after it started: lead, 2 % fast, then 2 % slow. */
  private static double ownedMillis(double t) {
    double fast = Math.min(t, PHASE_MILLIS);
    double slow = Math.max(0, Math.min(t - PHASE_MILLIS, PHASE_MILLIS));
    return LEAD_MILLIS + 1.02 * fast + 0.98 * slow;
  }

  /** Starts the SFU and a client, plays {@code source} and waits until the call is connected. */
  private void connect(PcmPushSource source) throws Exception {
    sfu = TestSfu.start(TestSfu.Options.defaults());
    calls = TgCalls.builder().requireFfmpeg(false)
        .networkOptions(NetworkOptions.loopbackOnly())
        .connectTimeout(Duration.ofSeconds(10))
        .connectionListener((chat, state, cause) -> states.add(state))
        .streamListener((chat, error) -> {
          streamEndNanos.set(System.nanoTime());
          streamEnds.add(error == null ? "ok" : error);
        })
        .build();
    String join = calls.createCall(CHAT);
    calls.setStreamSources(CHAT, MediaSource.pcm(source));
    calls.connect(CHAT, sfu.answer(join));
    assertThat(states.poll(10, TimeUnit.SECONDS)).isEqualTo(ConnectionState.CONNECTING);
    assertThat(states.poll(10, TimeUnit.SECONDS)).isEqualTo(ConnectionState.CONNECTED);
  }

  @Test
  void aGapInThePushesSendsNothingWithNothingAndSilenceWithSilence() throws Exception {
    for (PcmPushSource.WhenEmpty mode : PcmPushSource.WhenEmpty.values()) {
      PcmPushSource source = PcmPushSource.create(1, 2000, mode);
      connect(source);
      short[] half = sine(0, 24_000);
      source.put(half, 0, half.length); // 0.5 s, then a 0.6 s gap, then 0.5 s
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (source.queuedMillis() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      Thread.sleep(600);
      short[] more = sine(24_000, 24_000);
      source.put(more, 0, more.length);
      source.close();
      assertThat(streamEnds.poll(10, TimeUnit.SECONDS)).as("stream end").isEqualTo("ok");
      Thread.sleep(200);
      Recording rec = sfu.recording();
      long received = rec.packetsBySsrc().getOrDefault(calls.audioSsrc(CHAT), 0L);
      double millis = (streamEndNanos.get() - rec.firstPacketNanos()) / 1e6;
      System.out.printf("PcmPushIT %s: %d packets over %.0f ms, lost %d%n", mode, received, millis,
          rec.lostPackets());
      assertThat(rec.lostPackets()).isZero();
      assertThat(millis).as("the media clock ran through the gap").isBetween(1500.0, 1900.0);
      if (mode == PcmPushSource.WhenEmpty.NOTHING) {
        // the pushed audio only (30 more packets if the gap were sent); sequence numbers have no
        // hole. The test SFU may drop our first packet: as DTLS server we can finish the handshake
        // and send before it has installed its keys (seen once on a loaded machine)
        assertThat(received).isBetween(49L, 50L);
      } else {
        // silence filled the gap: one packet per 20 ms from the first to the last
        assertThat((received - 1) * 20.0).isCloseTo(millis, org.assertj.core.data.Offset.offset(40.0));
      }
      calls.close();
      sfu.close();
      calls = null;
      sfu = null;
      states.clear();
    }
  }

  @Test
  void pushedToneArrivesAtFiftyPacketsPerSecondWithoutGaps() throws Exception {
    PcmPushSource source = PcmPushSource.create(1, LIMIT_MILLIS, PcmPushSource.WhenEmpty.NOTHING);
    connect(source);

    long endMillis = Math.round(ownedMillis(2 * PHASE_MILLIS));
    long totalSamples = endMillis / 20 * 960;
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicLong maxQueued = new AtomicLong();
    AtomicLong maxProducerStallMillis = new AtomicLong();
    AtomicLong minQueued = new AtomicLong(Long.MAX_VALUE);
    producer = new Thread(() -> {
      try {
        long start = System.nanoTime();
        long pushed = 0;
        long last = start;
        while (pushed < totalSamples) {
          long now = System.nanoTime();
          maxProducerStallMillis.accumulateAndGet((now - last) / 1_000_000L, Math::max);
          last = now;
          if (pushed > 0) {
            minQueued.accumulateAndGet(source.queuedMillis(), Math::min);
          }
          double t = (now - start) / 1e6;
          long owned = Math.min(totalSamples, Math.round(ownedMillis(t) * 48) / 960 * 960);
          if (owned > pushed) {
            short[] chunk = sine(pushed, (int) (owned - pushed));
            source.put(chunk, 0, chunk.length);
            pushed = owned;
          }
          maxQueued.accumulateAndGet(source.queuedMillis(), Math::max);
          LockSupport.parkNanos(5_000_000L);
        }
        source.close();
      } catch (Throwable t) {
        failure.set(t);
      }
    }, "pcm-producer");
    producer.start();

    assertThat(streamEnds.poll(20, TimeUnit.SECONDS)).as("stream end").isEqualTo("ok");
    System.out.printf("PcmPushIT: producer stalled at most %d ms, queue min %d ms%n",
        maxProducerStallMillis.get(), minQueued.get());
    assertThat(failure.get()).isNull();
    Thread.sleep(300);
    Recording rec = sfu.recording();
    long sent = calls.stats(CHAT).packetsSent();
    long received = rec.packetsBySsrc().getOrDefault(calls.audioSsrc(CHAT), 0L);
    double seconds = (streamEndNanos.get() - rec.firstPacketNanos()) / 1e9;

    assertThat(sent).isEqualTo(totalSamples / 960);
    assertThat(received).isEqualTo(sent);
    assertThat(rec.lostPackets()).isZero();
    assertThat(maxQueued.get()).isLessThanOrEqualTo(LIMIT_MILLIS);
    // one packet per 20 ms from the first to the last: a skipped slot while audio was queued
    // would stretch this by 20 ms (a late first packet, caught up on media time, shortens it)
    assertThat(seconds * 1000).isBetween((received - 1) * 20.0 - 60, (received - 1) * 20.0 + 60);
    double perSecond = (received - 1) / seconds;
    assertThat(perSecond).isBetween(49.0, 50.5);
    assertThat(Audio.dominantFrequencyHz(rec.pcm48kStereo(), 2, 48_000)).isCloseTo(440.0,
        org.assertj.core.data.Offset.offset(2.0));
    System.out.printf("PcmPushIT: %d packets in %.3f s = %.2f/s, lost %d, max queued %d ms%n",
        received, seconds, perSecond, rec.lostPackets(), maxQueued.get());
  }

  private static short[] sine(long from, int n) {
    short[] s = new short[n];
    for (int i = 0; i < n; i++) {
      s[i] = (short) Math.round(8000 * Math.sin(2 * Math.PI * 440 * (from + i) / 48_000.0));
    }
    return s;
  }
}
