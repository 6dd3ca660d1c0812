package org.tgcalls4j.internal.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.jaredmdobson.concentus.OpusApplication;
import io.github.jaredmdobson.concentus.OpusEncoder;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.tgcalls4j.AudioFrame;
import org.tgcalls4j.IncomingStreamStats;
import org.tgcalls4j.internal.pc.MediaTrack;

/** The per-call receiver, pulled by hand (no scheduler thread), fed RTP like the transport does. */
class IncomingAudioTest {
  private static final int PT = 111;
  private final List<AudioFrame> frames = new ArrayList<>();
  private final AudioReceiveScheduler unused = new AudioReceiveScheduler(Thread::new);

  /** The arrival clock, ns. */
  private final AtomicLong clock = new AtomicLong(TimeUnit.SECONDS.toNanos(1000));

  private IncomingAudio incoming(boolean mix) {
    return new IncomingAudio("test", 2, mix, frames::add, unused, Map.of(), clock::get);
  }

  /** 20 ms Opus packets of a sine, from Concentus' encoder (libopus port). */
  private static List<byte[]> tone(double hz, double amplitude, int count) throws Exception {
    OpusEncoder encoder = new OpusEncoder(48_000, 1, OpusApplication.OPUS_APPLICATION_AUDIO);
    encoder.setBitrate(64_000);
    List<byte[]> out = new ArrayList<>();
    for (int p = 0; p < count; p++) {
      short[] pcm = new short[960];
      for (int i = 0; i < 960; i++) {
        pcm[i] = (short) (amplitude * 32767 * Math.sin(2 * Math.PI * hz * (p * 960 + i) / 48_000));
      }
      byte[] buf = new byte[1500];
      int n = encoder.encode(pcm, 0, 960, buf, 0, buf.length);
      out.add(Arrays.copyOf(buf, n));
    }
    return out;
  }

  private static byte[] rtp(int pt, int seq, int ts, int ssrc, byte[] payload) {
    return ByteBuffer.allocate(12 + payload.length).put((byte) 0x80).put((byte) pt)
        .putShort((short) seq).putInt(ts).putInt(ssrc).put(payload).array();
  }

  private long nowMillis() {
    return TimeUnit.NANOSECONDS.toMillis(clock.get());
  }

  /** Packet i of every stream arrives at i × 20 ms; a tick every 20 ms, as the scheduler does. */
  private void feedAndPull(IncomingAudio in, Map<Integer, List<byte[]>> streams) {
    int count = streams.values().iterator().next().size();
    for (int i = 0; i < count + 3; i++) { // 60 ms of buffering: 3 more ticks
      if (i < count) {
        for (Map.Entry<Integer, List<byte[]>> s : streams.entrySet()) {
          MediaTrack track = in.trackFor(s.getKey(), PT);
          byte[] packet = rtp(PT, 1000 + i, 5000 + 960 * i, s.getKey(), s.getValue().get(i));
          track.onRtp(packet, 0, packet.length);
        }
      }
      in.pull(nowMillis());
      clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }

  @Test
  void deliversEachSsrcSeparatelyWithItsCounters() throws Exception {
    IncomingAudio in = incoming(false);
    feedAndPull(in, Map.of(11, tone(440, 0.3, 50), 22, tone(660, 0.3, 50)));
    List<AudioFrame> a = frames.stream().filter(f -> f.ssrc() == 11).toList();
    List<AudioFrame> b = frames.stream().filter(f -> f.ssrc() == 22).toList();
    assertThat(a).hasSize(50);
    assertThat(b).hasSize(50);
    assertThat(frames).allSatisfy(f -> {
      assertThat(f.channels()).isEqualTo(2);
      assertThat(f.concealed()).isFalse();
    });
    assertThat(Tone.peakHz(Tone.left(concat(a.subList(10, 50)), 2), 48_000, 300, 800))
        .isCloseTo(440, within(2.0));
    assertThat(Tone.peakHz(Tone.left(concat(b.subList(10, 50)), 2), 48_000, 300, 800))
        .isCloseTo(660, within(2.0));
    assertThat(in.stats()).extracting(IncomingStreamStats::ssrc).containsExactlyInAnyOrder(11, 22);
    assertThat(in.stats()).allSatisfy(s -> {
      assertThat(s.packets()).isEqualTo(50);
      assertThat(s.lost()).isZero();
    });
  }

  @Test
  void mixesIntoOneClippedStreamWithSsrcZero() throws Exception {
    IncomingAudio in = incoming(true);
    List<byte[]> loud = tone(440, 0.9, 30);
    feedAndPull(in, Map.of(1, loud, 2, loud));
    assertThat(frames).hasSize(30).allSatisfy(f -> assertThat(f.ssrc()).isZero());
    short[] mixed = concat(frames.subList(10, 30));
    int max = 0;
    int min = 0;
    for (short s : mixed) {
      max = Math.max(max, s);
      min = Math.min(min, s);
    }
    // 1.8 × full scale summed: clipped at the rails, not wrapped around
    assertThat(max).isEqualTo(Short.MAX_VALUE);
    assertThat(min).isEqualTo(Short.MIN_VALUE);
    assertThat(Tone.peakHz(Tone.left(mixed, 2), 48_000, 300, 800)).isCloseTo(440, within(2.0));
    assertThat(frames.get(20).audioLevelDbov()).isBetween(0, 3);
  }

  @Test
  void dropsAndCountsOtherPayloadTypesAndMalformedRtp() throws Exception {
    IncomingAudio in = incoming(false);
    MediaTrack track = in.trackFor(5, PT);
    assertThat(in.trackFor(5, PT)).isSameAs(track);
    byte[] payload = tone(440, 0.3, 1).get(0);
    byte[] video = rtp(100, 1, 0, 5, payload);
    track.onRtp(video, 0, video.length);
    track.onRtp(new byte[] {(byte) 0x80, 111, 0}, 0, 3); // shorter than an RTP header
    assertThat(in.droppedPackets()).isEqualTo(2);
    assertThat(in.stats()).singleElement().satisfies(s -> assertThat(s.packets()).isZero());
  }

  @Test
  void decodesAtMostTenSsrcsAtOnce() throws Exception {
    IncomingAudio in = incoming(false);
    byte[] payload = tone(440, 0.3, 1).get(0);
    for (int ssrc = 1; ssrc <= IncomingAudio.MAX_DECODERS + 1; ssrc++) {
      byte[] packet = rtp(PT, 1, 0, ssrc, payload);
      in.trackFor(ssrc, PT).onRtp(packet, 0, packet.length);
    }
    assertThat(in.activeDecoders()).isEqualTo(IncomingAudio.MAX_DECODERS);
    assertThat(in.droppedPackets()).isEqualTo(1);
  }

  @Test
  void anIdleDecoderIsReleasedAndItsCountersStay() throws Exception {
    IncomingAudio in = incoming(false);
    feedAndPull(in, Map.of(7, tone(440, 0.3, 10)));
    assertThat(in.activeDecoders()).isEqualTo(1);
    for (int tick = 0; tick < 60; tick++) { // 1.2 s without a packet
      in.pull(nowMillis());
      clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(20));
    }
    assertThat(in.activeDecoders()).isZero();
    assertThat(frames.size()).as("10 decoded, then 5 concealed on the underrun").isEqualTo(15);
    assertThat(in.stats()).singleElement().satisfies(s -> assertThat(s.packets()).isEqualTo(10));
  }

  @Test
  void aThrowingListenerIsContained() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    IncomingAudio in = new IncomingAudio("test", 1, false, f -> {
      calls.incrementAndGet();
      throw new IllegalStateException("listener bug");
    }, unused, Map.of(), clock::get);
    feedAndPull(in, Map.of(3, tone(440, 0.3, 10)));
    assertThat(calls.get()).as("every frame, despite the exceptions").isEqualTo(10);
  }

  @Test
  void afterCloseNothingIsDeliveredOrMade() throws Exception {
    IncomingAudio in = incoming(false);
    in.close();
    assertThat(in.trackFor(9, PT)).isNull();
    in.pull(nowMillis() + 1000);
    assertThat(frames).isEmpty();
  }

  private static short[] concat(List<AudioFrame> list) {
    short[] out = new short[list.stream().mapToInt(f -> f.samples().length).sum()];
    int at = 0;
    for (AudioFrame f : list) {
      System.arraycopy(f.samples(), 0, out, at, f.samples().length);
      at += f.samples().length;
    }
    return out;
  }
}
